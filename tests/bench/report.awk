# report.awk - the benchmark report from scan.sh's key=value lines.
# Every comparison is a ratio between figures of the same run.
# usage: awk -v ncpu=N -f report.awk RESULTS

# get - a value; numbers as numbers (a substr() result compares as a string)
function get(k) { return (k in kv) ? (kv[k] ~ /^-?[0-9.]+$/ ? kv[k] + 0 : kv[k]) : "" }

{
	delete kv
	for (i = 1; i <= NF; i++) {
		eq = index($i, "=")
		if (eq) kv[substr($i, 1, eq - 1)] = substr($i, eq + 1)
	}
	run = get("run"); set = get("set")
	if (run == "cg-repeat") {
		repeat_rate = get("rate")
	} else if (run == "view-cost") {
		for (k in kv) view[k] = get(k)
	} else if (run == "cg-gate-store") {
		gate_rows = get("verified")
	} else if (run == "cg-metrics-counts") {
		metrics_counted = get("counted"); metrics_scrapes = get("scrapes")
	} else if (set ~ /^c[0-9]+$/) {
		c = substr(set, 2)
		rate[run, c] = get("rate"); p50[run, c] = get("p50"); p99[run, c] = get("p99")
		bad[run] += get("errors") + get("tempfail")
		msgs[run] += get("msgs"); accepted[run] += get("accept")
		if (run ~ /^bare/) {
			syscpu[run] += get("cpu")
			if (get("peak") > barepeak[run]) barepeak[run] = get("peak")
		}
		else { syscpu[run] += get("syscpu"); client[run] += get("cpu") }
		if (!(run in seen)) { seen[run] = 1; order[++nsys] = run }
	} else if (set ~ /^large/) {
		s = substr(set, 6)
		if (run == "bare") { bare_large[s] = get("p50"); bare_large_grow[s] = get("peak") - get("rss_before") }
		else { large[s] = get("p50"); large_before[s] = get("rss_before"); large_peak[s] = get("peak")
			large_verdict[s] = get("accept") ? "accept" : get("tempfail") ? "TEMPFAIL" : get("reject") ? "reject" : "other" }
		if (!(s in lseen)) { lseen[s] = 1; lorder[++nlarge] = s }
	} else if (run == "cg-reload") {
		for (k in kv) reload[k] = get(k)
	} else if (get("idle_rss") != "") {
		idle[run] = get("idle_rss"); before_idle[run] = get("before_idle"); peak[run] = get("peak")
	}
}

function verdict(ok) { return ok ? "met" : "MISSED" }
function ratio(a, b) { return b > 0 ? a / b : 0 }

