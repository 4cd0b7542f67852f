-- No signatures loaded yet, or the quarantine cannot be written.
dofile(lib)

test("engine not loaded: tempfail 451 4.7.1", function()
	local c = open()
	send(c, { body = attachment_message(EICAR_B64) })
	expect_tempfail(c)
	mt.disconnect(c)
end)

test("engine not loaded: clean mail is tempfailed too, not accepted", function()
	local c = open()
	send(c, { headers = { { "Subject", "x" } }, body = "hello\r\n" })
	expect_tempfail(c)
	mt.disconnect(c)
end)

finish()
