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

# 4. Determinism: the same seed gives the same bytes.
run "$SRC/scenarios/web_example.ini" --set simulation.duration=4s --out "$TMP/d1"
run "$SRC/scenarios/web_example.ini" --set simulation.duration=4s --out "$TMP/d2"
cmp -s "$TMP/d1/summary.json" "$TMP/d2/summary.json" && cmp -s "$TMP/d1/responses.csv" "$TMP/d2/responses.csv" && ok || bad "determinism"

echo "web: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
