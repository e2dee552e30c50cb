#!/bin/bash
# test_interrupt.sh NEMSIM SRCDIR - interrupting a sweep, and resuming it.
#
# A sweep of scenarios/fig6.ini (10 points, each a second or so of wall
# time) runs with --jobs 2.
#  1. SIGINT to the sweep process alone, once a point has finished: the
#     sweep exits 130, its workers are gone, the finished points keep
#     their summary.json, no staging folder or sweep.csv is left; run
#     again, it resumes: finished points are not rerun, and sweep.csv
#     equals that of an uninterrupted sweep.
#  2. SIGTERM to the sweep process alone (kill PID, as a batch system
#     does), while the first points run: the workers are stopped, not
#     waited for, and nothing is left that looks like a result.
#  3. SIGINT to the whole process group (Ctrl-C on a terminal): the same.
set -u
. "$(dirname "$0")/lib.sh"
rel_setup "$1" "$2" scenarios
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

sw="$TMP/scenarios/fig6.ini"
SETS="--set simulation.duration=60s --set simulation.warmup=1s"

# Children of a process, from /proc (no procps needed).
workers_of() {
	local s pid ppid
	for s in /proc/[0-9]*/stat; do
		{ read -r pid _ _ ppid _ <"$s"; } 2>/dev/null || continue
		[ "$ppid" = "$1" ] && printf '%s ' "$pid"
	done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
done_points() { ls "$1"/points/*/summary.json 2>/dev/null | wc -l; }
# wait_for CONDITION-COMMAND... (up to 60 s)
wait_for() {
	for _ in $(seq 600); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
has_done() { [ "$(done_points "$1")" -ge 1 ]; }
has_workers() { [ -n "$(workers_of "$1")" ]; }
no_leftovers() {
	local out=$1 what=$2
	if ls -a "$out"/points/*/ 2>/dev/null | grep -q '^\.partial'; then
		bad "$what: a staging folder is left behind"
	else ok "$what: no staging folder left"; fi
	[ -e "$out/sweep.csv" ] && bad "$what: sweep.csv written" || ok "$what: no sweep.csv"
}
gone() {
	local pids=$1 what=$2
	for p in $pids; do
		if kill -0 "$p" 2>/dev/null; then
			bad "$what: worker $p still running"
			return
		fi
	done
	ok "$what: workers ($pids) stopped"
}

# The reference: an uninterrupted sweep.
"$NEMSIM" sweep "$sw" $SETS --jobs 2 --quiet --out "$TMP/ref" || bad "reference sweep failed"

# ---- 1. SIGINT to the sweep alone; resume -----------------------------
out="$TMP/int"
"$NEMSIM" sweep "$sw" $SETS --jobs 2 --quiet --out "$out" 2>"$TMP/err1" &
pid=$!
wait_for has_done "$out" || bad "no point finished within 60 s"
w=$(workers_of $pid)
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] && ok "SIGINT: exit status 130" || bad "SIGINT: exit status $st"
grep -q 'interrupted: .* points done; run the same command again to resume' "$TMP/err1" &&
	ok "SIGINT: says how to resume" || bad "SIGINT: message: $(cat "$TMP/err1")"
gone "$w" SIGINT
no_leftovers "$out" SIGINT
n=$(done_points "$out")
[ "$n" -ge 1 ] && [ "$n" -lt 10 ] && ok "SIGINT: $n of 10 points kept" || bad "SIGINT: $n points done"
for f in "$out"/points/*/summary.json; do touch -d '2000-01-01' "$f"; done
"$NEMSIM" sweep "$sw" $SETS --jobs 2 --quiet --out "$out" || bad "resume failed"
old=0
for f in "$out"/points/*/summary.json; do
	[ "$(stat -c %Y "$f")" -lt 1000000000 ] && old=$((old + 1))
done
[ $old -eq "$n" ] && ok "resume: the $n finished points were not rerun" ||
	bad "resume: $old of $n finished points left alone"
[ "$(done_points "$out")" -eq 10 ] && ok "resume: all 10 points done" || bad "resume: $(done_points "$out") points"
cmp -s "$out/sweep.csv" "$TMP/ref/sweep.csv" && ok "resume: sweep.csv equals the uninterrupted one" ||
	{ bad "resume: sweep.csv differs from the uninterrupted sweep"; diff "$TMP/ref/sweep.csv" "$out/sweep.csv"; }

# ---- 2. SIGTERM to the sweep alone, while workers run -------------------
out="$TMP/term"
"$NEMSIM" sweep "$sw" --set simulation.duration=600s --set simulation.warmup=1s \
	--jobs 2 --quiet --out "$out" 2>"$TMP/err2" &
pid=$!
wait_for has_workers $pid || bad "SIGTERM: no worker started"
sleep 0.3
w=$(workers_of $pid)
t0=$(now_ms)
kill -TERM $pid
wait $pid
st=$?
dt=$(($(now_ms) - t0))
[ $st -eq 130 ] && ok "SIGTERM: exit status 130" || bad "SIGTERM: exit status $st"
# A point of 600 s takes about 10 s of wall time: waiting for the
# workers instead of stopping them would take that long.
[ "$dt" -lt 5000 ] && ok "SIGTERM: stopped in $dt ms" || bad "SIGTERM: took $dt ms (workers waited for?)"
gone "$w" SIGTERM
no_leftovers "$out" SIGTERM
[ "$(done_points "$out")" -eq 0 ] && ok "SIGTERM: no point claims to be done" || bad "SIGTERM: $(done_points "$out") points done"

# ---- 3. SIGINT to the process group (Ctrl-C) ---------------------------
out="$TMP/pgrp"
setsid "$NEMSIM" sweep "$sw" --set simulation.duration=600s --set simulation.warmup=1s \
	--jobs 2 --quiet --out "$out" 2>"$TMP/err3" &
pid=$!
wait_for has_workers $pid || bad "group SIGINT: no worker started"
sleep 0.3
w=$(workers_of $pid)
kill -INT -- -$pid
wait $pid
st=$?
[ $st -eq 130 ] && ok "group SIGINT: exit status 130" || bad "group SIGINT: exit status $st"
gone "$w" "group SIGINT"
no_leftovers "$out" "group SIGINT"
exit $fail
