-- Quarantine three messages through the real daemon (trusted relay, so
-- the fallback applies) and keep each original in DATA/NAME.orig for the
-- byte-for-byte export check.
dofile(lib)

local function save(name, s)
	local f = io.open(data .. "/" .. name .. ".orig", "wb")
	f:write(s)
	f:close()
end

local function q(name, ip, from, rcpts, headers, body)
	local c = open(ip, "relay.local")
	send(c, { from = from, rcpts = rcpts, headers = headers, body = body })
	expect(c, SMFIR_DISCARD, "discard after quarantine")
	mt.disconnect(c)
	save(name, wire(headers, body))
	mt.sleep(1.1) -- distinct, ordered times in the ids
end

test("quarantine three messages", function()
	local h1 = {
		{ "From", "Alice <alice@victim.example>" },
		{ "Subject", "=?UTF-8?B?w4ljb2xlIGTDqXRlY3TDqWU=?=" },
		{ "Message-ID", "<m1@victim.example>" },
		{ "MIME-Version", "1.0" },
		{ "Content-Type", "multipart/mixed; boundary=\"b1\"" },
	}
	q("m1", "127.0.0.1", "<alice@victim.example>",
	  { "<bob@dest.example>", "<carol@dest.example>" }, h1,
	  attachment_message(EICAR_B64))
	q("m2", "127.0.0.2", "<mallory@other.example>", { "<dave@dest.example>" },
	  { { "Subject", "plain subject" } }, "CLAMGATE-LONG-NAME-MARKER-2b8e\r\n")
	q("m3", "::1", "<x@victim.example>", { "<eve@dest.example>" },
	  { { "Subject", "third" } }, "y " .. EICAR .. "\r\n")
end)

finish()
