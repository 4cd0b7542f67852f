-- One step of tests/pg/run.sh against one daemon (-D case=...): the
-- outbound gate with its verified senders in the shared PostgreSQL.
-- Internal domain local.example, trusted authserv-id mx.local.example.
dofile(lib)

NONSMTP = { daemon_port = "0", daemon_name = "NONSMTP" }
AR_OK = "mx.local.example; dkim=pass (good signature) header.d=remote.example header.s=sel"

-- autoreply TO - a vacation reply from user@local.example, non-SMTP
local function autoreply(to)
	local c = open("127.0.0.1", "localhost", NONSMTP)
	send(c, { from = "<user@local.example>", rcpts = { to },
		  headers = { { "From", "<user@local.example>" },
			      { "Subject", "away" },
			      { "Auto-Submitted", "auto-replied (vacation)" } },
		  body = "I am away.\r\n" })
	return c
end

local cases = {
	verify = function()
		local c = open("192.0.2.10", "mx.remote.example", {})
		send(c, { from = "<alice@remote.example>", rcpts = { "<user@local.example>" },
			  headers = { { "From", "<alice@remote.example>" },
				      { "Subject", "hello" },
				      { "Authentication-Results", AR_OK } },
			  body = "hello\r\n" })
		expect(c, SMFIR_ACCEPT, "accept")
		mt.disconnect(c)
	end,
	reply_pass = function()
		local c = autoreply("<alice@remote.example>")
		expect(c, SMFIR_ACCEPT, "accept")
		mt.disconnect(c)
	end,
	reply_stop = function()
		local c = autoreply("<bob@remote.example>")
		expect(c, SMFIR_DISCARD, "discard")
		mt.disconnect(c)
	end,
	reply_tempfail = function()
		local c = autoreply("<alice@remote.example>")
		expect_tempfail(c)
		mt.disconnect(c)
	end,
}

test(case, cases[case])
finish()
