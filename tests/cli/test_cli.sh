#!/bin/bash
# test_cli.sh NEMSIM SRCDIR - the command line, end to end.
#
# The bad-input catalogue (tests/bad_input/*.ini, each with an
# "# expect: MESSAGE" first line): every file must be refused by
# `nemsim check` and by `nemsim run` (or `nemsim sweep` for sweep_*)
# with exit status 2, the expected message, and no result in --out.
# Then: command-line errors, --help/--version, determinism of
# summary.json, and sweeps (parallel, resumable, emit-commands + merge).
set -u
NEMSIM=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_status WANT NAME CMD... ; stderr kept in $TMP/err
expect_status() {
	local want=$1 name=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit status $got, want $want; stderr: $(cat "$TMP/err")"
		return 1
	fi
	return 0
}

expect_msg() {
	local name=$1 msg=$2
	if grep -qF -- "$msg" "$TMP/err"; then ok; else
		bad "$name: message lacks \"$msg\": $(cat "$TMP/err")"
	fi
}

no_result() {
	local name=$1 dir=$2
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		bad "$name: --out holds something: $(ls -A "$dir")"
	else ok; fi
}

# ---- The bad-input catalogue -------------------------------------------
n=0
for f in "$SRC"/tests/bad_input/*.ini; do
	name=$(basename "$f" .ini)
	msg=$(sed -n '1s/^# expect: //p' "$f")
	[ -n "$msg" ] || { bad "$name: no '# expect:' line"; continue; }
	n=$((n + 1))
	expect_status 2 "check $name" "$NEMSIM" check "$f" && expect_msg "check $name" "$msg"
	out="$TMP/out-$name"
	case $name in
	sweep_*) cmd=sweep ;;
	*) cmd=run ;;
	esac
	expect_status 2 "$cmd $name" "$NEMSIM" $cmd "$f" --out "$out" &&
		expect_msg "$cmd $name" "$msg"
	no_result "$cmd $name" "$out"
done
[ "$n" -ge 25 ] && ok || bad "bad-input catalogue has only $n files"

# ---- Command-line errors ------------------------------------------------
base="$SRC/tests/bad_input/base/lan.ini"
empty="$TMP/empty.ini"
printf '[scenario]\ndescription = nothing but time\n[simulation]\nduration = 2s\n' >"$empty"

expect_status 2 "no command" "$NEMSIM" && ok
expect_status 2 "unknown command" "$NEMSIM" frobnicate x.ini && expect_msg "unknown command" 'unknown command "frobnicate"'
expect_status 2 "run without file" "$NEMSIM" run && expect_msg "run without file" "expected one scenario file"
expect_status 2 "unknown option" "$NEMSIM" run "$empty" --colour && expect_msg "unknown option" "Unknown option --colour"
expect_status 2 "bad --set" "$NEMSIM" run "$empty" --set duration=1s --out "$TMP/o-set" &&
	expect_msg "bad --set" "expected group.key=value"
no_result "bad --set" "$TMP/o-set"
expect_status 2 "--set unknown key" "$NEMSIM" run "$empty" --set simulation.length=1s --out "$TMP/o-set2" &&
	expect_msg "--set unknown key" "(--set simulation.length): [simulation] length: unknown key"
no_result "--set unknown key" "$TMP/o-set2"
expect_status 2 "missing file" "$NEMSIM" run "$TMP/nothere.ini" --out "$TMP/o-miss" &&
	expect_msg "missing file" "cannot read scenario $TMP/nothere.ini"
no_result "missing file" "$TMP/o-miss"
expect_status 2 "negative seed" "$NEMSIM" run "$empty" --seed -5 && expect_msg "negative seed" "--seed must not be negative"
expect_status 2 "sweep without [sweep]" "$NEMSIM" sweep "$empty" --out "$TMP/o-nosweep" &&
	expect_msg "sweep without [sweep]" "has no swept keys"
# What the models cannot build is refused at build time, with exit 2.
expect_status 2 "receiving QoS on a unix receiver" "$NEMSIM" run "$base" --set connection.c1.from=nem --set connection.c1.to=kay \
	--set "connection.c1.rx_cpu_qos=10ms, 1ms, false" --out "$TMP/o-nemrx" &&
	expect_msg "receiving QoS on a unix receiver" "rx_cpu_qos: the receiving domain's QoS is for a Nemesis receiver"
no_result "receiving QoS on a unix receiver" "$TMP/o-nemrx"
expect_status 2 "unix sender with tx_qos" "$NEMSIM" run "$base" --set connection.c1.from=kay \
	--set host.kay2.kind=unix --set host.kay2.link=lan --set connection.c1.to=kay2 \
	--set "connection.c1.tx_qos=10ms,1ms,false" --out "$TMP/o-uxq" &&
	expect_msg "unix sender with tx_qos" "reservations apply to Nemesis senders only"
no_result "unix sender with tx_qos" "$TMP/o-uxq"
expect_status 2 "domain on unix host" "$NEMSIM" run "$base" --set domain.d.host=kay \
	--set "domain.d.cpu_qos=10ms,1ms,false" --out "$TMP/o-udom" &&
	expect_msg "domain on unix host" "domains run on Nemesis hosts"

expect_status 0 "--version" "$NEMSIM" --version && { grep -q '^nemsim [0-9]' "$TMP/out" && ok || bad "--version output"; }
for c in run sweep merge check; do
	expect_status 0 "$c --help" "$NEMSIM" $c --help && { grep -q "nemsim $c" "$TMP/out" && ok || bad "$c --help output"; }
done
expect_status 0 "keys" "$NEMSIM" keys && { grep -q 'tx_qos' "$TMP/out" && ok || bad "keys lists no tx_qos"; }

# ---- nemsim tcptest: pass 0, mismatch 1, unsupported 2 ---------------------
scripts="$SRC/tests/tcp_bsd/scripts"
expect_status 0 "tcptest pass" "$NEMSIM" tcptest "$scripts/nagle.pkt" && ok
expect_status 1 "tcptest mismatch" "$NEMSIM" tcptest "$scripts/unsupported_sack.pkt" && ok
expect_status 2 "tcptest unsupported" "$NEMSIM" tcptest "$scripts/unsupported_poll.pkt" &&
	expect_msg "tcptest unsupported" "unsupported: "
expect_status 2 "tcptest missing" "$NEMSIM" tcptest "$TMP/nothere.pkt" && ok

# ---- A run writes summary.json and perf.json; same inputs, same bytes ----
expect_status 0 "run empty" "$NEMSIM" run "$empty" --out "$TMP/r1" --quiet && ok
expect_status 0 "run empty again" "$NEMSIM" run "$empty" --out "$TMP/r2" --quiet && ok
cmp -s "$TMP/r1/summary.json" "$TMP/r2/summary.json" && ok || bad "summary.json differs between identical runs"
grep -q '"simulated_s": 2' "$TMP/r1/summary.json" && ok || bad "summary lacks simulated_s"
grep -q '"wall_s"' "$TMP/r1/perf.json" && ok || bad "perf.json lacks wall_s"
grep -q 'wall' "$TMP/r1/summary.json" && bad "summary.json holds machine-dependent wall time" || ok
ls -a "$TMP/r1" | grep -q partial && bad "staging folder left behind" || ok
expect_status 0 "run seed 9" "$NEMSIM" run "$empty" --seed 9 --out "$TMP/r3" --quiet && ok
grep -q '"seed": 9' "$TMP/r3/summary.json" && ok || bad "--seed not applied"

# A whole TCP run, twice: summary.json and the capture are byte-identical,
# and tshark reads the capture with no malformed frame or bad checksum.
for k in 1 2; do
	expect_status 0 "tcp run $k" "$NEMSIM" run "$base" --set connection.c1.from=nem \
		--set connection.c1.to=kay --set "connection.c1.tx_qos=50ms,2.4ms,false" \
		--set output.pcap=nem --set simulation.duration=3s --out "$TMP/t$k" --quiet && ok
done
cmp -s "$TMP/t1/summary.json" "$TMP/t2/summary.json" && ok || bad "TCP run summary.json differs"
cmp -s "$TMP/t1/nem.pcap" "$TMP/t2/nem.pcap" && ok || bad "TCP run pcap differs"
cmp -s "$TMP/t1/throughput.csv" "$TMP/t2/throughput.csv" && ok || bad "throughput.csv differs"
if command -v tshark >/dev/null; then
	n=$(tshark -r "$TMP/t1/nem.pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-Y "_ws.malformed || tcp.checksum.status==0 || ip.checksum.status==0" 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] && ok || bad "tshark finds $n bad frames"
	m=$(tshark -r "$TMP/t1/nem.pcap" 2>/dev/null | wc -l)
	[ "$m" -gt 100 ] && ok || bad "capture has only $m frames"
else
	bad "tshark missing"
fi
# RFC 1323 options are switchable per host.
for v in on off; do
	expect_status 0 "rfc1323 $v" "$NEMSIM" run "$base" --set connection.c1.from=nem \
		--set connection.c1.to=kay --set host.nem.rfc1323=$v --set host.kay.rfc1323=$v \
		--set output.pcap=nem --set simulation.duration=1s --out "$TMP/rfc$v" --quiet && ok
done
if command -v tshark >/dev/null; then
	non=$(tshark -r "$TMP/rfcon/nem.pcap" -Y "tcp.options.timestamp.tsval" 2>/dev/null | wc -l)
	noff=$(tshark -r "$TMP/rfcoff/nem.pcap" -Y "tcp.options.timestamp.tsval || tcp.options.wscale.shift" 2>/dev/null | wc -l)
	[ "$non" -gt 10 ] && [ "$noff" -eq 0 ] && ok || bad "rfc1323: $non timestamped frames when on, $noff options when off"
fi

# Nemesis event delivery: deferred (the default) holds the driver's wake-ups
# of the application until the driver is descheduled; immediate lets them
# preempt it.  The counter says which ran, and the runs differ.
for v in deferred immediate; do
	expect_status 0 "events $v" "$NEMSIM" run "$base" --set connection.c1.from=nem \
		--set connection.c1.to=kay --set host.nem.events=$v \
		--set simulation.duration=1s --out "$TMP/ev$v" --quiet && ok
done
dfe=$(grep -o '"deferred_events": [0-9]*' "$TMP/evdeferred/summary.json" | grep -o '[0-9]*$')
ime=$(grep -o '"deferred_events": [0-9]*' "$TMP/evimmediate/summary.json" | grep -o '[0-9]*$')
[ "${dfe:-0}" -gt 0 ] && [ "${ime:-1}" -eq 0 ] && ok || bad "events: $dfe deferred wake-ups when deferred, $ime when immediate"

# Different seeds give different runs: a SunOS receiver's delayed ACKs
# follow its 200 ms tick, whose phase is drawn from the seed.
for k in 1 2; do
	expect_status 0 "sunos seed $k" "$NEMSIM" run "$base" --set connection.c1.from=nem \
		--set connection.c1.to=kay --set host.kay.personality=sunos41 \
		--set output.pcap=nem --set simulation.duration=3s --seed $k --out "$TMP/u$k" --quiet && ok
done
cmp -s "$TMP/u1/nem.pcap" "$TMP/u2/nem.pcap" && bad "seed 2 gave the same capture as seed 1" || ok

# Every scenario shipped in scenarios/ passes check.
for s in "$SRC"/scenarios/*.ini; do
	[ -e "$s" ] || continue
	expect_status 0 "check $(basename "$s")" "$NEMSIM" check "$s" && ok
done

# ---- Sweeps ---------------------------------------------------------------
sw="$TMP/sweep.ini"
cat >"$sw" <<'INI'
[simulation]
duration = 1s
[vars]
len = 1s
[sweep]
len = 1s to 4s step 1s
simulation.seed = 1; 2
columns = simulated=sim.simulated_s; seed=sim.seed
INI
sed -i 's/^duration = 1s/duration = ${len}/' "$sw"
expect_status 0 "sweep jobs 2" "$NEMSIM" sweep "$sw" --jobs 2 --out "$TMP/s2" --quiet && ok
expect_status 0 "sweep jobs 1" "$NEMSIM" sweep "$sw" --jobs 1 --out "$TMP/s1" --quiet && ok
cmp -s "$TMP/s1/sweep.csv" "$TMP/s2/sweep.csv" && ok || bad "sweep.csv differs between --jobs 1 and 2"
[ "$(wc -l <"$TMP/s2/sweep.csv")" -eq 9 ] && ok || bad "sweep.csv should have 8 points + header"
# A swept time is also given in seconds (len_s); the seed is a number.
head -1 "$TMP/s2/sweep.csv" | grep -qx 'point,len,len_s,simulation.seed,simulated,seed' && ok || bad "sweep.csv header: $(head -1 "$TMP/s2/sweep.csv")"
grep -qx '7,4s,4,2,4,2' "$TMP/s2/sweep.csv" && ok || bad "last row: $(tail -1 "$TMP/s2/sweep.csv")"
grep -q '"si_columns": {"len": "len_s"}' "$TMP/s2/sweep.json" && ok || bad "sweep.json: $(cat "$TMP/s2/sweep.json")"
# Resume: remove one point; only that one runs again.
rm -rf "$TMP/s2/points/0003"
touch -d '2000-01-01' "$TMP/s2/points/0000/summary.json"
expect_status 0 "sweep resume" "$NEMSIM" sweep "$sw" --jobs 2 --out "$TMP/s2" --quiet && ok
[ -e "$TMP/s2/points/0003/summary.json" ] && ok || bad "resume did not rerun the missing point"
[ "$(stat -c %Y "$TMP/s2/points/0000/summary.json")" -lt 1000000000 ] && ok || bad "resume reran a finished point"
cmp -s "$TMP/s1/sweep.csv" "$TMP/s2/sweep.csv" && ok || bad "resumed sweep.csv differs"
# A comment changes no point's resolved scenario: nothing runs again.
touch -d '2000-01-01' "$TMP/s2/points/0001/summary.json"
echo "# an edit" >>"$sw"
expect_status 0 "sweep after comment" "$NEMSIM" sweep "$sw" --jobs 2 --out "$TMP/s2" --quiet && ok
[ "$(stat -c %Y "$TMP/s2/points/0001/summary.json")" -lt 1000000000 ] && ok || bad "a comment made a point run again"
# A changed value is a different sweep: every point runs again.
sed -i 's/^duration = .*/&\nwarmup = 0.1s/' "$sw"
expect_status 0 "sweep after edit" "$NEMSIM" sweep "$sw" --jobs 2 --out "$TMP/s2" --quiet && ok
[ "$(stat -c %Y "$TMP/s2/points/0001/summary.json")" -gt 1000000000 ] && ok || bad "edited scenario reused an old point"
sed -i '/^warmup = 0.1s/d' "$sw"
# Emit commands, run them by hand, merge.
expect_status 0 "emit-commands" "$NEMSIM" sweep "$sw" --emit-commands --out "$TMP/se" && ok
[ "$(wc -l <"$TMP/out")" -eq 8 ] && ok || bad "emit-commands printed $(wc -l <"$TMP/out") lines"
bash "$TMP/out" && ok || bad "emitted commands failed"
expect_status 0 "merge" "$NEMSIM" merge "$sw" --out "$TMP/se" && ok
cmp -s "$TMP/s1/sweep.csv" "$TMP/se/sweep.csv" && ok || bad "merged sweep.csv differs"
# A merge with a missing point fails and writes no sweep.csv.
rm -rf "$TMP/se/points/0005" "$TMP/se/sweep.csv"
expect_status 2 "merge missing point" "$NEMSIM" merge "$sw" --out "$TMP/se" && expect_msg "merge missing point" "point 5 (vars.len=3s simulation.seed=2)"
[ -e "$TMP/se/sweep.csv" ] && bad "partial sweep.csv written" || ok
# A column naming nothing in summary.json is an error, not an empty cell.
expect_status 2 "bad column" "$NEMSIM" sweep "$sw" --set 'sweep.columns=x=connections.c9.throughput_mbps' --out "$TMP/sc" --quiet &&
	expect_msg "bad column" "has no result connections.c9.throughput_mbps"
[ -e "$TMP/sc/points" ] && bad "a sweep with a bad column ran points" || ok

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
