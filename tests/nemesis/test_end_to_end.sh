#!/bin/bash
# test_end_to_end.sh NEMSIM SRCDIR - the Nemesis host through the whole
# model (CPU and transmit scheduling, hub, Unix receivers), checked from
# the outside: the wire (pcap read by tshark and tcptrace) and summary.json.
set -u
NEMSIM=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
val() { # val FILE dotted.path
	/usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$1" "$2"
}
run() { "$NEMSIM" run "$@" --quiet || bad "run $*"; }

# 1. Figure 4 with an open window (NetBSD receiver): two frames per 50 ms
# period, each burst starting one period after the last, whatever the
# ACKs do.  Data frames are read off the wire at the sender's NIC.
run "$SRC/scenarios/fig4.ini" --set connection.c1.to=garuda \
	--set simulation.duration=12s --out "$TMP/f4"
tshark -r "$TMP/f4/nemesis.pcap" -Y "ip.src==10.0.0.1 && tcp.len>0" \
	-T fields -e frame.time_epoch 2>/dev/null >"$TMP/f4/data.txt"
/usr/bin/python3 - "$TMP/f4/data.txt" <<'PY' && ok || bad "Figure 4 pattern"
import sys
t = [float(x) for x in open(sys.argv[1])]
t = [x for x in t if x > 2.0]                  # after the start
bursts = []
for x in t:
    if bursts and x - bursts[-1][-1] < 0.005:  # back to back: same burst
        bursts[-1].append(x)
    else:
        bursts.append([x])
sizes = [len(b) for b in bursts]
two = sum(1 for s in sizes if s == 2) / len(sizes)
gaps = [b2[0] - b1[0] for b1, b2 in zip(bursts, bursts[1:])]
off = [abs(g - 0.050) for g in gaps]
print(f"bursts {len(sizes)}, share of 2-frame bursts {two:.3f}, "
      f"largest deviation of burst spacing from 50 ms {max(off)*1e6:.0f} us")
assert len(sizes) > 150
assert two >= 0.95 and set(sizes) <= {1, 2}
assert max(off) < 0.0015
PY

# 2. Nemesis to Linux at 100 Mb/s: every byte arrives once and intact;
# tshark finds nothing malformed; tcptrace agrees with summary.json.
run "$SRC/scenarios/perf_nemesis.ini" --set connection.tcp_send.bytes=20000000 \
	--set simulation.duration=8s --set simulation.warmup=0 --set output.pcap=linux \
	--out "$TMP/p"
[ "$(val "$TMP/p/summary.json" connections.tcp_send.bytes_delivered)" = 20000000 ] && ok ||
	bad "bytes delivered: $(val "$TMP/p/summary.json" connections.tcp_send.bytes_delivered)"
[ "$(val "$TMP/p/summary.json" connections.tcp_send.corrupt_bytes)" = 0 ] && ok || bad "corrupt bytes"
[ "$(val "$TMP/p/summary.json" hosts.linux.tcp.rcvoopack)" = 0 ] && ok ||
	bad "out-of-order segments on a loss-free LAN (the host reorders its output)"
n=$(tshark -r "$TMP/p/linux.pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
	-Y "_ws.malformed || _ws.expert.severity >= error || tcp.checksum.status==0 || ip.checksum.status==0" \
	2>/dev/null | wc -l)
[ "$n" -eq 0 ] && ok || bad "tshark: $n malformed or bad-checksum frames"
uniq=$(tcptrace -l "$TMP/p/linux.pcap" 2>/dev/null | awk '/unique bytes sent/ {print $4; exit}')
[ "$uniq" = 20000000 ] && ok || bad "tcptrace unique bytes $uniq"

# tcptrace's throughput of an unlimited 4 s transfer against ours.
run "$SRC/scenarios/perf_nemesis.ini" --set simulation.duration=4s \
	--set simulation.warmup=0 --set output.pcap=linux --out "$TMP/q"
ours=$(val "$TMP/q/summary.json" connections.tcp_send.throughput_mbps)
theirs=$(tcptrace -l "$TMP/q/linux.pcap" 2>/dev/null | awk '/throughput:/ {print $2; exit}')
/usr/bin/python3 -c "
import sys; o=float('$ours'); t=float('$theirs')*8/1e6
print(f'summary {o:.3f} Mb/s, tcptrace {t:.3f} Mb/s')
sys.exit(0 if abs(o-t) <= 0.02*o else 1)" && ok || bad "tcptrace throughput differs"

# 3. Receive buffers: with one posted buffer per connection the driver
# drops ACKs (counted) and the window never offers more than one segment.
run "$SRC/scenarios/table1.ini" --set host.nemesis.rx_buffers=1 \
	--set output.timeseq=s1 --set simulation.duration=3s --out "$TMP/rb"
d=$(val "$TMP/rb/summary.json" hosts.nemesis.rx_no_buffer)
[ "$d" -gt 0 ] && ok || bad "no receive-buffer drops counted ($d)"
maxwin=$(awk -F, '$2=="out" {if ($6>m) m=$6} END {print m+0}' "$TMP/rb/timeseq_s1.csv")
[ "$maxwin" -le 1460 ] && ok || bad "window $maxwin offered with one buffer"
run "$SRC/scenarios/table1.ini" --set simulation.duration=3s --out "$TMP/rb40"
[ "$(val "$TMP/rb40/summary.json" hosts.nemesis.rx_no_buffer)" = 0 ] && ok || bad "drops with 40 buffers"

# 4. Table 1's x = false senders never exceed what their transmit
# reservation carries in MTU frames (s/p of the link, 1460 of 1514
# bytes), and get at least half of it.
for c in s1 s2 s3; do
	/usr/bin/python3 -c "
