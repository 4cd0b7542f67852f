-- Running as nobody; the quarantine directory belongs to root.
dofile(lib)

test("quarantine not writable: tempfail, not discard", function()
	local before = qfiles()
	local c = open("127.0.0.1", "localhost")
	send(c, { body = attachment_message(EICAR_B64) })
	expect_tempfail(c)
	mt.disconnect(c)
	check(#qfiles() == #before, "no file")
end)

test("quarantine not writable: direct client still rejected", function()
	eicar_rejected(open())
end)

finish()
