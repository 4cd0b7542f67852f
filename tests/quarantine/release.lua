-- A released message coming back through the MTA: its token lets it
-- pass once, only on the non-SMTP path, only for the message it was made
-- for, and only where the MTA lets clamgate remove the token header.
-- -D case=replay: only the replay (after a restart of the daemon).
dofile(lib)

local NONSMTP = { daemon_port = "0" }

local function token()
	local f = io.open(data .. "/stdin.0", "rb")
	local first = f:read("*l")
	f:close()
	return first:match("^X%-Clamgate%-Release: (.-)\r?$")
end

local h1 = {
	{ "From", "Alice <alice@victim.example>" },
	{ "Subject", "=?UTF-8?B?w4ljb2xlIGTDqXRlY3TDqWU=?=" },
	{ "Message-ID", "<m1@victim.example>" },
	{ "MIME-Version", "1.0" },
	{ "Content-Type", "multipart/mixed; boundary=\"b1\"" },
}

-- again TOK IP MACROS [RCPTS] [BODY] - the message submitted once more
local function again(tok, ip, macros, rcpts, body)
	local hs = { { "X-Clamgate-Release", tok } }
	for _, h in ipairs(h1) do hs[#hs + 1] = h end
	local c = open(ip, "localhost", macros)
	send(c, { from = "<alice@victim.example>", headers = hs,
		  rcpts = rcpts or { "<bob@dest.example>", "<carol@dest.example>" },
		  body = body or attachment_message(EICAR_B64) })
	return c
end

local function requarantined(c)
	expect(c, SMFIR_DISCARD, "discard after quarantine")
	mt.disconnect(c)
end

if case == "replay" then
	test("after a restart, the used token still does not pass", function()
		requarantined(again(token(), "127.0.0.1", NONSMTP))
	end)
	finish()
end

test("the token on other content: scanned, quarantined again", function()
	local other = attachment_message(EICAR_B64):gsub("see attachment", "see this")
	requarantined(again(token(), "127.0.0.1", NONSMTP, nil, other))
end)

test("an MTA that refuses header changes: scanned, quarantined again", function()
	-- SMFIF_ADDHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST, no CHGHDRS
	requarantined(again(token(), "127.0.0.1",
			    { daemon_port = "0", actions = 0x121 }))
end)

test("the token over SMTP from outside: scanned and rejected", function()
	local c = again(token(), "192.0.2.10", {})
	expect_reject(c, EICAR_REPLY)
	mt.disconnect(c)
end)

test("a tampered token: scanned, quarantined again", function()
	local tok = token():gsub("%x$", function(x) return x == "0" and "1" or "0" end)
	requarantined(again(tok, "127.0.0.1", NONSMTP))
end)

test("a pass the MTA cannot be told about (no header adding): tempfail, the use given back", function()
	-- SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST, no ADDHDRS:
	-- the pass is granted, then X-Virus-Status cannot be added
	local c = again(token(), "127.0.0.1", { daemon_port = "0", actions = 0x130 })
	expect_tempfail(c)
	mt.disconnect(c)
end)

-- (the use was given back: the retry, as the MTA would make it, passes)
test("on the non-SMTP path, envelope rewritten by the MTA: delivered unscanned", function()
	local c = again(token(), "127.0.0.1", NONSMTP,
			{ "<bob@mail.dest.example>", "<carol@mail.dest.example>" })
	expect(c, SMFIR_ACCEPT, "accept")
	check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv("Released from quarantine")),
	      "X-Virus-Status: Released from quarantine")
	check(mt.eom_check(c, MT_HDRDELETE, "X-Clamgate-Release"), "token header removed")
	mt.disconnect(c)
end)

test("the same token a second time: scanned, quarantined again", function()
	requarantined(again(token(), "127.0.0.1", NONSMTP))
end)

finish()
