-- Limits: milter.max_sessions = 20, max_recipients = 100, on_error =
-- "accept" (a limit must tempfail all the same),
-- scanner.max_spool_disk = 2M (spool_memory 256K).  Each limit is a clear
-- tempfail, never a lost message or an accept.
dofile(lib)

local tmpdir = qdir:gsub("/q$", "/tmp")

-- spool files the daemon holds open now (unlinked files in its temp_dir)
local function spool_files()
	local p = io.popen("ls -l /proc/" .. pid .. "/fd 2>/dev/null")
	local n = 0
	for l in p:lines() do
		if l:find(tmpdir, 1, true) then n = n + 1 end
	end
	p:close()
	return n
end

-- sockets - the sockets the daemon holds open now
local function sockets()
	local p = io.popen("ls -l /proc/" .. pid .. "/fd 2>/dev/null")
	local n = 0
	for l in p:lines() do
		if l:find("socket:", 1, true) then n = n + 1 end
	end
	p:close()
	return n
end
local idle_sockets = sockets()

-- settle - wait (up to 20 s) until the daemon has let go of every
-- connection a test closed: libmilter ends a session after the close
-- reached it, which a slow machine (ASan) may take more than a second
-- to do, and the next test counts on all max_sessions slots
local function settle()
	for _ = 1, 200 do
		if sockets() <= idle_sockets then return end
		mt.sleep(0.1)
	end
end

-- connect as an outside client; the reply to the connect event
local function connect_reply()
	local c = mt.connect(sock, 50, 0.1)
	if c == nil then fail("cannot connect to " .. sock) end
	mt.macro(c, SMFIC_CONNECT, "{daemon_name}", "MTA-IN", "{daemon_port}", "25")
	check(mt.conninfo(c, "mx.remote.example", "192.0.2.10") == nil, "conninfo")
	return c, mt.getreply(c)
end

-- accepted_connections N - N connections, each of them accepted
local function accepted_connections(n)
	local cs = {}
	for i = 1, n do
		local c, r = connect_reply()
		check(r == SMFIR_CONTINUE, "connection " .. i .. " accepted")
		cs[i] = c
	end
	return cs
end

test("past milter.max_sessions: 451 at connect; room again once one closes", function()
	local cs = accepted_connections(20)
	local c, r = connect_reply()
	check(r == SMFIR_REPLYCODE, "connection 21 tempfailed, got " .. string.char(r))
	mt.disconnect(c)
	mt.disconnect(cs[1])
	mt.sleep(1)
	c = open()
	send(c, { body = "x " .. EICAR .. "\r\n" })
	expect_reject(c, EICAR_REPLY)
	mt.disconnect(c)
	for i = 2, 20 do mt.disconnect(cs[i]) end
end)

test("a burst of 25 connections at once, max_sessions 20: only the 5 extra are refused", function()
	local cs = {}
	settle()
	for i = 1, 25 do -- all of them negotiate before any connect event
		cs[i] = mt.connect(sock, 50, 0.1)
		if cs[i] == nil then fail("cannot connect to " .. sock) end
	end
	local refused = 0
	for i = 1, 25 do
		mt.macro(cs[i], SMFIC_CONNECT, "{daemon_name}", "MTA-IN", "{daemon_port}", "25")
		check(mt.conninfo(cs[i], "mx.remote.example", "192.0.2.10") == nil, "conninfo")
		local r = mt.getreply(cs[i])
		if r == SMFIR_REPLYCODE then refused = refused + 1 end
		if i <= 20 then check(r == SMFIR_CONTINUE, "connection " .. i .. " accepted") end
	end
	check(refused == 5, "5 refused, not " .. refused)
	for i = 1, 25 do mt.disconnect(cs[i]) end
	mt.sleep(1)
end)

-- MAIL, then n recipients; the reply to each RCPT
local function rcpts(c, n)
	mt.macro(c, SMFIC_MAIL, "i", "QIDR")
	check(mt.mailfrom(c, "<sender@remote.example>") == nil, "mailfrom")
	local replies = {}
	for i = 1, n do
		check(mt.rcptto(c, "<u" .. i .. "@local.example>") == nil, "rcptto " .. i)
		replies[i] = mt.getreply(c)
	end
	return replies
end

-- DATA, one header, a body with EICAR, end of message
local function rest(c)
	check(mt.data(c) == nil, "data")
	check(mt.header(c, "Subject", "many recipients") == nil, "header")
	check(mt.eoh(c) == nil, "eoh")
	check(mt.bodystring(c, "x " .. EICAR .. "\r\n") == nil, "body")
	check(mt.eom(c) == nil, "eom")