END {
	printf "== Throughput, messages per second (each level its own unique slice)\n"
	printf "%-10s %8s %8s %8s %8s %8s   %s\n", "system", "c=1", "c=2", "c=8", "c=32", "c=64",
	    "errors+tempfails"
	for (i = 1; i <= nsys; i++) {
		r = order[i]
		printf "%-10s %8.1f %8.1f %8.1f %8.1f %8.1f   %d\n", r, rate[r, 1], rate[r, 2], rate[r, 8], rate[r, 32],
		    rate[r, 64], bad[r]
	}
	printf "(a rate counts every message sent, tempfailed ones too: see the last column)\n"
	printf "(bare runs min(c, %d) threads: more threads than cores cannot scan faster;\n", ncpu
	printf " bare-b is a second, identical bare libclamav, run last at each level)\n\n"
	printf "== End-of-message latency p50 / p99, ms (bare: one scan)\n"
	for (i = 1; i <= nsys; i++) {
		r = order[i]
		printf "%-10s %7.1f/%-7.1f %7.1f/%-7.1f %7.1f/%-7.1f %7.1f/%-7.1f %7.1f/%-7.1f\n", r,
		    p50[r, 1], p99[r, 1], p50[r, 2], p99[r, 2], p50[r, 8], p99[r, 8], p50[r, 32], p99[r, 32],
		    p50[r, 64], p99[r, 64]
	}
	printf "\n== CPU per message, ms (every process of the system) and memory, MiB\n"
	printf "(peak RSS: under load, after the database was loaded; bare holds its slice in memory)\n"
	printf "%-10s %9s %12s %10s %14s\n", "system", "cpu/msg", "loadgen/msg", "peak RSS", "64 idle (+)"
	for (i = 1; i <= nsys; i++) {
		r = order[i]
		printf "%-10s %9.1f %12.2f %10s %8s (%+d)\n", r, 1000 * ratio(syscpu[r], msgs[r]),
		    r ~ /^bare/ ? 0 : 1000 * ratio(client[r], msgs[r]),
		    r ~ /^bare/ ? barepeak[r] : peak[r], r ~ /^bare/ ? "-" : idle[r],
		    r ~ /^bare/ ? 0 : idle[r] - before_idle[r]
	}
	if (repeat_rate != "")
		printf "\nRepeated campaign, on purpose: cg-unix scanning its c=2 slice a second time,\n" \
		    "with libclamav's cache of clean files warm: %.1f msgs/s against %.1f the first time (%.1fx).\n" \
		    "A benchmark that repeats its corpus measures this cache, not the filter.\n",
		    repeat_rate, rate["cg-unix", 2], ratio(repeat_rate, rate["cg-unix", 2])
	if (nlarge) {
		printf "\n== Large messages on cg-unix (one message each; spool_memory 1M)\n"
		printf "%-8s %12s %9s %10s %10s %8s %10s %8s\n", "size", "clamgate ms", "bare ms", "RSS before", "peak RSS",
		    "growth", "bare growth", "verdict"
		for (i = 1; i <= nlarge; i++) {
			s = lorder[i]
			printf "%-8s %12.0f %9.0f %10s %10s %8s %10s %8s\n", s " MB", large[s], bare_large[s],
			    large_before[s], large_peak[s], large_peak[s] - large_before[s], bare_large_grow[s],
			    large_verdict[s]
		}
		printf "(growth: peak minus the size before; bare holds the message in memory before it starts)\n"
	}
	if ("single" in reload) {
		printf "\n== Reload under load (cg-unix, 8 sessions, SIGUSR2 during the run)\n"
		printf "%d messages: %d accepted, %d rejected, %d tempfailed, %d errors; reload took %.1f s (during the load: %s)\n",
		    reload["msgs"], reload["accept"], reload["reject"], reload["tempfail"], reload["errors"],
		    reload["reload_secs"], reload["during_load"]
		printf "peak RSS %s MiB against a peak of %s MiB with one engine under load (%.2fx) and %s MiB\n",
		    reload["peak"], reload["single"], ratio(reload["peak"], reload["single"]), reload["rest"]
		printf "right after the first load (%.2fx); %s MiB once the old engine was freed; the new signature\n",
		    ratio(reload["peak"], reload["rest"]), reload["after"]
		printf "rejected: %s\n", reload["newsig_rejected"] == 1 ? "yes" : "NO"
	}
	targets()
}

function target(what, value, limit, ok) {
	printf "%-62s %7.2f  %-8s %s\n", what, value, limit, verdict(ok)
	if (!ok) missed++
}

