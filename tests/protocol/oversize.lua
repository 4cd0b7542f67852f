-- max_message_size = 4K.
dofile(lib)

local big = string.rep("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", 100)

test("oversize with on_oversize accept: Unscanned (oversize)", function()
	local c = open()
	send(c, { headers = { { "Subject", "big" } }, body = big })
	expect(c, SMFIR_ACCEPT, "accept")
	check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv("Unscanned (oversize)")),
	      "Unscanned header")
	mt.disconnect(c)
end)

test("small message still scanned", function()
	eicar_rejected(open())
end)

finish()
