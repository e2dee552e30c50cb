#!/bin/bash
# test_web.sh NEMSIM SRCDIR - web servers and clients through the program:
# a single request's response time computed by hand from the frames on
# an idle hub; request/response bytes exact and every request accounted
# for; timeouts; a premium site's isolation from a best-effort site.
set -u
NEMSIM=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
run() { "$NEMSIM" run "$@" --quiet || bad "run $*"; }

# 1. One request at a time, ideal CPUs, 4.4BSD TCP without RFC 1323 (the
# SYN carries only the MSS option): the response time is the critical
# path of frames on the wire, by hand (802.3 at 100 Mb/s: 80 ns a byte,
# 8 bytes of preamble, frames padded to 64 bytes with the FCS; every
# sender defers 96 bit times after the carrier it saw; path = cable 10 m
# at 5.56 ns/m, in whole ns as simulated time is, twice, plus the hub's
# repeater delay of 46 bit times, models/ethernet/eth_hub.c):
#   SYN, SYN-ACK, ACK (58, 58, 54 bytes + FCS -> 64), the request right
#   behind the ACK (300 bytes + 54 of headers), the response (1000 + 54);
#   each of SYN-ACK, request (after the ACK) and response waits one gap
#   after the frame before it, and the ACK one after the SYN-ACK: 4 gaps;
#   4 paths (SYN, SYN-ACK, ACK+request, response).
run "$SRC/tests/web/single.ini" --out "$TMP/single"
/usr/bin/python3 - "$TMP/single" <<'PY' && ok || bad "single request by hand"
import csv, json, sys
d = sys.argv[1]
def wire(n):                       # ns for a frame of n bytes before FCS
    return (8 + max(n + 4, 64)) * 8 * 10
path = 2 * round(10 * 5.56) + 46 * 10
gap = 96 * 10
expect = 3 * wire(58) + wire(354) + wire(1054) + 4 * gap + 4 * path
rows = list(csv.DictReader(open(d + "/responses.csv")))
done = [r for r in rows if r["outcome"] == "completed"]
got = sorted({round(float(r["response_time_s"]) * 1e9) for r in done})
print(f"by hand {expect} ns; simulated {got} over {len(done)} requests")
assert len(done) >= 10 and got == [expect]
c = json.load(open(d + "/summary.json"))["clients"]["c"]
assert c["corrupt_bytes"] == 0 and c["bytes_received"] == 1000 * c["completed"]
s = json.load(open(d + "/summary.json"))["servers"]["www"]
assert s["corrupt_request_bytes"] == 0 and s["request_bytes"] == 300 * s["requests"]
PY

# 2. Accounting under overload, SURGE sizes, timeouts: issued = completed
# + failed + timed_out + outstanding for every customer, no corrupt byte;
# the overloaded best-effort site times requests out.  Persistent
# connections: the same balance, and fewer connections than requests.
run "$SRC/scenarios/web_example.ini" --set vars.be_rate=200 --set clients.besteffort_users.timeout=2s \
	--set simulation.duration=8s --out "$TMP/over"
run "$SRC/scenarios/web_example.ini" --set server.premium.persistent=true \
	--set clients.premium_users.persistent=true --set simulation.duration=8s --out "$TMP/pers"
/usr/bin/python3 - "$TMP/over" "$TMP/pers" <<'PY' && ok || bad "accounting"
import csv, json, sys
for d in sys.argv[1:]:
    s = json.load(open(d + "/summary.json"))
    rows = list(csv.DictReader(open(d + "/responses.csv")))
    for name, c in s["clients"].items():
        assert c["issued"] == c["completed"] + c["failed"] + c["timed_out"] + c["outstanding"], (d, name)
        assert c["corrupt_bytes"] == 0, (d, name)
        mine = [r for r in rows if r["customer"] == name]
        assert len(mine) == c["issued"], (d, name, len(mine))
        for o in ("completed", "timed_out", "outstanding"):
            assert sum(r["outcome"] == o for r in mine) == c[o], (d, name, o)
    for name, v in s["servers"].items():
        assert v["corrupt_request_bytes"] == 0
        # a site's account: its domain's window in four parts
        a = v["account"]
        total = a["ran_contracted"] + a["ran_slack"] + a["waiting_runnable"] + a["blocked"]
        assert abs(total - 1) < 1e-6, (d, name, a)
        assert abs(a["ran_contracted"] - s["domains"][name]["contracted_share"]) < 1e-9
