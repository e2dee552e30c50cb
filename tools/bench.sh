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
echo "== Figure 5's three connections on the 10 Mb/s hub, 60 s simulated (model speed: no pcap)"
flow fig5_hub scenarios/fig5.ini --set simulation.duration=60s --set output.pcap=
echo "== 64 saturating stations on a 10 Mb/s hub, 10 s simulated"
flow hub64 scenarios/ethernet_capacity.ini --set vars.stations=64 --set simulation.duration=10s

echo "== one host with 1000 connections (the paper's ISP use case), 30 s simulated"
isp=$(mktemp -d)
{
	echo "[scenario]"
	echo "description = 1000 slack-only connections from one Nemesis host"
	echo "include = $PWD/scenarios/base/paper_100mbit.ini"
	echo "[simulation]"
	echo "duration = 30s"
	echo "warmup = 5s"
	for i in $(seq 0 999); do
		printf '[connection.k%d]\nfrom = nemesis\nto = linux\n' "$i"
	done
} >"$isp/isp1000.ini"
flow isp_1000 "$isp/isp1000.ini"
rm -rf "$isp"
/usr/bin/python3 - <<'PY'
import json
one = json.load(open("bench/results/flow_100mbit.json"))
isp = json.load(open("bench/results/isp_1000.json"))
isp["ns_per_event"] = 1e9 / isp["events_per_s"]
isp["single_flow_ns_per_event"] = 1e9 / one["events_per_s"]
isp["per_event_cost_ratio"] = one["events_per_s"] / isp["events_per_s"]
print(f"1000 connections: {isp['ns_per_event']:.0f} ns/event against "
      f"{isp['single_flow_ns_per_event']:.0f} for one flow: "
      f"{isp['per_event_cost_ratio']:.2f}x (target <= 2x)")
json.dump(isp, open("bench/results/isp_1000.json", "w"), indent=2)
PY

echo "== memory: Figure 5 for 1 minute and for 1 hour simulated (peak RSS)"
mem=$(mktemp -d)
# (no pcap: an hour of it is 3.7 GB on disk; the writer streams anyway)
"$NEMSIM" run scenarios/fig5.ini --quiet --set output.pcap= --set simulation.duration=60s --out "$mem/m1"
"$NEMSIM" run scenarios/fig5.ini --quiet --set output.pcap= --set simulation.duration=3600s --out "$mem/h1"
/usr/bin/python3 - "$mem" <<'PY'
import json, os, sys
m = json.load(open(os.path.join(sys.argv[1], "m1", "perf.json")))
h = json.load(open(os.path.join(sys.argv[1], "h1", "perf.json")))
res = {"benchmark": "memory_fig5", "peak_rss_kib_1min": m["peak_rss_kib"],
       "target_ratio_max": 1.2,
       "peak_rss_kib_1hour": h["peak_rss_kib"],
       "ratio": h["peak_rss_kib"] / m["peak_rss_kib"],
       "wall_s_1hour": h["wall_s"]}
print(json.dumps(res))
json.dump(res, open("bench/results/memory_fig5.json", "w"), indent=2)
PY
rm -rf "$mem"
