-- A 100 MB message (75 MB of attachment, then EICAR), only in make
-- check-full.  With max_message_size above its size it is scanned to the
-- end and rejected; below it, it gets on_oversize (accept, Unscanned).
-- The runner passes the limit as the global "limit" ("above"/"below").
dofile(lib)

test("100 MB message, max_message_size " .. limit .. " its size", function()
	local c = open()
	send(c, { bodyfile = data .. "/huge-virus.txt" })
	if limit == "above" then
		expect_reject(c, EICAR_REPLY)
	else
		expect(c, SMFIR_ACCEPT, "accept (on_oversize)")
		check(mt.eom_check(c, MT_HDRADD, "X-Virus-Status", hv("Unscanned (oversize)")),
		      "Unscanned header")
	end
	mt.disconnect(c)
end)

finish()
