-- A released message coming back through the MTA: the token lets it pass
-- only on the non-SMTP path, with the same envelope, untampered.
dofile(lib)

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

local function again(tok, ip, macros, rcpts)
	local hs = { { "X-Clamgate-Release", tok } }
	for _, h in ipairs(h1) do hs[#hs + 1] = h end
	local c = open(ip, "localhost", macros)
	send(c, { from = "<alice@victim.example>", headers = hs,
		  rcpts = rcpts or { "<bob@dest.example>", "<carol@dest.example>" },
		  body = attachment_message(EICAR_B64) })
	return c
end

test("released message on the non-SMTP path: delivered unscanned", function()
	local c = again(token(), "127.0.0.1", { daemon_port = "0" })
	expect(c, SMFIR_ACCEPT, "accept")
	check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv("Released from quarantine")),
	      "X-Virus-Status: Released from quarantine")
	check(mt.eom_check(c, MT_HDRDELETE, "X-Clamgate-Release"), "token header removed")
	mt.disconnect(c)
end)

test("the same token over SMTP from outside: scanned and rejected", function()
	local c = again(token(), "192.0.2.10", {})
	expect_reject(c, EICAR_REPLY)
	mt.disconnect(c)
end)

test("the token with other recipients: scanned, quarantined again", function()
	local c = again(token(), "127.0.0.1", { daemon_port = "0" }, { "<mallory@evil.example>" })
	expect(c, SMFIR_DISCARD, "discard after quarantine")
	mt.disconnect(c)
end)

test("a tampered token: scanned, quarantined again", function()
	local tok = token():gsub("%x$", function(x) return x == "0" and "1" or "0" end)
	local c = again(tok, "127.0.0.1", { daemon_port = "0" })
	expect(c, SMFIR_DISCARD, "discard after quarantine")
	mt.disconnect(c)
end)

finish()