over = json.load(open(sys.argv[1] + "/summary.json"))
assert over["clients"]["besteffort_users"]["timed_out"] > 0
pers = json.load(open(sys.argv[2] + "/summary.json"))
assert pers["servers"]["premium"]["accepted"] < pers["servers"]["premium"]["requests"] / 10
print("balanced; best effort timed out",
      over["clients"]["besteffort_users"]["timed_out"])
PY

# 3. Isolation: the premium site (40% of the CPU without slack, 40% of
# the link), the driver and the flow manager reserved, while its
# best-effort neighbour's clients go from 10 to 100 requests per second.
# What premium shares is the hub (its utilization goes from about 30% to
# 50%: more deferrals and collisions) and the driver's TX thread, so its
# p99 may grow a little: by less than 25%, with no premium request timed
# out, while the best-effort site's p99 grows more than tenfold.
for r in 10 100; do
	run "$SRC/scenarios/web_example.ini" --set vars.be_rate=$r --out "$TMP/iso$r"
done
/usr/bin/python3 - "$TMP/iso10" "$TMP/iso100" <<'PY' && ok || bad "isolation"
import json, sys
lo, hi = (json.load(open(d + "/summary.json"))["clients"] for d in sys.argv[1:])
p, b = "premium_users", "besteffort_users"
print(f"premium p99 {lo[p]['response_time_p99_s']:.3f} -> {hi[p]['response_time_p99_s']:.3f} s; "
      f"best effort {lo[b]['response_time_p99_s']:.3f} -> {hi[b]['response_time_p99_s']:.3f} s")
assert hi[p]["response_time_p99_s"] < 1.25 * lo[p]["response_time_p99_s"]
assert hi[p]["timed_out"] == 0 and hi[p]["failed"] == 0
assert hi[b]["response_time_p99_s"] > 10 * lo[b]["response_time_p99_s"]
PY

# 3b. The capture at the server: tshark reads it without a malformed
# frame or an error, and it shows the requests: one 300-byte segment
# (not a retransmission) from a client to port 80 or 8080 per request the
# servers read, plus at most one per connection still open at the end
# (arrived, not yet read).
run "$SRC/scenarios/web_example.ini" --set simulation.duration=3s --set simulation.warmup=1s \
	--set output.pcap=nemesis --out "$TMP/cap"
if command -v tshark >/dev/null; then
	bad_frames=$(tshark -r "$TMP/cap/nemesis.pcap" -Y "_ws.malformed || _ws.expert.severity >= error" 2>/dev/null | wc -l)
	reqs=$(tshark -r "$TMP/cap/nemesis.pcap" -Y "(tcp.dstport == 80 || tcp.dstport == 8080) && tcp.len == 300 && !tcp.analysis.retransmission" 2>/dev/null | wc -l)
	/usr/bin/python3 - "$TMP/cap" "$bad_frames" "$reqs" <<'PY' && ok || bad "capture"
import json, sys
d, bad, reqs = sys.argv[1], *map(int, sys.argv[2:])
s = json.load(open(d + "/summary.json"))["servers"]
want = sum(v["requests"] for v in s.values())
slack = sum(v["open_at_end"] for v in s.values())
print(f"capture: {reqs} request segments, servers read {want} ({slack} connections open at the end); {bad} bad frames")
assert bad == 0 and want > 0 and want <= reqs <= want + slack
PY
fi

# 3c. An interactive run ends with a line per customer: what its
# requests got, as summary.json has it.
NEMSIM_EXPLAIN=1 "$NEMSIM" run "$SRC/scenarios/web_example.ini" --set simulation.duration=3s \
	--set simulation.warmup=1s --out "$TMP/said" 2>"$TMP/said.txt" >/dev/null
/usr/bin/python3 - "$TMP/said" "$TMP/said.txt" <<'PY' && ok || bad "printed customers"
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))["clients"]
text = open(sys.argv[2]).read()
for name, c in s.items():
    line = [l for l in text.splitlines() if l.strip().startswith(name + ":")]
    assert len(line) == 1, (name, text)
    assert f"{c['completed_in_window']} requests completed" in line[0], line
    assert f"{c['timed_out']} timed out" in line[0], line
PY

# 3d. flowman_qos is the flow manager's contract: with extra time it runs
# in slack as well; without, never more than its slice (10 us per 2 ms:
# 0.5% of the CPU), however many connections the sites accept.
for x in true false; do
	run "$SRC/scenarios/web_example.ini" --set simulation.duration=4s --set vars.be_rate=100 \
		--set "host.nemesis.flowman_qos=2ms, 10us, $x" --out "$TMP/fm$x"