import sys; o=$(val "$TMP/rb40/summary.json" connections.$c.throughput_mbps)
t=$(val "$TMP/rb40/summary.json" channels.$c.theory_payload_mbps)
print('$c', o, t); sys.exit(0 if 0.5*t <= o <= 1.005*t else 1)" && ok || bad "$c off its reservation"
done

# 5. The extra flag: c2 (x = true) gets more than its guarantee when the
# link is free; c1 (x = false) never more than its reservation.
run "$SRC/scenarios/fig5.ini" --set simulation.duration=9s --set simulation.warmup=5s --set connection.c3.active=false --out "$TMP/f5"
c2=$(val "$TMP/f5/summary.json" connections.c2.throughput_mbps)
g2=$(val "$TMP/f5/summary.json" channels.c2.theory_payload_mbps)
c1=$(val "$TMP/f5/summary.json" connections.c1.throughput_mbps)
g1=$(val "$TMP/f5/summary.json" channels.c1.theory_payload_mbps)
/usr/bin/python3 -c "import sys; sys.exit(0 if $c2 > 3*$g2 and $c1 <= 1.01*$g1 else 1)" && ok ||
	bad "extra flag: c2 $c2 (guarantee $g2), c1 $c1 (reservation $g1)"

# 6. Same seed, same bytes, through the whole model.
run "$SRC/scenarios/fig5.ini" --set simulation.duration=9s --set simulation.warmup=5s --set connection.c3.active=false --out "$TMP/f5b"
cmp -s "$TMP/f5/summary.json" "$TMP/f5b/summary.json" && ok || bad "fig5 not deterministic"
cmp -s "$TMP/f5/throughput.csv" "$TMP/f5b/throughput.csv" && ok || bad "fig5 throughput.csv differs"

# 7. A full-duplex link instead of the hub: no collisions, and the link
# reports both directions.
run "$SRC/scenarios/perf_nemesis.ini" --set link.lan.kind=duplex \
	--set simulation.duration=2s --out "$TMP/dx"
fr=$(val "$TMP/dx/summary.json" links.lan.a_to_b.frames)
col=$(val "$TMP/dx/summary.json" nics.nemesis.collisions)
[ "$fr" -gt 1000 ] && [ "$col" = 0 ] && ok || bad "duplex link: $fr frames, $col collisions"

# 8. A Linux 2.2 receiver ACKs every second full segment, also when RFC
# 1323 timestamps make full segments 12 bytes shorter than the MSS.
run "$SRC/scenarios/perf_linux.ini" --set host.sender.rfc1323=on --set host.linux.rfc1323=on \
	--set simulation.duration=2s --out "$TMP/lx"
/usr/bin/python3 -c "
import sys; a=$(val "$TMP/lx/summary.json" hosts.linux.tcp.sndacks); d=$(val "$TMP/lx/summary.json" hosts.sender.tcp.sndpack)
print('ACKs', a, 'data segments', d); sys.exit(0 if 0.45*d <= a <= 0.55*d else 1)" && ok || bad "Linux ACK ratio"

# 9. A Nemesis host as a bulk receiver (Linux 2.2 sender, full duplex):
# the stream arrives whole, through the receiving domain c1_rx; its CPU
# contract (x = false) holds, and when the receiver's CPU is what binds,
# the throughput follows the slice: the same per-packet work bought with
# twice the CPU time carries about twice the data (a little less than
# twice: the per-period overheads are the same).
cat >"$TMP/nrx.ini" <<'INI'
[simulation]
duration = 5s
warmup = 2s
[link.lan]
rate = 100Mb/s
kind = duplex
[host.linux]
kind = unix
link = lan
nic = de4x5
[host.nem]
kind = nemesis
link = lan
nic = de4x5
[connection.c1]
from = linux
to = nem
rx_cpu_qos = 10ms, ${slice}, false
[vars]
slice = 1ms
[output]
pcap = nem
INI
run "$TMP/nrx.ini" --out "$TMP/nrx1"
run "$TMP/nrx.ini" --set vars.slice=2ms --out "$TMP/nrx2"
/usr/bin/python3 - "$TMP/nrx1" "$TMP/nrx2" <<'PY' && ok || bad "Nemesis receiver"
import json, sys
a, b = (json.load(open(d + "/summary.json")) for d in sys.argv[1:])
for s, share in ((a, 0.1), (b, 0.2)):
    c = s["connections"]["c1"]
    d = s["domains"]["c1_rx"]
    assert c["corrupt_bytes"] == 0 and c["bytes_delivered"] > 10**6, c
    assert d["contracted_share"] <= share + 1e-6 and d["slack_share"] == 0, d
    assert d["wait_share"] > 0.2, d          # it wanted more than its slice
    assert s["hosts"]["nem"]["rx_no_filter"] == 0  # listening from time 0
    # and the verdict names the receiving domain
    assert c["limited_by"] == "receiver_cpu" and "c1_rx" in c["limited_reason"], c
ta = a["connections"]["c1"]["throughput_mbps"]
tb = b["connections"]["c1"]["throughput_mbps"]
print(f"Nemesis receiver: 1 ms slice {ta:.2f} Mb/s, 2 ms {tb:.2f} Mb/s")
assert 1.6 <= tb / ta <= 2.0, (ta, tb)
PY
if command -v tshark >/dev/null; then
	n=$(tshark -r "$TMP/nrx1/nem.pcap" -Y "_ws.malformed || _ws.expert.severity >= error" 2>/dev/null | wc -l)
	[ "$n" = 0 ] && ok || bad "Nemesis receiver capture: $n bad frames"
fi

echo "nemesis end to end: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
