#!/bin/bash
# test_sources.sh NEMSIM - raw sources through the program (issue 16):
# several sources on one station each count their own frames and share
# the ring; a per-frame host overhead paces a host below the wire's rate.
set -u
NEMSIM=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
base() {
	printf '[simulation]\nduration = 2s\n[link.hub]\nrate = 10Mb/s\n'
	printf '[host.a]\nkind = station\nlink = hub\n[host.b]\nkind = station\nlink = hub\n'
}
check() { # check NAME PYTHON-ASSERTIONS (s = summary)
	/usr/bin/python3 - "$TMP/$1/summary.json" "$2" <<'PY' || { echo "FAIL: $1"; fail=1; }
import json, sys
s = json.load(open(sys.argv[1]))
src, nic = s["sources"], s["nics"]
exec(sys.argv[2])
PY
}
run() { "$NEMSIM" run "$TMP/$1.ini" --out "$TMP/$1" --quiet || { echo "FAIL: run $1"; fail=1; }; }

# Two Poisson sources on one station, light load: each is counted for
# its own frames (before, the last one took every transmit-done).
{ base; printf '[source.small]\nhost = a\nto = b\nframe_bytes = 64\nmode = poisson\nrate = 1Mb/s\n'
  printf '[source.big]\nhost = a\nto = b\nframe_bytes = 1518\nmode = poisson\nrate = 3Mb/s\n'; } >"$TMP/mix.ini"
run mix
check mix '
for n in ("small", "big"):
    assert src[n]["sent"] + src[n]["failed"] == src[n]["queued"] or src[n]["queued"] - src[n]["sent"] <= 32, (n, src[n])
    assert src[n]["sent"] > 0.95 * src[n]["offered"], (n, src[n])
assert src["small"]["sent"] + src["big"]["sent"] == nic["a"]["frames_sent"], (src, nic["a"])
assert nic["b"]["bytes_received"] > 0
'
# Two saturating sources on one station share its ring frame by frame.
{ base; printf '[source.t]\nhost = b\nto = a\n[source.u]\nhost = b\nto = a\n'; } >"$TMP/two.ini"
run two
check two '
t, u = src["t"]["sent"], src["u"]["sent"]
assert abs(t - u) <= 1, (t, u)
assert t + u == nic["b"]["frames_sent"]
'
# Host overhead: a saturating source of 64-byte frames (67.2 us on the
# wire with preamble and gap) whose host needs 100 us per frame sends one
# frame per 100 us: 20000 in 2 s (the last may still be in the host).
{ base; printf '[source.s]\nhost = a\nto = b\nframe_bytes = 64\nhost_overhead = 100us\n'; } >"$TMP/ho.ini"
run ho
check ho '
n = src["s"]["sent"]
assert 19998 <= n <= 20000, n
'
# Without it the same source fills the wire: 2 s / 67.2 us = 29761.
{ base; printf '[source.s]\nhost = a\nto = b\nframe_bytes = 64\n'; } >"$TMP/noho.ini"
run noho
check noho '
n = src["s"]["sent"]
assert 29750 <= n <= 29762, n
'
# Poisson arrivals faster than the host can prepare them wait in the
# host (not dropped): offered counts what the host prepared.
{ base; printf '[source.p]\nhost = a\nto = b\nframe_bytes = 64\nmode = poisson\nrate = 2Mb/s\nhost_overhead = 500us\n'; } >"$TMP/hp.ini"
run hp
check hp '
n = src["p"]["sent"]
assert 3990 <= n <= 4000, n
assert src["p"]["dropped"] == 0
'
[ "$fail" -eq 0 ] && echo "sources: 5 scenarios passed"
exit $fail