function targets(   s, c, f, cg, peer, cpu, pcpu) {
	printf "\n== Targets (ratios within this run; the throughput and CPU targets are\n"
	printf "   like for like with the issue's measurement: inet milter sockets)\n"
	for (s = 0; s < 2; s++) {
		cg = s ? "cg-unix" : "cg-inet"
		if ((cg, 1) in rate)
			target(cg " p50 at c=1 / bare scan p50", ratio(p50[cg, 1], p50["bare", 1]), "<= 1.2",
			    p50[cg, 1] <= 1.2 * p50["bare", 1])
	}
	cg = "cg-inet"; peer = "peer-inet"
	if ((cg, 1) in rate && (peer, 1) in rate) {
		target(cg " msgs/s at c=1 / " peer, ratio(rate[cg, 1], rate[peer, 1]), ">= 2", rate[cg, 1] >= 2 * rate[peer, 1])
		target(cg " msgs/s at c=2 / " peer, ratio(rate[cg, 2], rate[peer, 2]), ">= 2", rate[cg, 2] >= 2 * rate[peer, 2])
		target(cg " msgs/s at c=8 / " peer, ratio(rate[cg, 8], rate[peer, 8]), ">= 1.05", rate[cg, 8] >= 1.05 * rate[peer, 8])
		target(cg " msgs/s at c=8 / bare, " ncpu " threads", ratio(rate[cg, 8], rate["bare", 8]), ">= 0.9",
		    rate[cg, 8] >= 0.9 * rate["bare", 8])
		target(cg " failed or tempfailed messages", bad[cg], "= 0", bad[cg] == 0)
		cpu = ratio(syscpu[cg], msgs[cg]); pcpu = ratio(syscpu[peer], msgs[peer])
		target(cg " CPU per message / " peer, ratio(cpu, pcpu), "<= 1", cpu <= pcpu)
	}
	if ("single" in reload) {
		target("reload under load: failed or tempfailed messages", reload["tempfail"] + reload["errors"], "= 0",
		    reload["tempfail"] + reload["errors"] == 0)
		target("reload under load: peak RSS / one engine under load", ratio(reload["peak"], reload["single"]), "<= 2.1",
		    reload["peak"] <= 2.1 * reload["single"])
	}
	# many sessions (issue 14, section 7): flat from 8 sessions up, and
	# not behind the peer, both on unix sockets.  Each level has its own
	# slice, and slices differ in cost (bare, with the same 2 threads at
	# c=8 and c=32, shows it), so flatness is clamgate's share of bare's
	# rate on the same slice, against that share at c=8
	cg = "cg-unix"; peer = "peer-unix"
	if ((cg, 64) in rate && (peer, 64) in rate) {
		for (c = 32; c <= 64; c *= 2) {
			f = ratio(ratio(rate[cg, c], rate["bare", c]), ratio(rate[cg, 8], rate["bare", 8]))
			target(cg " (msgs/s / bare's) at c=" c " / the same at c=8", f, ">= 0.95", f >= 0.95)
		}
		target(cg " msgs/s at c=32 / " peer, ratio(rate[cg, 32], rate[peer, 32]), ">= 1", rate[cg, 32] >= rate[peer, 32])
		target(cg " msgs/s at c=64 / " peer, ratio(rate[cg, 64], rate[peer, 64]), ">= 1", rate[cg, 64] >= rate[peer, 64])
		cpu = ratio(syscpu[cg], msgs[cg]); pcpu = ratio(syscpu[peer], msgs[peer])
		target(cg " CPU per message / " peer, ratio(cpu, pcpu), "<= 1", cpu <= pcpu)
		target(cg " failed or tempfailed messages", bad[cg], "= 0", bad[cg] == 0)
	}
	# the second MIME view (issue 18), on ordinary mail: the scan path's
	# throughput with the view against without it, message by message
	# in one process (viewcost: each message both ways back to back, so
	# the machine's noise falls on both alike); the daemons' rates with
	# and without it follow under "For information"
	if ("ratio" in view) {
		target("scan throughput with the MIME view / without (viewcost)", view["ratio"], ">= 0.9",
		    view["ratio"] >= 0.9)
		printf "%-58s %8.3f ms a message (%.1f%% of the scan), its part scans %.3f ms\n",
		    "  the view's GMime walk alone", view["walk_ms"], 100 * ratio(view["walk_ms"], view["scan_ms"]),
		    view["view_ms"] - view["walk_ms"]
		target("cg-noview failed or tempfailed messages", bad["cg-noview"], "= 0", bad["cg-noview"] == 0)
	}
	# the outbound gate (issue 13): clean inbound mail, every message
	# verifying its sender and recording a contact, against the same
	# daemon with the gate off, level by level
	cg = "cg-gate"
	if ((cg, 8) in rate && ("cg-unix", 8) in rate) {
		for (c = 1; c <= 8; c *= (c < 2 ? 2 : 4))
			target(cg " msgs/s at c=" c " / cg-unix (gate off)", ratio(rate[cg, c], rate["cg-unix", c]),
			    ">= 0.95", rate[cg, c] >= 0.95 * rate["cg-unix", c])
		target(cg " failed or tempfailed messages", bad[cg], "= 0", bad[cg] == 0)
		target(cg " verifications in its store / messages accepted", ratio(gate_rows, accepted[cg]), "= 1",
		    gate_rows == accepted[cg])
	}
	# the metrics (issue 15): every output on, the endpoint scraped every
	# second, against the same daemon with them off, over all five
	# levels (one level alone is within this machine's noise either way)
	cg = "cg-metrics"
	if ((cg, 8) in rate && ("cg-unix", 8) in rate) {
		mr = 0
		for (c = 1; c <= 64; c *= (c < 2 ? 2 : c < 32 ? 4 : 2)) mr += ratio(rate[cg, c], rate["cg-unix", c]) / 5
		target(cg " msgs/s / cg-unix (metrics off), mean of c=1..64", mr, ">= 0.95", mr >= 0.95)
		target(cg " failed or tempfailed messages", bad[cg], "= 0", bad[cg] == 0)
		target(cg " messages counted / messages sent", ratio(metrics_counted, msgs[cg]), "= 1",
		    metrics_counted == msgs[cg])
		printf "%-58s %d\n", "  scrapes answered during the run", metrics_scrapes
		printf "  cg-metrics / cg-unix at c=1, 2, 8, 32, 64:"
		for (c = 1; c <= 64; c *= (c < 2 ? 2 : c < 32 ? 4 : 2))
			printf " %.2f", ratio(rate[cg, c], rate["cg-unix", c])
		printf "\n"
	}
	printf "%d target(s) missed\n", missed
	if (("bare-b", 1) in rate) {
		printf "\nThe noise of this run: bare-b / bare, two identical systems, at c=1, 2, 8, 32, 64:"
		for (c = 1; c <= 64; c *= (c < 2 ? 2 : c < 32 ? 4 : 2))
			printf " %.2f", ratio(rate["bare-b", c], rate["bare", c])
		printf "\n"
	}
	if (("cg-noview", 8) in rate && ("cg-unix", 8) in rate) {
		printf "\nFor information, the daemon with the MIME view (cg-unix) / without (cg-noview), msgs/s:"
		for (c = 1; c <= 64; c *= (c < 2 ? 2 : c < 32 ? 4 : 2))
			printf " %.2f", ratio(rate["cg-unix", c], rate["cg-noview", c])
		printf " at c=1, 2, 8, 32, 64\n"
	}
	if (("cg-unix", 1) in rate && ("peer-unix", 1) in rate) {
		printf "\nFor information, both on unix sockets (the peer has no Nagle stall there):\n"
		for (c = 1; c <= 64; c *= (c < 2 ? 2 : c < 32 ? 4 : 2))
			printf "cg-unix / peer-unix msgs/s at c=%-2d %5.2f\n", c, ratio(rate["cg-unix", c], rate["peer-unix", c])
		for (c = 32; c <= 64; c *= 2)
			printf "cg-unix msgs/s at c=%d / its own c=8 %5.2f (bare: %.2f; other slices)\n", c,
			    ratio(rate["cg-unix", c], rate["cg-unix", 8]), ratio(rate["bare", c], rate["bare", 8])
		printf "cg-unix / peer-unix CPU per message %5.2f\n",
		    ratio(ratio(syscpu["cg-unix"], msgs["cg-unix"]), ratio(syscpu["peer-unix"], msgs["peer-unix"]))
	}
}
