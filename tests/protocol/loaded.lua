-- After SIGUSR2 (or the periodic check) the new database is in use.
dofile(lib)

test("after reload: EICAR rejected", function()
	eicar_rejected(open())
end)

test("after reload: a signature added later is detected", function()
	local c = open()
	send(c, { headers = { { "Subject", "x" } }, body = "CLAMGATE-RELOAD-MARKER-51d0\r\n" })
	check(mt.eom_check(c, MT_SMTPREPLY, "554", "5.7.1",
			   "Virus Clamgate.Test.Reloaded.UNOFFICIAL found; message rejected"),
	      "new signature used")
	mt.disconnect(c)
end)

finish()
