-- Single checks for the clamd backend, chosen with -D case=NAME.
dofile(lib)

local function clean(c)
	send(c, { headers = { { "Subject", "clean" } }, body = "hello\r\n" })
end

local cases = {
	clean = function()
		local c = open()
		clean(c)
		expect(c, SMFIR_ACCEPT, "accept")
		mt.disconnect(c)
	end,
	eicar = function()
		eicar_rejected(open())
	end,
	eicar5 = function()
		local c = open()
		for i = 1, 5 do
			send(c, { body = attachment_message(EICAR_B64) })
			expect_reject(c, EICAR_REPLY)
		end
		mt.disconnect(c)
	end,
	longname = function()
		local c = open()
		send(c, { headers = { { "Subject", "x" } }, body = "x\r\n" })
		local name = "Fake.LongName." .. string.rep("y", 183) .. "..."
		check(mt.eom_check(c, MT_SMTPREPLY, "554", "5.7.1",
				   "Virus " .. name .. " found; message rejected"),
		      "reject naming the virus, capped at 200 characters")
		mt.disconnect(c)
	end,
	nested = function()
		local c = open()
		send(c, { bodyfile = data .. "/nested.txt" })
		expect_reject(c, "Message content exceeds the virus scanner's limits; rejected")
		mt.disconnect(c)
	end,
	nested_tempfail = function()
		local c = open()
		send(c, { bodyfile = data .. "/nested.txt" })
		expect_tempfail(c)
		mt.disconnect(c)
	end,
	overstream = function()
		local c = open()
		send(c, { headers = { { "Subject", "big" } }, bodyfile = data .. "/big-clean.txt" })
		expect_tempfail(c)
		mt.disconnect(c)
	end,
	huge_tempfail = function()
		local c = open()
		send(c, { bodyfile = data .. "/huge-virus.txt" })
		expect_tempfail(c)
		mt.disconnect(c)
	end,
	tempfail = function()
		local c = open()
		clean(c)
		expect_tempfail(c)
		mt.disconnect(c)
	end,
}

test("clamd backend: " .. case, cases[case])
finish()
