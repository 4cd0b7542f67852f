-- rules and fallback = "hold".
dofile(lib)

test("rule accept: delivered with X-Virus-Status: Infected (NAME)", function()
	local c = open()
	send(c, { headers = { { "Subject", "pua" } },
		  body = "CLAMGATE-TEST-MARKER-7f3a9c\r\n" })
	expect(c, SMFIR_ACCEPT, "accept")
	check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv(
			   "Infected (Clamgate.Test.Marker.UNOFFICIAL)")), "header")
	mt.disconnect(c)
end)

test("fallback hold: trusted relay virus goes to the MTA hold queue", function()
	local before = qfiles()
	local c = open("127.0.0.1", "localhost")
	send(c, { body = attachment_message(EICAR_B64) })
	expect(c, SMFIR_ACCEPT, "accept into hold")
	check(mt.eom_check(c, MT_QUARANTINE), "smfi_quarantine requested")
	mt.disconnect(c)
	check(#qfiles() == #before, "hold does not write our store")
end)

test("reject_reply with code, %% and %v", function()
	local c = open()
	send(c, { body = attachment_message(EICAR_B64) })
	check(mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.0",
			   "100%% sure: Clamgate.Test.EICAR.UNOFFICIAL"), "custom reply")
	mt.disconnect(c)
end)

finish()
