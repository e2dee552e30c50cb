#!/bin/bash
# test_determinism.sh NEMSIM SRCDIR - same inputs, same bytes.
#
# Every scenario in scenarios/ runs twice (shortened to 2 s of simulated
# time): summary.json and every other file written (time series, pcap
# captures) must be byte-identical.  Then sweeps run with --jobs 1 and
# --jobs 2 must give the same sweep.csv and the same summary.json for
# every point.
set -u
. "$(dirname "$0")/lib.sh"
rel_setup "$1" "$2" scenarios
fail=0
pass=0

short() {
	# Override the window so that it fits in 2 s (12 s where a connection
	# starts later: a start after the end is refused).
	local s=$1 d=2s
	"$NEMSIM" check "$s" --set simulation.duration=2s --set simulation.warmup=0.5s \
		--set simulation.measure_until=2s >/dev/null 2>&1 || d=12s
	echo --set simulation.duration=$d --set simulation.warmup=0.5s
	grep -q '^measure_until' "$s" && echo --set simulation.measure_until=$d
}

n=0
for s in "$TMP"/scenarios/*.ini; do
	name=$(basename "$s" .ini)
	n=$((n + 1))
	for k in 1 2; do
		# A sweep's file runs its first point.
		point=""
		grep -q '^\[sweep\]' "$s" && point="--point 0"
		if ! "$NEMSIM" run "$s" $(short "$s") $point --out "$TMP/$name-$k" --quiet; then
			echo "FAIL: $name run $k"
			fail=1
		fi
	done
	for f in "$TMP/$name-1"/*; do
		b=$(basename "$f")
		[ "$b" = perf.json ] && continue
		if cmp -s "$f" "$TMP/$name-2/$b"; then
			pass=$((pass + 1))
		else
			echo "FAIL: $name: $b differs between two identical runs"
			fail=1
		fi
	done
done
echo "determinism: $n scenarios run twice, $pass files identical"
[ "$n" -ge 5 ] || { echo "FAIL: only $n scenarios found"; fail=1; }

# Sweeps: --jobs 1 and --jobs 2 give the same results.
for s in fig6 ethernet_capacity; do
	f="$TMP/scenarios/$s.ini"
	[ -e "$f" ] || continue
	for j in 1 2; do
		if ! "$NEMSIM" sweep "$f" --jobs $j --set simulation.duration=1s \
			--set simulation.warmup=0.2s --out "$TMP/sw-$s-$j" --quiet; then
			echo "FAIL: sweep $s --jobs $j"
			fail=1
		fi
	done
	if cmp -s "$TMP/sw-$s-1/sweep.csv" "$TMP/sw-$s-2/sweep.csv"; then
		echo "ok   $s: sweep.csv identical with --jobs 1 and 2 ($(($(wc -l <"$TMP/sw-$s-1/sweep.csv") - 1)) points)"
	else
		echo "FAIL: $s: sweep.csv differs between --jobs 1 and 2"
		fail=1
	fi
	for p in "$TMP/sw-$s-1"/points/*/; do
		p=$(basename "$p")
		cmp -s "$TMP/sw-$s-1/points/$p/summary.json" \
			"$TMP/sw-$s-2/points/$p/summary.json" ||
			{ echo "FAIL: $s point $p summary.json differs"; fail=1; }
	done
done
exit $fail
