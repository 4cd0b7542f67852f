-- max_message_size = 4K, on_oversize = reject.
dofile(lib)

local big = string.rep("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", 100)

test("oversize with on_oversize reject: 552 5.3.4", function()
	local c = open()
	send(c, { headers = { { "Subject", "big" } }, body = big })
	check(mt.eom_check(c, MT_SMTPREPLY, "552", "5.3.4",
			   "Message too large to be scanned for viruses"), "552")
	mt.disconnect(c)
end)

test("oversize from a trusted relay: quarantined, never discarded", function()
	local before = qfiles()
	local c = open("127.0.0.1", "localhost")
	send(c, { headers = { { "Subject", "big" } }, body = big })
	expect(c, SMFIR_DISCARD, "discard after quarantine")
	mt.disconnect(c)
	local q = readfile(new_qfile(before))
	check(q:sub(-#big) == big, "whole message kept")
end)

finish()
