-- The outbound gate through the real daemon: inbound mail verifies its
-- sender (a trusted Authentication-Results) and records contacts; then
-- outbound mail (non-SMTP, {daemon_port} 0, or authenticated) is passed, trimmed with
-- SMFIR_DELRCPT, or stopped (discard, and a quarantine entry marked
-- outbound) by its kind and its recipients.  Runs with outbound.mode on,
-- internal_domains local.example, trusted id mx.local.example.
dofile(lib)

NONSMTP = { daemon_port = "0", daemon_name = "NONSMTP" }
AR_OK = "mx.local.example; dkim=pass (good signature) header.d=remote.example header.s=sel"

local function pause() os.execute("sleep 0.6") end

-- msg HEADERS - headers for a plain text message
local function msg(extra)
	local h = {
		{ "From", "<user@local.example>" },
		{ "Subject", "about your message" },
	}
	for _, x in ipairs(extra or {}) do h[#h + 1] = x end
	return h
end

-- inbound FROM EXTRA [RCPT] - from outside; From: names the sender, as
-- DKIM needs (authres.c: the signed From: must be the envelope sender)
local function inbound(from, extra, rcpt)
	local headers = { { "From", from }, { "Subject", "hello" } }
	for _, x in ipairs(extra or {}) do headers[#headers + 1] = x end
	local c = open("192.0.2.10", "mx.remote.example", {})
	send(c, { from = from, rcpts = { rcpt or "<user@local.example>" },
		  headers = headers, body = "hello\r\n" })
	expect(c, SMFIR_ACCEPT, "accept")
	mt.disconnect(c)
end

-- outbound FROM RCPTS HEADERS [MACROS [BODY [AUTH]]] - one outbound
-- message, non-SMTP unless MACROS say else; returns the connection
-- after eom
local function outbound(from, rcpts, headers, macros, body, auth)
	local ip = auth and "192.0.2.50" or "127.0.0.1"
	local c = open(ip, auth and "client.example" or "localhost",
		       macros or NONSMTP)
	send(c, { from = from, rcpts = rcpts, headers = headers,
		  body = body or "I am away.\r\n", auth = auth })
	return c
end
SUBMISSION = { daemon_name = "MTA-SUBMIT", daemon_port = "587" }

local function qtext(path) return readfile(path) end

test("inbound, trusted dkim=pass: accepted, sender verified", function()
	inbound("<alice@remote.example>", { { "Authentication-Results", AR_OK } })
	inbound("<mallory@remote.example>", { { "Authentication-Results",
		"evil.example; dkim=pass header.d=remote.example" } })
	inbound("<bob@remote.example>", {})
	-- a valid signature of eve's own message, sent again with another
	-- envelope sender at the same domain: DKIM does not verify that one
	inbound("<victim@remote.example>", { { "From", "Eve <eve@remote.example>" },
		{ "Authentication-Results", AR_OK } })
	-- carl writes to an alias
	inbound("<carl@remote.example>", {}, "<sales@local.example>")
	pause()
end)

test("autoreply to the verified sender: accepted", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<alice@remote.example>" },
			   msg({ { "Auto-Submitted", "auto-replied (vacation)" } }))
	expect(c, SMFIR_ACCEPT, "accept")
	mt.disconnect(c)
	check(#qfiles() == #before, "nothing quarantined")
end)

test("autoreply to a sender verified only by another authserv-id: stopped, quarantined as outbound", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<mallory@remote.example>" },
			   msg({ { "Auto-Submitted", "auto-replied" } }))
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	local t = qtext(new_qfile(before))
	check(t:find("X%-Clamgate%-Action: outbound\r\n"), "action outbound")
	check(t:find("X%-Clamgate%-Virus: outbound/autoreply\r\n"), "kind in the virus field")
	check(t:find("X%-Clamgate%-Gate: kind=autoreply rule=verified%-only why=unverified"),
	      "gate field")
	check(t:find("X%-Clamgate%-Recipient: mallory@remote.example\r\n"), "recipient")
end)

test("a replayed DKIM signature did not verify another envelope sender", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<victim@remote.example>" },
			   msg({ { "Auto-Submitted", "auto-replied" } }))
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	check(#qfiles() == #before + 1, "the reply to victim is quarantined")
end)

test("a vacation reply from the user to someone who wrote to an alias: a response, stopped", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<carl@remote.example>" },
			   msg({ { "Precedence", "bulk" } }))
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	local t = qtext(new_qfile(before))
	check(t:find("reason=precedence=bulk%+recent"), "recent through the alias")
end)

test("DSN to verified, unverified and internal over authenticated SMTP: only the unverified removed", function()
	local before = qfiles()
	local c = outbound("<>", { "<alice@remote.example>", "<stranger@remote.example>",
				  "<carol@local.example>" },
			   msg({ { "Content-Type", "multipart/report; report-type=delivery-status; boundary=x" } }),
			   SUBMISSION, "--x\r\n\r\nfailed\r\n--x--\r\n", "user")
	expect(c, SMFIR_ACCEPT, "accept")
	check(mt.eom_check(c, MT_RCPTDELETE, "<stranger@remote.example>"),
	      "stranger removed")
	check(not mt.eom_check(c, MT_RCPTDELETE, "<alice@remote.example>"),
	      "alice kept")
	check(not mt.eom_check(c, MT_RCPTDELETE, "<carol@local.example>"),
	      "carol kept")
	mt.disconnect(c)
	local t = qtext(new_qfile(before))
	check(t:find("X%-Clamgate%-Recipient: stranger@remote.example\r\n"), "the copy is for stranger")
	check(not t:find("Recipient: alice"), "the copy is not for alice")
	check(t:find("X%-Clamgate%-Virus: outbound/dsn\r\n"), "kind dsn")
end)

