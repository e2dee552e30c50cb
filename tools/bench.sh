#!/bin/bash
# bench.sh BUILD [SECTION...] - run the benchmarks (all sections, or the
# ones named: evq flows web isp scale setup memory peer); each prints its
# figures and writes bench/results/*.json, and results/BENCHMARKS.md is
# written from whatever JSON is there.
set -euo pipefail
BUILD=${1:-build}
shift || true
NEMSIM=$BUILD/nemsim
SECTIONS=${*:-evq flows web isp scale setup memory peer}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
./tools/install-deps.sh bench # ns-3, g++, GNU time
mkdir -p bench/results
if want evq; then
echo "== event core: hold model"
"$BUILD/bench/bench_evq" --json bench/results/evq_hold.json
fi

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
    runs.append((perf["wall_s"], perf["events"], segs, perf["peak_rss_kib"],
                 perf.get("events_in_place", 0)))
wall = statistics.median(r[0] for r in runs)
ev, segs, rss, inpl = runs[0][1], runs[0][2], runs[0][3], runs[0][4]
# Per-event costs count every event: those popped from the queue
# (perf.json's events, summary.json's sim.events) and those run in place
# (a CPU's completion that is the run's next event skips the queue).
res = {"benchmark": name, "wall_s_median": wall, "events": ev,
       "events_in_place": inpl, "events_all": ev + inpl,
       "segments": segs, "us_per_segment": wall / segs * 1e6 if segs else None,
       "events_per_segment": ev / segs if segs else None,
       "events_per_s": ev / wall, "events_all_per_s": (ev + inpl) / wall,
       "peak_rss_kib": rss}
print(json.dumps(res))
json.dump(res, open(f"bench/results/{name}.json", "w"), indent=2)
PY
	rm -rf "$tmp"
}
if want flows; then
echo "== one 100 Mb/s bulk flow, Nemesis to Linux, 60 s simulated"
flow flow_100mbit scenarios/perf_nemesis.ini --set simulation.duration=60s
echo "== Figure 5's three connections on the 10 Mb/s hub, 60 s simulated (model speed: no pcap)"
flow fig5_hub scenarios/fig5.ini --set simulation.duration=60s --set output.pcap=
echo "== 64 saturating stations on a 10 Mb/s hub, 30 s simulated"
# The scenario without its [sweep] (run refuses a sweep's file): its base
# point, with 64 stations.
hub64=$(mktemp --suffix=.ini -p scenarios .bench-hub64-XXXXXX)
awk '/^\[/{skip = ($0 == "[sweep]")} !skip' scenarios/ethernet_capacity.ini >"$hub64"
flow hub64 "$hub64" --set vars.stations=64 --set simulation.duration=30s
rm -f "$hub64"
fi

# The web workloads (issue 15): scenarios/isp.ini's heaviest point (best
# effort at 200 requests/s, driver reserved, premium without slack: three
# sites on one Nemesis host, clients behind a switch, two routers and a
# T3) and the same sites on a Linux host; CPU per completed request and
# per delivered segment, median of 5.
web() { # web NAME SCENARIO POINT
	local name=$1 scn=$2 point=$3 tmp
	tmp=$(mktemp -d)
	for i in 1 2 3 4 5; do
		/usr/bin/time -f "%U %S" -o "$tmp/t$i" "$NEMSIM" run "$scn" --point "$point" \
			--quiet --out "$tmp/$i"
	done
	/usr/bin/python3 - "$tmp" "$name" <<'PY'
import json, os, statistics, sys
tmp, name = sys.argv[1], sys.argv[2]
rows = []
for i in range(1, 6):
    u, s = map(float, open(os.path.join(tmp, f"t{i}")).read().split()[-2:])
    summ = json.load(open(os.path.join(tmp, str(i), "summary.json")))
    perf = json.load(open(os.path.join(tmp, str(i), "perf.json")))
    req = sum(c["completed"] for c in summ["clients"].values())
    segs = sum(h["tcp"]["sndpack"] for h in summ["hosts"].values()
               if isinstance(h, dict) and "tcp" in h)
    rows.append((u + s, perf["events"], req, segs, perf["peak_rss_kib"],
                 summ["sim"]["simulated_s"]))
cpu = statistics.median(r[0] for r in rows)
ev, req, segs, rss, sim_s = rows[0][1:]
res = {"benchmark": name, "cpu_s_median": cpu, "simulated_s": sim_s,
       "events": ev, "requests": req, "segments": segs,
       "us_per_request": cpu / req * 1e6, "us_per_segment": cpu / segs * 1e6,
       "events_per_request": ev / req, "events_per_segment": ev / segs,
       "ns_per_event": cpu / ev * 1e9, "peak_rss_kib": rss}
print(json.dumps(res))
json.dump(res, open(f"bench/results/{name}.json", "w"), indent=2)
PY
	rm -rf "$tmp"
}
if want web; then
echo "== the ISP's web sites on Nemesis (isp.ini, best effort 200 req/s), 65 s simulated"
web web_isp_nemesis scenarios/isp.ini 18
echo "== the same sites on a Linux host (isp_unix.ini, best effort 200 req/s)"
web web_isp_unix scenarios/isp_unix.ini 4
fi

