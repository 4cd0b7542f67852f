-- What a sender or a busy MTA can throw at the default limits: 500 idle
-- connections, 10,000 recipients, 1,000 headers, a 998-byte header line,
-- NUL bytes in the body, and SIGTERM with 32 messages in flight (last:
-- it stops the daemon).
dofile(lib)

local function clean_body(tag)
	return "--b1\r\nContent-Type: text/plain\r\n\r\nclean " .. tag .. "\r\n--b1--\r\n"
end

test("500 idle connections: a virus is still rejected, clean mail still accepted", function()
	local idle = {}
	for i = 1, 500 do idle[i] = open("192.0.2." .. (i % 250 + 1)) end
	eicar_rejected(open())
	local c = open()
	send(c, { body = clean_body("beside 500 idle") })
	expect(c, SMFIR_ACCEPT, "accept")
	mt.disconnect(c)
	for i = 1, 500 do mt.disconnect(idle[i]) end
end)

test("10,000 recipients: all recorded in the quarantine", function()
	local before = qfiles()
	local rcpts = {}
	for i = 1, 10000 do rcpts[i] = "<r" .. i .. "@local.example>" end
	local c = open("127.0.0.1", "localhost")
	send(c, { rcpts = rcpts, body = attachment_message(EICAR_B64) })
	expect(c, SMFIR_DISCARD, "discard (trusted relay)")
	mt.disconnect(c)
	local q = readfile(new_qfile(before))
	local _, n = q:gsub("X%-Clamgate%-Recipient: r%d+@local%.example\r\n", "")
	check(n == 10000, "10000 recipients in the quarantine, not " .. n)
end)

local function many_headers(n)
	local hs = {}
	for i = 1, n - 4 do hs[i] = { "X-Filler-" .. i, "value " .. i } end
	for _, h in ipairs(DEFAULT_HEADERS) do hs[#hs + 1] = h end
	return hs
end

test("1,000 headers: rejected when infected, accepted when clean", function()
	local hs = many_headers(1000)
	local c = open()
	send(c, { headers = hs, body = attachment_message(EICAR_B64) })
	expect_reject(c, EICAR_REPLY)
	send(c, { headers = hs, body = clean_body("1000 headers") })
	expect(c, SMFIR_ACCEPT, "accept")
	check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv("Clean")), "ours added")
	mt.disconnect(c)
end)

-- stored_as_sent HEADERS BODY - infected, from a trusted relay: discarded
-- at the MTA, and the quarantine file ends with exactly what was sent
local function stored_as_sent(hs, body)
	local before = qfiles()
	local c = open("127.0.0.1", "localhost")
	send(c, { headers = hs, body = body })
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	local q = readfile(new_qfile(before))
	local orig = wire(hs, body)
	check(q:sub(-#orig) == orig, "the stored message is the one sent")
end

test("1,000 headers from a trusted relay: quarantined byte for byte", function()
	stored_as_sent(many_headers(1000), attachment_message(EICAR_B64))
end)

test("a 998-byte header line: quarantined whole, and clean mail accepted", function()
	local subject = string.rep("s", 998 - #"Subject: ")
	local hs = { { "Subject", subject }, { "MIME-Version", "1.0" },
		     { "Content-Type", "multipart/mixed; boundary=\"b1\"" } }
	check(#("Subject: " .. subject) == 998, "the line is 998 bytes")
	stored_as_sent(hs, attachment_message(EICAR_B64))
	local c = open()
	send(c, { headers = hs, body = clean_body("998") })
	expect(c, SMFIR_ACCEPT, "accept")
	mt.disconnect(c)
end)

-- mt.bodystring stops at a NUL; mt.bodyfile sends a file's bytes as
-- they are
local function send_file(conn, hs, bytes)
	local path = data .. "/nul-body"
	local f = io.open(path, "wb")
	f:write(bytes)
	f:close()
	envelope(conn, nil, nil, hs)
	check(mt.bodyfile(conn, path) == nil, "bodyfile")
	check(mt.eom(conn) == nil, "eom")
end

test("NUL bytes before the virus: rejected; the stored copy keeps every byte", function()
	local body = "binary\0\0\0 junk\0\r\n" .. string.rep("\0", 5000) .. "\r\nx " .. EICAR .. "\r\n"
	local hs = { { "Subject", "nul" } }
	local c = open()
	send_file(c, hs, body)
	expect_reject(c, EICAR_REPLY)
	mt.disconnect(c)
	local before = qfiles()
	c = open("127.0.0.1", "localhost")
	send_file(c, hs, body)
	expect(c, SMFIR_DISCARD, "discard")
	mt.disconnect(c)
	local q = readfile(new_qfile(before))
	check(q:sub(-#wire(hs, body)) == wire(hs, body), "stored with its NUL bytes")
	c = open()
	send_file(c, hs, "clean\0with\0NULs\r\n")
	expect(c, SMFIR_ACCEPT, "clean mail with NUL bytes is accepted")
	mt.disconnect(c)
end)

test("SIGTERM with 32 messages in flight: each gets its real verdict", function()
	local cs = {}
	for i = 1, 32 do
		local c = open()
		envelope(c, nil, nil, { { "Subject", "in flight " .. i } })
		local body = (i % 2 == 0) and ("x " .. EICAR .. " " .. i .. "\r\n")
					  or ("clean in flight " .. i .. "\r\n")
		check(mt.bodystring(c, body) == nil, "body " .. i)
		cs[i] = c
	end
	os.execute("kill -TERM " .. pid)
	mt.sleep(1)
	for i = 1, 32 do
		check(mt.eom(cs[i]) == nil, "eom " .. i .. " after SIGTERM")
		if i % 2 == 0 then
			expect_reject(cs[i], EICAR_REPLY)
		else
			expect(cs[i], SMFIR_ACCEPT, "accept of clean message " .. i)
		end
	end
	-- the socket is gone at SIGTERM: a new connection finds nobody, and
	-- the MTA applies its milter_default_action (tempfail)
	check(not pcall(mt.connect, sock, 1, 0.1), "no new connection while draining")
	for i = 1, 32 do mt.disconnect(cs[i]) end
end)

finish()
