-- The second MIME view (scanner.mime_view): shapes that libclamav's own
-- MIME parser reads otherwise than mail clients, handed to the milter
-- byte for byte (an MTA in front may change some of them: Postfix
-- makes a bare CR a space).  Run with the view on (want =
-- "reject": each infected shape is rejected) and off (want = "accept":
-- libclamav alone lets each through, which shows that the view is what
-- catches them).  The clean look-alikes are accepted either way.
dofile(lib)

local CT = "Content-Type: application/octet-stream; name=\"e.com\"\r\n"
local UU1 = [[M6#5/(5 E0$%06S1<4%I8-30H4%XI-T-#*3=])$5)0T%2+5-404Y$05)$+4%.]]
local UU2 = [[75$E625)54RU415-4+49)3$4A)$@K2"H ]]
local CLEAN_B64 = "aGVsbG8sIHRoaXMgaXMgYW4gb3JkaW5hcnkgZmlsZQ=="

-- the shapes: name, body (multipart, boundary b1), and who finds the
-- virus: "view" (the second view alone), "both" (libclamav too), or
-- nobody (clean)
local shapes = {
	{ "a bare-CR body (libclamav reads it too)", "preamble\r--b1\r" .. CT ..
	  "Content-Transfer-Encoding: base64\r\r" .. EICAR_B64 .. "\r--b1--\r\r\n", "both" },
	{ "'=' inside base64 (libclamav and GMime stop there)",
	  "--b1\r\n" .. CT .. "Content-Transfer-Encoding: base64\r\n\r\n" ..
	  EICAR_B64:sub(1, 20) .. "=" .. EICAR_B64:sub(21) .. "\r\n--b1--\r\n", "view" },
	{ "quoted-printable, '=' CR junk as a soft break",
	  "--b1\r\n" .. CT .. "Content-Transfer-Encoding: quoted-printable\r\n\r\n" ..
	  EICAR:sub(1, 24) .. "=\rjunk after the break\r\n" .. EICAR:sub(25) ..
	  "\r\n--b1--\r\n", "view" },
	{ "inline uuencode, a 4-digit mode and a blank line",
	  "--b1\r\nContent-Type: text/plain\r\n\r\nsee below\r\n\r\nbegin 0644 e.com\r\n" ..
	  UU1 .. "\r\n\r\n" .. UU2 .. "\r\n`\r\nend\r\n--b1--\r\n", "view" },
	{ "clean: '=' inside base64", "--b1\r\n" .. CT ..
	  "Content-Transfer-Encoding: base64\r\n\r\n" .. CLEAN_B64:sub(1, 8) ..
	  "=" .. CLEAN_B64:sub(9) .. "\r\n--b1--\r\n", nil },
	{ "clean: a bare-CR body", "preamble\r--b1\r" .. CT ..
	  "Content-Transfer-Encoding: base64\r\r" .. CLEAN_B64 .. "\r--b1--\r\r\n", nil },
}

for _, s in ipairs(shapes) do
	local name, body, finder = s[1], s[2], s[3]
	local reject = finder == "both" or (finder == "view" and want == "reject")
	test(name .. (reject and ": rejected" or ": accepted"), function()
		local c = open()
		send(c, { body = body })
		if reject then
			expect_reject(c, EICAR_REPLY)
		else
			expect(c, SMFIR_ACCEPT, "accept")
		end
		mt.disconnect(c)
	end)
end
-- the walk's limits: more parts than it reads (1001 empty ones, which
-- GMime builds all the same) is not clean but incomplete, and
-- policy.on_incomplete (reject) refuses it
if want == "reject" then
	test("1001 empty parts: past the view's limit, rejected as incomplete", function()
		local c = open()
		send(c, { body = string.rep("--b1\r\n\r\n", 1001) .. "--b1--\r\n" })
		check(mt.getreply(c) == SMFIR_REPLYCODE, "a reply code, got " ..
		      string.char(mt.getreply(c)))
		check(mt.eom_check(c, MT_SMTPREPLY, "554", "5.7.1",
		      "Message content exceeds the virus scanner's limits; rejected"),
		      "554 5.7.1, the limits text")
		mt.disconnect(c)
	end)
end
finish()
