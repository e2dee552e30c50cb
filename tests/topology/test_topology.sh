#!/bin/bash
# test_topology.sh NEMSIM - scenarios beyond one segment, end to end:
# TCP through two routers and a T1 line gets the line's rate less the
# headers; a BSD host offers MSS 512 to a peer behind a router; a
# Nemesis sender works behind a switch and behind a WAN; same seed, same
# bytes; tshark reads the switch and WAN captures cleanly.
set -u
NEMSIM=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
run() { "$NEMSIM" run "$TMP/$1.ini" --out "$TMP/$2" --quiet || { echo "FAIL: run $1"; fail=1; }; }
check() { # check OUT PYTHON-ASSERTIONS (s = summary)
	/usr/bin/python3 - "$TMP/$1/summary.json" "$2" <<'PY' || { echo "FAIL: $1"; fail=1; }
import json, sys
s = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
}

# lan (hub) - r1 - T1 - r2 - far (switch).  Linux 2.2 at both ends
# (RFC 1323 timestamps, MSS 1460 on- or off-link): 1448 bytes of data in
# a 1500-byte IP packet, 1508 bytes on the line with PPP framing, so TCP
# can get at most 1.544 x 1448 / 1508 = 1.48254 Mb/s.
wan() { # wan SENDER-KIND
	cat <<EOT
[simulation]
duration = 30s
warmup = 5s
[link.lan]
rate = 10Mb/s
[link.t1]
kind = wan
rate = 1.544Mb/s
delay = 10ms
[link.far]
kind = switch
rate = 10Mb/s
[host.a]
kind = $1
link = lan
[host.r1]
kind = router
links = lan, t1
[host.r2]
kind = router
links = t1, far
[host.b]
kind = unix
link = far
[connection.c1]
from = a
to = b
[output]
pcap = t1, far
EOT
}
wan unix >"$TMP/t1.ini"
run t1 t1
run t1 t1again
check t1 '
bound = 1.544 * 1448 / 1508
t = s["connections"]["c1"]["throughput_mbps"]
# (a segment more or less at the window'"'"'s edges: 1448 x 8 / 25 s)
assert 0.98 * bound <= t <= bound + 2 * 1448 * 8 / 25e6, (t, bound)
assert s["hosts"]["r1"]["ip"]["forward"] > 0
assert s["hosts"]["r2"]["ip"]["noroute"] == 0
'
for f in summary.json t1.pcap far.pcap; do
	cmp -s "$TMP/t1/$f" "$TMP/t1again/$f" || { echo "FAIL: $f differs between two runs of one seed"; fail=1; }
done
if command -v tshark >/dev/null; then
	for f in t1 far; do
		n=$(tshark -r "$TMP/t1/$f.pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
			2>/dev/null | grep -ciE 'malformed|bad|incorrect')
		m=$(tshark -r "$TMP/t1/$f.pcap" 2>/dev/null | wc -l)
		[ "$n" -eq 0 ] && [ "$m" -gt 100 ] || { echo "FAIL: tshark on $f.pcap: $n bad of $m"; fail=1; }
	done
	# Routed twice before the capture at far: TTL 64 - 2.
	ttl=$(tshark -r "$TMP/t1/far.pcap" -Y 'ip.src == 10.0.0.1' -T fields -e ip.ttl 2>/dev/null | sort -u)
	[ "$ttl" = 62 ] || { echo "FAIL: TTL at far is $ttl, want 62"; fail=1; }
fi

# The Nemesis sender behind the T1: InetMod is 4.4BSD, whose
# in_localaddr counts every subnet of net 10 as local (subnetsarelocal,
# on by default): full segments, 1.544 x 1448 / 1508 as for Linux.
wan nemesis >"$TMP/t1n.ini"
run t1n t1n
check t1n '
bound = 1.544 * 1448 / 1508
t = s["connections"]["c1"]["throughput_mbps"]
assert 0.98 * bound <= t <= bound + 2 * 1448 * 8 / 25e6, (t, bound)
'
# With subnets_are_local = false the peer behind the router is not local:
# tcp_mss clamps to 512 with timestamps: 500 bytes of data in a 552-byte
# packet, 560 on the line: 1.544 x 500 / 560 = 1.37857 Mb/s at most.
wan nemesis | sed 's/^kind = nemesis$/kind = nemesis\nsubnets_are_local = false/' >"$TMP/t1n512.ini"
run t1n512 t1n512
check t1n512 '
bound = 1.544 * 500 / 560
t = s["connections"]["c1"]["throughput_mbps"]
assert 0.98 * bound <= t <= bound + 2 * 500 * 8 / 25e6, (t, bound)
'

# A 4.4BSD receiver behind a router offers 1460 (its network's subnets
# are local), and 512 with subnets_are_local = false (tcp_mss).
wan unix | sed 's/^kind = unix$/kind = unix\npersonality = bsd44/' >"$TMP/bsd.ini"
run bsd bsd
wan unix | sed 's/^kind = unix$/kind = unix\npersonality = bsd44\nsubnets_are_local = false/' >"$TMP/bsd512.ini"
run bsd512 bsd512
if command -v tshark >/dev/null; then
	mss=$(tshark -r "$TMP/bsd/far.pcap" -Y 'tcp.flags.syn == 1' -T fields -e tcp.options.mss_val 2>/dev/null | sort -u)
	[ "$mss" = 1460 ] || { echo "FAIL: BSD SYNs offer MSS $mss, want 1460"; fail=1; }
	mss=$(tshark -r "$TMP/bsd512/far.pcap" -Y 'tcp.flags.syn == 1' -T fields -e tcp.options.mss_val 2>/dev/null | sort -u)
	[ "$mss" = 512 ] || { echo "FAIL: BSD SYNs offer MSS $mss with subnets_are_local = false, want 512"; fail=1; }
fi

# Nemesis sender and Unix receiver on a 100 Mb/s switch; and a
# store-and-forward path for three pairs at once: none collides.
cat >"$TMP/sw.ini" <<'EOT'
[simulation]
duration = 5s
warmup = 2s
[link.lan]
kind = switch
rate = 100Mb/s
[host.n]
kind = nemesis
link = lan
[host.u]
kind = unix
link = lan
[connection.c1]
from = n
to = u
[output]
pcap = lan
EOT
run sw sw
check sw '
t = s["connections"]["c1"]["throughput_mbps"]
assert t > 20, t
assert s["nics"]["n"]["collisions"] == 0
assert s["links"]["lan"]["ports"]["u"]["frames_out"] == s["nics"]["u"]["frames_received"]
'
exit $fail