# N slack-only connections from one Nemesis host to one Linux host on
# the 100 Mb/s LAN: the paper's ISP use case scaled up.
many() { # many N FILE
	bench/gen_connections.py "$1" "$2" --duration 30s --warmup 5s
}

if want isp; then
echo "== one host with 1000 connections (the paper's ISP use case), 30 s simulated,"
echo "   against the single 100 Mb/s flow, run in turn 7 times (the machine's speed drifts)"
isp=$(mktemp -d)
many 1000 "$isp/isp1000.ini"
for i in 1 2 3 4 5 6 7; do
	"$NEMSIM" run scenarios/perf_nemesis.ini --quiet --set simulation.duration=60s --out "$isp/one$i"
	"$NEMSIM" run "$isp/isp1000.ini" --quiet --out "$isp/isp$i"
done
/usr/bin/python3 - "$isp" <<'PY'
import json, os, statistics, sys
d = sys.argv[1]
def runs(prefix):
    out = []
    for i in range(1, 8):
        perf = json.load(open(os.path.join(d, f"{prefix}{i}", "perf.json")))
        summ = json.load(open(os.path.join(d, f"{prefix}{i}", "summary.json")))
        segs = sum(c.get("sndpack", 0) for c in summ["connections"].values()
                   if isinstance(c, dict))
        # Every event: queued and run in place (see flow()).
        out.append((perf["wall_s"],
                    perf["events"] + perf.get("events_in_place", 0), segs,
                    perf["peak_rss_kib"], perf["events"]))
    return out
one, isp = runs("one"), runs("isp")
w1 = statistics.median(r[0] for r in one)
wi = statistics.median(r[0] for r in isp)
ratios = [i[0] / i[1] / (o[0] / o[1]) for o, i in zip(one, isp)]
# This machine is a VM whose speed drifts and now and then stalls: noise
# only ever adds time, so the fastest of the rounds is the best estimate
# of each run's own cost (as timeit takes the minimum), and the ratio of
# the fastest rounds is the headline; the ratio of the medians is kept.
ev1, evi = one[0][1], isp[0][1]
m1 = min(r[0] for r in one)
mi = min(r[0] for r in isp)
res = {"benchmark": "isp_1000", "rounds": 7, "wall_s_median": wi,
       "wall_s_min": mi,
       "events": evi, "segments": isp[0][2],
       "us_per_segment": mi / isp[0][2] * 1e6,
       "events_per_segment": evi / isp[0][2],
       "events_per_s": evi / mi, "peak_rss_kib": isp[0][3],
       "ns_per_event": mi / evi * 1e9,
       "single_flow_wall_s_min": m1, "single_flow_wall_s_median": w1,
       "single_flow_ns_per_event": m1 / ev1 * 1e9,
       "per_event_cost_ratio": (mi / evi) / (m1 / ev1),
       "events_queued": isp[0][4],
       "per_queued_event_cost_ratio": (mi / isp[0][4]) / (m1 / one[0][4]),
       "per_event_cost_ratio_of_medians": (wi / evi) / (w1 / ev1),
       "per_event_cost_ratio_per_round": sorted(round(r, 3) for r in ratios),
       "target_ratio_max": 1.5}
