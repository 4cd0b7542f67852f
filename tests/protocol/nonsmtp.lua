-- trusted_relays = [ ]: only the non-SMTP markers make a reject unsafe.
dofile(lib)

test("control: loopback client that is not a trusted relay is rejected", function()
	eicar_rejected(open("127.0.0.1", "localhost", {}))
end)

-- each origin where a reject would bounce: quarantined and discarded
local unsafe = {
	{ "{daemon_name} NONSMTP (Postfix cleanup marker)", "127.0.0.1",
	  { daemon_name = "NONSMTP" } },
	{ "{daemon_port} 0 (Postfix non-SMTP)", "127.0.0.1", { daemon_port = "0" } },
	{ "missing {daemon_name}", "192.0.2.10", { daemon_name = false } },
	{ "noreject daemon (after-queue hop)", "192.0.2.10",
	  { daemon_name = "REINJECT" } },
	{ "authenticated with reject_authenticated = false", "192.0.2.10", {},
	  "alice" },
}

for _, u in ipairs(unsafe) do
	test(u[1] .. " is not rejected", function()
		local before = qfiles()
		local c = open(u[2], "localhost", u[3])
		send(c, { auth = u[4], body = attachment_message(EICAR_B64) })
		expect(c, SMFIR_DISCARD, "discard")
		mt.disconnect(c)
		new_qfile(before)
	end)
end

finish()
