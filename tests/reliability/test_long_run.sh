#!/bin/bash
# test_long_run.sh NEMSIM SRCDIR - Figure 5 for a simulated hour with loss.
#
# scenarios/fig5.ini (three connections on a 10 Mb/s hub) runs for 3600 s
# with 1% of the frames each NIC accepts damaged and discarded ([link.lan]
# loss), then for 600 s with 5%; check_consistency.py checks that every
# TCP byte was delivered exactly once and that the frame and CPU counters
# add up.  Then: loss = 0 is the same run as no loss key at all (the loss
# stream perturbs nothing when off), and a run with loss is reproducible.
set -u
. "$(dirname "$0")/lib.sh"
rel_setup "$1" "$2" scenarios
fail=0
fig5="$TMP/scenarios/fig5.ini"
nopcap="--set output.pcap="

for spec in "3600s 0.01" "600s 0.05"; do
	set -- $spec
	out="$TMP/fig5-$1-$2"
	if ! "$NEMSIM" run "$fig5" --set simulation.duration=$1 \
		--set link.lan.loss=$2 $nopcap --out "$out" --quiet; then
		echo "FAIL: fig5 for $1 with loss $2 did not run"
		fail=1
		continue
	fi
	echo "# fig5, $1 simulated, loss $2 ($(grep -o '"wall_s": [0-9.]*' "$out/perf.json"))"
	python3 "$SRC/tests/reliability/check_consistency.py" "$out/summary.json" --loss || fail=1
done

# Without loss the counters add up too, and loss = 0 changes nothing.
"$NEMSIM" run "$fig5" --set simulation.duration=60s $nopcap --out "$TMP/a" --quiet || fail=1
"$NEMSIM" run "$fig5" --set simulation.duration=60s $nopcap --set link.lan.loss=0 \
	--out "$TMP/b" --quiet || fail=1
python3 "$SRC/tests/reliability/check_consistency.py" "$TMP/a/summary.json" || fail=1
if diff <(grep -v -e "\"overrides\"" -e "\"scenario_sha256\"" "$TMP/a/summary.json") \
	<(grep -v -e "\"overrides\"" -e "\"scenario_sha256\"" "$TMP/b/summary.json") >/dev/null; then
	echo "ok   loss = 0 gives the run without a loss key"
else
	echo "FAIL: loss = 0 changed the run"
	fail=1
fi
"$NEMSIM" run "$fig5" --set simulation.duration=60s $nopcap --set link.lan.loss=0.02 \
	--out "$TMP/c" --quiet || fail=1
"$NEMSIM" run "$fig5" --set simulation.duration=60s $nopcap --set link.lan.loss=0.02 \
	--out "$TMP/d" --quiet || fail=1
if cmp -s "$TMP/c/summary.json" "$TMP/d/summary.json"; then
	echo "ok   a run with loss is reproducible"
else
	echo "FAIL: two runs with loss 0.02 differ"
	fail=1
fi
exit $fail
