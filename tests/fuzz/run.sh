#!/bin/bash
# run.sh BUILD_DIR SECONDS [TARGET...] - run each libFuzzer target for
# SECONDS (make fuzz calls this).  Working corpora grow in
# BUILD_DIR/corpus/<target> (seeded from tests/fuzz/corpus/<target>, which
# is never written); a crash, leak, sanitizer report or timeout leaves
# its input in BUILD_DIR/artifacts/ and makes the script fail.  Prints
# one line per target: executions, rate, corpus size, coverage.
# FUZZ_SEED=N fixes libFuzzer's random seed (CI does, so that a failure
# there can be replayed here with the same seed); unset, each run draws
# a new one.
set -u
BUILD=$1
SECS=$2
shift 2
SRC=$(cd "$(dirname "$0")" && pwd)
TARGETS=${*:-tcp_input scenario pdrill pcap}
mkdir -p "$BUILD/artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for t in $TARGETS; do
	exe="$BUILD/tests/fuzz/fuzz_$t"
	[ -x "$exe" ] || { echo "fuzz: $exe not built"; exit 1; }
	mkdir -p "$BUILD/corpus/$t"
	log="$BUILD/artifacts/$t.log"
	"$exe" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=4096 \
		${FUZZ_SEED:+-seed=$FUZZ_SEED} \
		-artifact_prefix="$BUILD/artifacts/$t-" -print_final_stats=1 \
		"$BUILD/corpus/$t" "$SRC/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	corp=$(ls "$BUILD/corpus/$t" | wc -l)
	if [ $rc -ne 0 ]; then
		echo "fuzz $t: FAILED (exit $rc) after ${runs:-?}; see $log"
		grep -E 'ERROR|runtime error|Assertion|ERROR:|Test unit written' "$log" | head -5
		status=1
	else
		echo "fuzz $t: ${runs:-?}, $cov, corpus $corp inputs"
	fi
done
exit $status