print(f"1000 connections: {res['ns_per_event']:.0f} ns/event against "
      f"{res['single_flow_ns_per_event']:.0f} for one flow (fastest of 7 each): "
      f"{res['per_event_cost_ratio']:.2f}x; medians {res['per_event_cost_ratio_of_medians']:.2f}x, "
      f"rounds {min(ratios):.2f}-{max(ratios):.2f} (target <= 1.5x)")
json.dump(res, open("bench/results/isp_1000.json", "w"), indent=2)
PY
rm -rf "$isp"
fi

if want scale; then
echo "== scaling: 1 to 10,000 connections on one host, 30 s simulated (median of 3)"
sc=$(mktemp -d)
for n in 1 10 100 300 1000 3000 10000; do
	many "$n" "$sc/s$n.ini"
	for i in 1 2 3; do
		"$NEMSIM" run "$sc/s$n.ini" --quiet --out "$sc/o$n-$i"
	done
done
/usr/bin/python3 - "$sc" <<'PY'
import json, os, statistics, sys
d = sys.argv[1]
rows = []
for n in (1, 10, 100, 300, 1000, 3000, 10000):
    p = [json.load(open(os.path.join(d, f"o{n}-{i}", "perf.json")))
         for i in (1, 2, 3)]
    w = statistics.median(x["wall_s"] for x in p)
    ev = p[0]["events"] + p[0].get("events_in_place", 0)  # every event
    rows.append({"connections": n, "events": ev, "wall_s": w,
                 "events_queued": p[0]["events"],
                 "ns_per_event": w / ev * 1e9,
                 "peak_rss_kib": p[0]["peak_rss_kib"]})
for r in rows:
    r["ratio_to_one"] = r["ns_per_event"] / rows[0]["ns_per_event"]
    print(f"{r['connections']:5d} connections: {r['ns_per_event']:6.1f} ns/event "
          f"({r['ratio_to_one']:.2f}x one), {r['events']} events, "
          f"peak RSS {r['peak_rss_kib'] / 1024:.0f} MB")
json.dump({"benchmark": "scale_connections", "runs": rows},
          open("bench/results/scale_connections.json", "w"), indent=2)
PY
rm -rf "$sc"
fi

if want setup; then
echo "== set-up: check, and start-up + summary writing, 1 to 10,000 connections"
echo "   (CPU time, fastest of 5 rounds, sizes in turn)"
/usr/bin/python3 bench/setup.py "$NEMSIM" --rounds 5 \
	--sizes 1,10,100,300,1000,2500,3000,10000
fi

if want memory; then
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
fi

if want peer; then
echo "== the peer: ns-3 3.37 (bench/ns3_bulk.cc), TCP bulk flows on a 100 Mb/s"
echo "   CsmaChannel, 60 s simulated, interleaved with nemsim's runs (3 rounds)"
NS3=$BUILD/bench/ns3_bulk
if [ ! -x "$NS3" ] || [ bench/ns3_bulk.cc -nt "$NS3" ]; then
	# Debian's ns3 .pc files give a broken include flag (-I/usr\;);
	# the headers are in /usr/include/ns3, found without one.
	# shellcheck disable=SC2046
	g++ -O2 -std=c++17 -o "$NS3" bench/ns3_bulk.cc \
		$(pkg-config --libs ns3-csma ns3-internet ns3-network ns3-core)
fi
/usr/bin/python3 bench/peer.py "$NEMSIM" "$NS3" --rounds 5 --duration 60 --flows 10
fi

echo "== against TARGETS.md (speed and memory); results/BENCHMARKS.md"
/usr/bin/python3 bench/report.py