test("the same DSN on the non-SMTP path: stopped whole (cleanup shows rewritten recipients)", function()
	local before = qfiles()
	local c = outbound("<>", { "<alice@remote.example>", "<stranger@remote.example>" },
			   msg({ { "Content-Type", "multipart/report; report-type=delivery-status; boundary=x" } }),
			   NONSMTP, "--x\r\n\r\nfailed\r\n--x--\r\n")
	expect(c, SMFIR_DISCARD, "discard")
	check(not mt.eom_check(c, MT_RCPTDELETE, "<stranger@remote.example>"),
	      "nobody removed")
	mt.disconnect(c)
	local t = qtext(new_qfile(before))
	check(t:find("Recipient: alice@remote.example\r\n") and
	      t:find("Recipient: stranger@remote.example\r\n"), "both recipients in the copy")
end)

test("the MTA offers no recipient removal: the mixed DSN is stopped whole", function()
	local before = qfiles()
	local m = { daemon_port = "0", daemon_name = "NONSMTP",
		    actions = 0x1 + 0x10 + 0x20 } -- add, change headers, quarantine
	local c = outbound("<>", { "<alice@remote.example>", "<stranger@remote.example>" },
			   msg({ { "Content-Type", "multipart/report; report-type=delivery-status; boundary=x" } }),
			   m, "--x\r\n\r\nfailed\r\n--x--\r\n")
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	local t = qtext(new_qfile(before))
	check(t:find("Recipient: alice@remote.example\r\n") and
	      t:find("Recipient: stranger@remote.example\r\n"), "both recipients kept in the copy")
end)

test("vacation-style reply (Precedence: bulk) to someone who wrote: an autoreply, stopped", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<bob@remote.example>" },
			   msg({ { "Precedence", "bulk" } }))
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	local t = qtext(new_qfile(before))
	check(t:find("X%-Clamgate%-Gate: kind=autoreply rule=verified%-only why=unverified reason=precedence=bulk%+recent"),
	      "a response because bob wrote: " .. (t:match("X%-Clamgate%-Gate: [^\r]*") or "no gate field"))
end)

test("the same headers to someone who never wrote (a newsletter): accepted", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<reader@remote.example>" },
			   msg({ { "Precedence", "bulk" } }))
	expect(c, SMFIR_ACCEPT, "accept")
	mt.disconnect(c)
	check(#qfiles() == #before, "nothing quarantined")
end)

test("a challenge, even to an internal address: discarded, not stored", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<carol@local.example>" },
			   msg({ { "X-Boxtrapper", "1" } }))
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	check(#qfiles() == #before, "nothing quarantined")
end)

test("a human reply (In-Reply-To, Re:) to a stranger: accepted", function()
	local c = outbound("<user@local.example>", { "<stranger@remote.example>" },
			   { { "From", "<user@local.example>" }, { "Subject", "Re: lunch" },
			     { "In-Reply-To", "<123@remote.example>" } })
	expect(c, SMFIR_ACCEPT, "accept")
	mt.disconnect(c)
end)

test("authenticated submission is outbound too: an autoreply to a stranger is stopped", function()
	local c = open("192.0.2.50", "client.local.example", {})
	send(c, { from = "<user@local.example>", rcpts = { "<stranger@remote.example>" },
		  headers = msg({ { "Auto-Submitted", "auto-replied" } }),
		  body = "away\r\n", auth = "user" })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
end)

test("infected and automatic: the virus policy decides (quarantined as the virus)", function()
	local before = qfiles()
	local c = outbound("<user@local.example>", { "<alice@remote.example>" },
			   { { "From", "<user@local.example>" }, { "Auto-Submitted", "auto-replied" },
			     { "MIME-Version", "1.0" },
			     { "Content-Type", "multipart/mixed; boundary=\"b1\"" } },
			   NONSMTP, attachment_message(EICAR_B64))
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	local t = qtext(new_qfile(before))
	check(t:find("X%-Clamgate%-Virus: Clamgate.Test.EICAR"), "the virus, not the kind")
	check(not t:find("X%-Clamgate%-Gate:"), "no gate field")
end)

test("a catalogue line added while running counts after SIGUSR2", function()
	local f = io.open(cat, "a")
	f:write("av-notice Subject Zebra alert*\n")
	f:close()
	os.execute("kill -USR2 " .. pid)
	os.execute("sleep 1")
	local c = outbound("<av@local.example>", { "<carol@local.example>" },
			   { { "From", "<av@local.example>" }, { "Subject", "Zebra alert: W32.Test found" } })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
end)

finish()