end

test("past milter.max_recipients: 452 for each further RCPT; the first 100 are kept", function()
	local before = qfiles()
	local c = open("127.0.0.1", "localhost")
	local replies = rcpts(c, 120)
	for i = 1, 120 do
		local want = i <= 100 and SMFIR_CONTINUE or SMFIR_REPLYCODE
		check(replies[i] == want, "RCPT " .. i .. " got " .. string.char(replies[i]))
	end
	rest(c)
	expect(c, SMFIR_DISCARD, "discard (trusted relay: quarantined)")
	mt.disconnect(c)
	local q = readfile(new_qfile(before))
	local _, n = q:gsub("X%-Clamgate%-Recipient: ", "")
	check(n == 100, "quarantine holds 100 recipients, not " .. n)
	check(q:find("X-Clamgate-Recipient: u100@local.example\r\n", 1, true), "u100 kept")
	check(not q:find("u101@", 1, true), "u101 refused, not recorded")
end)

-- a refused RCPT there is a configuration error, a tempfail would come
-- back with every retry: scanned as ever, held (the MTA keeps every
-- recipient) rather than quarantined with a partial envelope
test("non-SMTP past milter.max_recipients: no RCPT refused; infected: held, not quarantined", function()
	local before = qfiles()
	local c = open("127.0.0.1", "localhost", { daemon_name = "NONSMTP", daemon_port = "0" })
	local replies = rcpts(c, 120)
	for i = 1, 120 do
		check(replies[i] == SMFIR_CONTINUE, "RCPT " .. i .. " got " .. string.char(replies[i]))
	end
	rest(c)
	expect(c, SMFIR_ACCEPT, "accept into the MTA's hold queue")
	check(mt.eom_check(c, MT_QUARANTINE), "smfi_quarantine (hold) requested")
	mt.disconnect(c)
	check(#qfiles() == #before, "nothing in our store with a partial envelope")
end)

test("non-SMTP past milter.max_recipients, clean: accepted", function()
	local c = open("127.0.0.1", "localhost", { daemon_name = "NONSMTP", daemon_port = "0" })
	rcpts(c, 120)
	check(mt.data(c) == nil, "data")
	check(mt.header(c, "Subject", "many recipients, clean") == nil, "header")
	check(mt.eoh(c) == nil, "eoh")
	check(mt.bodystring(c, "nothing to see\r\n") == nil, "body")
	check(mt.eom(c) == nil, "eom")
	expect(c, SMFIR_ACCEPT, "accept")
	check(not mt.eom_check(c, MT_QUARANTINE), "not held")
	mt.disconnect(c)
end)

-- Postfix drops a client that stalls past smtpd_timeout and closes the
-- milter connection mid-message (tests/e2e/faults.sh does it for real)
test("20 sessions stalled mid-body, then given up by the MTA: spool files and slots freed", function()
	settle()
	local cs = {}
	local chunk = string.rep("stalled body line\r\n", 3400) -- 64600 bytes
	for i = 1, 20 do
		local c = open()
		envelope(c, nil, nil, { { "Subject", "stall " .. i } })
		if i <= 5 then -- 5 x 323 KB: past spool_memory, on disk
			for _ = 1, 5 do check(mt.bodystring(c, chunk) == nil, "body") end
		end
		cs[i] = c
	end
	local held = spool_files()
	check(held == 5, "5 spool files while the MTA stalls, not " .. held)
	local c, r = connect_reply()
	check(r == SMFIR_REPLYCODE, "a 21st connection is tempfailed meanwhile")
	mt.disconnect(c)
	mt.sleep(2)
	for i = 1, 20 do mt.disconnect(cs[i]) end
	settle()
	held = spool_files()
	check(held == 0, "spool files freed once the MTA gave up, " .. held .. " left")
	-- all 20 sessions were let go: 20 new connections fit
	local fresh = accepted_connections(20)
	for i = 1, 20 do mt.disconnect(fresh[i]) end
	mt.sleep(1)
end)

test("past scanner.max_spool_disk: tempfailed, and the budget comes back", function()
	local c = open()
	send(c, { bodyfile = data .. "/large-virus.txt" })
	expect_tempfail(c)
	mt.disconnect(c)
	check(spool_files() == 0, "no spool file left")
	c = open()
	local body = string.rep("a clean line of a big message\r\n", 40000) -- 1.2 MB
	send(c, { headers = { { "Subject", "big, clean" } }, body = body })
	expect(c, SMFIR_ACCEPT, "accept of 1.2 MB within the budget")
	mt.disconnect(c)
end)

finish()
