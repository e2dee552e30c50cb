#!/bin/sh
# Run every benchmark; each prints its figures and writes bench/results/*.json.
set -e
BUILD=${1:-build}
mkdir -p bench/results
echo "== event core: hold model"
"$BUILD/bench/bench_evq" --json bench/results/evq_hold.json
