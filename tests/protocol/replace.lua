-- headers = "replace": forged X-Virus-* headers are removed.
dofile(lib)

test("forged X-Virus-Status and X-Virus-Scanned are removed", function()
	local c = open()
	send(c, { headers = { { "Subject", "x" }, { "X-Virus-Status", "Clean" },
			      { "X-Virus-Scanned", "forged" },
			      { "X-Virus-Status", "Clean" } },
		  body = "hello\r\n" })
	expect(c, SMFIR_ACCEPT, "accept")
	check(mt.eom_check(c, MT_HDRDELETE, "X-Virus-Status"), "status deleted")
	check(mt.eom_check(c, MT_HDRDELETE, "X-Virus-Scanned"), "scanned deleted")
	check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv("Clean")), "ours added")
	mt.disconnect(c)
end)

test("a forged Clean status does not save an infected message", function()
	local c = open()
	send(c, { headers = { { "Subject", "x" }, { "X-Virus-Status", "Clean" },
			      { "Content-Type", "multipart/mixed; boundary=\"b1\"" } },
		  body = attachment_message(EICAR_B64) })
	expect_reject(c, EICAR_REPLY)
	mt.disconnect(c)
end)

finish()
