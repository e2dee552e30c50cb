#!/bin/bash
# Run every benchmark; each prints its figures and writes bench/results/*.json.
set -euo pipefail
BUILD=${1:-build}
NEMSIM=$BUILD/nemsim
mkdir -p bench/results
echo "== event core: hold model"
"$BUILD/bench/bench_evq" --json bench/results/evq_hold.json

# A whole-model run: wall time per delivered data segment (median of 5).
flow() { # flow NAME SCENARIO ARGS...
	local name=$1 scn=$2
	shift 2
	local tmp
	tmp=$(mktemp -d)
	for i in 1 2 3 4 5; do
		"$NEMSIM" run "$scn" --quiet --out "$tmp/$i" "$@"
	done
	/usr/bin/python3 - "$tmp" "$name" <<'PY'
import json, os, statistics, sys
tmp, name = sys.argv[1], sys.argv[2]
runs = []
for i in range(1, 6):
    perf = json.load(open(os.path.join(tmp, str(i), "perf.json")))
    summ = json.load(open(os.path.join(tmp, str(i), "summary.json")))
    segs = sum(c.get("sndpack", 0) for c in summ.get("connections", {}).values()
               if isinstance(c, dict))
    runs.append((perf["wall_s"], perf["events"], segs, perf["peak_rss_kib"]))
wall = statistics.median(r[0] for r in runs)
ev, segs, rss = runs[0][1], runs[0][2], runs[0][3]
res = {"benchmark": name, "wall_s_median": wall, "events": ev,
       "segments": segs, "us_per_segment": wall / segs * 1e6 if segs else None,
       "events_per_segment": ev / segs if segs else None,
       "events_per_s": ev / wall, "peak_rss_kib": rss}
print(json.dumps(res))
json.dump(res, open(f"bench/results/{name}.json", "w"), indent=2)
PY
	rm -rf "$tmp"
}
echo "== one 100 Mb/s bulk flow, Nemesis to Linux, 60 s simulated"
flow flow_100mbit scenarios/perf_nemesis.ini --set simulation.duration=60s
echo "== Figure 5's three connections on the 10 Mb/s hub, 60 s simulated"
flow fig5_hub scenarios/fig5.ini --set simulation.duration=60s
echo "== 64 saturating stations on a 10 Mb/s hub, 10 s simulated"
flow hub64 scenarios/ethernet_capacity.ini --set vars.stations=64 --set simulation.duration=10s