done
/usr/bin/python3 - "$TMP/fmtrue" "$TMP/fmfalse" <<'PY' && ok || bad "flowman_qos"
import json, sys
x, nx = (json.load(open(d + "/summary.json"))["domains"]["nemesis_flowman"] for d in sys.argv[1:])
assert x["slack_share"] > 0, x
assert nx["slack_share"] == 0 and nx["cpu_share"] <= 0.005 + 1e-9, nx
PY

# 4. Determinism: the same seed gives the same bytes.
run "$SRC/scenarios/web_example.ini" --set simulation.duration=4s --out "$TMP/d1"
run "$SRC/scenarios/web_example.ini" --set simulation.duration=4s --out "$TMP/d2"
cmp -s "$TMP/d1/summary.json" "$TMP/d2/summary.json" && cmp -s "$TMP/d1/responses.csv" "$TMP/d2/responses.csv" && ok || bad "determinism"

# 5. Arrivals from a trace ([clients] trace = FILE, relative to the
# scenario file that names it): exactly the trace's requests, at its
# times, with its sizes.  The run goes from another folder, so the path
# must be taken from the scenario's folder, not the current one.
mkdir -p "$TMP/tr/data" "$TMP/elsewhere"
sed -e 's/^rate = 1$/trace = data\/arrivals.csv/' -e '/^size = 1000$/d' \
	"$SRC/tests/web/single.ini" >"$TMP/tr/trace.ini"
printf 'time_s,size_bytes\n0.5,1000\n1.25,20000\n# a comment\n3,7\n' >"$TMP/tr/data/arrivals.csv"
(cd "$TMP/elsewhere" && "$NEMSIM" run ../tr/trace.ini --out "$TMP/t1" --quiet) || bad "trace run"
/usr/bin/python3 - "$TMP/t1" <<'PY' && ok || bad "trace: the requests of the trace"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/responses.csv")))
got = [(float(r["start_s"]), int(r["bytes"]), r["outcome"]) for r in rows]
print("trace:", got)
assert got == [(0.5, 1000, "completed"), (1.25, 20000, "completed"), (3.0, 7, "completed")]
PY
# The trace's content is part of the scenario's SHA-256: a changed trace
# is another run (the same trace, the same SHA).
sha() { sed -n 's/.*"scenario_sha256": "\([0-9a-f]*\)".*/\1/p' "$1/summary.json"; }
run "$TMP/tr/trace.ini" --out "$TMP/t2"
[ -n "$(sha "$TMP/t1")" ] && [ "$(sha "$TMP/t1")" = "$(sha "$TMP/t2")" ] && ok || bad "trace: same trace, different SHA"
printf 'time_s,size_bytes\n0.5,1000\n1.25,20000\n3,8\n' >"$TMP/tr/data/arrivals.csv"
run "$TMP/tr/trace.ini" --out "$TMP/t3"
[ "$(sha "$TMP/t1")" != "$(sha "$TMP/t3")" ] && ok || bad "trace: changed trace, same SHA"
# In a sweep: a point run with the old trace is stale and runs again; an
# unchanged trace leaves finished points alone.
printf '\n[sweep]\nsimulation.seed = 1; 2\n' >>"$TMP/tr/trace.ini"
"$NEMSIM" sweep "$TMP/tr/trace.ini" --out "$TMP/tsw" --quiet || bad "trace sweep"
touch -d '2000-01-01' "$TMP/tsw/points/0000/summary.json"
"$NEMSIM" sweep "$TMP/tr/trace.ini" --out "$TMP/tsw" --quiet || bad "trace sweep again"
[ "$(stat -c %Y "$TMP/tsw/points/0000/summary.json")" -lt 1000000000 ] && ok || bad "trace sweep: an unchanged point ran again"
printf 'time_s,size_bytes\n0.5,1000\n1.25,20000\n3,9\n' >"$TMP/tr/data/arrivals.csv"
"$NEMSIM" sweep "$TMP/tr/trace.ini" --out "$TMP/tsw" --quiet || bad "trace sweep after the change"
[ "$(stat -c %Y "$TMP/tsw/points/0000/summary.json")" -gt 1000000000 ] && ok || bad "trace sweep: a point of the old trace was not run again"
grep -q ',9,completed$' "$TMP/tsw/points/0000/responses.csv" && ok || bad "trace sweep: the point did not use the new trace"

echo "web: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
