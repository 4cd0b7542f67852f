-- trusted_relays = [ ]: only the non-SMTP markers make a reject unsafe.
dofile(lib)

local function virus_from(ip, macros)
	local c = open(ip, "localhost", macros)
	send(c, { body = attachment_message(EICAR_B64) })
	return c
end

test("control: loopback client that is not a trusted relay is rejected", function()
	local c = virus_from("127.0.0.1", {})
	expect_reject(c, EICAR_REPLY)
	mt.disconnect(c)
end)

test("{daemon_name} NONSMTP (Postfix cleanup marker) is not rejected", function()
	local before = qfiles()
	local c = virus_from("127.0.0.1", { daemon_name = "NONSMTP" })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	new_qfile(before)
end)

test("{daemon_port} 0 (Postfix non-SMTP) is not rejected", function()
	local before = qfiles()
	local c = virus_from("127.0.0.1", { daemon_port = "0" })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	new_qfile(before)
end)

test("missing {daemon_name} is not rejected", function()
	local before = qfiles()
	local c = virus_from("192.0.2.10", { daemon_name = false })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	new_qfile(before)
end)

test("noreject daemon (after-queue hop) is not rejected", function()
	local before = qfiles()
	local c = virus_from("192.0.2.10", { daemon_name = "REINJECT" })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	new_qfile(before)
end)

test("authenticated with reject_authenticated = false is not rejected", function()
	local before = qfiles()
	local c = open()
	send(c, { auth = "alice", body = attachment_message(EICAR_B64) })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	new_qfile(before)
end)

finish()
