-- headers = "add": the sender's X-Virus-* headers stay beside ours.
dofile(lib)

test("headers = add keeps a forged X-Virus-Status and adds ours", function()
	local c = open()
	send(c, { headers = { { "Subject", "x" }, { "X-Virus-Status", "Clean" } },
		  body = "hello\r\n" })
	expect(c, SMFIR_ACCEPT, "accept")
	check(not mt.eom_check(c, MT_HDRDELETE, "X-Virus-Status"), "no delete")
	check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv("Clean")), "ours added")
	mt.disconnect(c)
end)

finish()
