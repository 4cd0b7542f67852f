-- 500 infected messages in a burst on one connection.
dofile(lib)

test("500 infected messages rejected", function()
	local c = open()
	for i = 1, 500 do
		send(c, { headers = { { "Subject", "flood " .. i } },
			  body = "x " .. EICAR .. " " .. i .. "\r\n" })
		expect_reject(c, EICAR_REPLY)
	end
	mt.disconnect(c)
end)

finish()
