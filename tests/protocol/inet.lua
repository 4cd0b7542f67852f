-- The milter on an inet socket.
dofile(lib)

test("inet socket: clean accepted", function()
	local c = open()
	send(c, { headers = { { "Subject", "x" } }, body = "hello\r\n" })
	expect(c, SMFIR_ACCEPT, "accept")
	mt.disconnect(c)
end)

test("inet socket: EICAR rejected", function()
	eicar_rejected(open())
end)

finish()
