-- Helpers shared by the protocol tests.  Globals from the runner (-D):
--   sock   the milter socket, e.g. unix:/tmp/x/sock
--   data   the directory with generated test files
--   pid    the daemon's process id

EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_B64 = "WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo="
EICAR_REPLY = "Virus Clamgate.Test.EICAR.UNOFFICIAL found; message rejected"

local passed, failed = 0, 0

-- run one named test; a failure is reported and the script goes on
function test(name, fn)
	local ok, err = pcall(fn)
	if ok then
		passed = passed + 1
		print("ok - " .. name)
	else
		failed = failed + 1
		print("not ok - " .. name .. ": " .. tostring(err))
	end
end

function finish()
	os.exit(failed == 0 and 0 or 1)
end

function fail(msg)
	error(msg, 2)
end

function check(cond, msg)
	if not cond then
		error("check failed: " .. msg, 2)
	end
end

-- open a connection as the MTA would for a client at ip; macros may
-- hold daemon_name, daemon_port and actions (what the MTA allows)
function open(ip, host, macros)
	local conn = mt.connect(sock, 50, 0.1)
	if conn == nil then fail("cannot connect to " .. sock) end
	mt.set_timeout(60)
	local m = macros or {}
	if m.actions then -- the MTA offers only these SMFIF_* actions
		-- (Debian's miltertest takes the steps before the actions,
		-- whatever its manual says: seen in the milter's negotiate)
		check(mt.negotiate(conn, 6, 0x1fffff, m.actions) == nil, "negotiate")
	end
	if m.daemon_name ~= false then
		mt.macro(conn, SMFIC_CONNECT, "{daemon_name}", m.daemon_name or "MTA-IN",
			 "{daemon_port}", m.daemon_port or "25")
	end
	check(mt.conninfo(conn, host or "mx.remote.example", ip or "192.0.2.10") == nil,
	      "conninfo")
	check(mt.helo(conn, host or "mx.remote.example") == nil, "helo")
	return conn
end

-- a multipart message with one attachment (already base64)
function attachment_message(b64)
	return "--b1\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n" ..
	       "--b1\r\nContent-Type: application/octet-stream\r\n" ..
	       "Content-Transfer-Encoding: base64\r\n" ..
	       "Content-Disposition: attachment; filename=\"doc.com\"\r\n\r\n" ..
	       b64 .. "\r\n--b1--\r\n"
end

-- envelope and headers; returns nothing, fails the test on error
function envelope(conn, from, rcpts, headers, auth)
	if auth then
		mt.macro(conn, SMFIC_MAIL, "{auth_authen}", auth, "i", "QID1")
	else
		mt.macro(conn, SMFIC_MAIL, "i", "QID1")
	end
	check(mt.mailfrom(conn, from or "<sender@remote.example>") == nil, "mailfrom")
	for _, r in ipairs(rcpts or { "<user@local.example>" }) do
		check(mt.rcptto(conn, r) == nil, "rcptto")
	end
	-- clamgate asks for DATA and answers it: unanswered, Postfix's
	-- message waits behind Nagle on an inet socket (docs/design.md)
	check(mt.data(conn) == nil, "data")
	check(mt.getreply(conn) == SMFIR_CONTINUE, "DATA is answered with continue")
	local hs = headers or {}
	-- miltertest itself puts the leading space in when the filter
	-- negotiated SMFIP_HDR_LEADSPC, as Postfix does
	for _, h in ipairs(hs) do
		check(mt.header(conn, h[1], h[2]) == nil, "header " .. h[1])
	end
	check(mt.eoh(conn) == nil, "eoh")
end

-- a complete message; returns the end-of-message reply
DEFAULT_HEADERS = {
	{ "From", "<sender@remote.example>" },
	{ "Subject", "test message" },
	{ "MIME-Version", "1.0" },
	{ "Content-Type", "multipart/mixed; boundary=\"b1\"" },
}

-- the bytes the MTA would have seen for these headers and body
function wire(headers, body)
	local s = ""
	for _, h in ipairs(headers or DEFAULT_HEADERS) do
		s = s .. h[1] .. ": " .. h[2] .. "\r\n"
	end
	return s .. "\r\n" .. (body or "")
end

function send(conn, opts)
	local headers = opts.headers or DEFAULT_HEADERS
	envelope(conn, opts.from, opts.rcpts, headers, opts.auth)
	-- in chunks of 65535 bytes, the most the protocol carries
	local s = opts.body or ""
	if opts.bodyfile then s = readfile(opts.bodyfile) .. s end
	for i = 1, #s, 65535 do
		check(mt.bodystring(conn, s:sub(i, i + 65534)) == nil, "body chunk")
	end
	check(mt.eom(conn) == nil, "eom")
	return mt.getreply(conn)
end

function expect_reject(conn, text)
	check(mt.getreply(conn) == SMFIR_REPLYCODE, "expected a reject, got " ..
	      string.char(mt.getreply(conn)))
	check(mt.eom_check(conn, MT_SMTPREPLY, "554", "5.7.1", text),
	      "reject reply is not 554 5.7.1 " .. text)
end

-- eicar_rejected CONN - EICAR as an attachment, rejected naming the
-- virus; the connection is closed
function eicar_rejected(conn)
	send(conn, { body = attachment_message(EICAR_B64) })
	expect_reject(conn, EICAR_REPLY)
	mt.disconnect(conn)
end

function expect_tempfail(conn)
	check(mt.getreply(conn) == SMFIR_REPLYCODE, "expected a 451 reply, got " ..
	      string.char(mt.getreply(conn)))
	check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.1",
			   "Virus scan unavailable; try again later"),
	      "tempfail reply is not 451 4.7.1")
end

function expect(conn, reply, what)
	check(mt.getreply(conn) == reply, "expected " .. what .. ", got " ..
	      string.char(mt.getreply(conn)))
end

-- the quarantine files (*.eml) in qdir, sorted
function qfiles()
	local t = {}
	local p = io.popen("ls " .. qdir .. " 2>/dev/null")
	for l in p:lines() do
		if l:match("%.eml$") then t[#t + 1] = l end
	end
	p:close()
	table.sort(t)
	return t
end

function readfile(path)
	local f = io.open(path, "rb")
	if f == nil then fail("cannot read " .. path) end
	local s = f:read("*a")
	f:close()
	return s
end

-- the one file that appeared since the list before was taken
function new_qfile(before)
	local after = qfiles()
	check(#after == #before + 1, "expected one new quarantine file, have " ..
	      #before .. " then " .. #after)
	local seen = {}
	for _, f in ipairs(before) do seen[f] = true end
	for _, f in ipairs(after) do
		if not seen[f] then return qdir .. "/" .. f end
	end
end

function added_header(conn, name)
	return mt.getheader(conn, name, 0)
end

-- a header value as clamgate adds it: clamgate negotiates
-- SMFIP_HDR_LEADSPC, and then supplies the space after the colon itself
function hv(v)
	return " " .. v
end
