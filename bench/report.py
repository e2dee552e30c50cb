#!/usr/bin/python3
"""The figures against TARGETS.md (bench/results/targets.json) and for
people (results/BENCHMARKS.md), from bench/results/*.json as tools/bench.sh
left them.  A benchmark without results is left out."""
import json
import os

RES = "bench/results"


def r(name):
    try:
        return json.load(open(f"{RES}/{name}.json"))
    except FileNotFoundError:
        return None


hold, flow, hub, fig5 = r("evq_hold"), r("flow_100mbit"), r("hub64"), r("fig5_hub")
isp, scale, mem = r("isp_1000"), r("scale_connections"), r("memory_fig5")
setup, peer = r("setup_scaling"), r("peer_ns3")
# The same measurement of the tree before round two's set-up work (commit
# 333f973, built without LTO), kept for comparison; not re-run by bench.
setup_before = r("setup_scaling_before")

# ---- against the targets ------------------------------------------------
rows = []
if hold:
    h = {x["pending"]: x for x in hold["results"]}
    rows.append(("event core, hold model, 4096 pending (M events/s)",
                 h[4096]["sim_loop"], ">= 8", h[4096]["sim_loop"] >= 8))
if flow:
    rows.append(("100 Mb/s bulk flow (perf_nemesis), µs of wall time per "
                 "delivered segment (round one)", flow["us_per_segment"], "<= 3",
                 flow["us_per_segment"] <= 3))
    rows.append(("100 Mb/s bulk flow (perf_nemesis), µs of wall time per "
                 "delivered segment (round two; idle machine)",
                 flow["us_per_segment"], "<= 0.8", flow["us_per_segment"] <= 0.8))
if peer:
    v = peer["ns3_over_perf_nemesis"]
    rows.append(("ns-3 CPU per delivered segment / perf_nemesis's "
                 "(fastest of interleaved rounds each)", v, ">= 20", v >= 20))
if setup and "check_ratio_10000_2500" in setup:
    v = setup["check_ratio_10000_2500"]
    rows.append(("set-up: `check` of 10,000 connections / of 2,500", v, "<= 5",
                 v <= 5))
    v = setup["setup_run_ratio_10000_2500"]
    rows.append(("set-up: start-up + summary writing, 10,000 connections / "
                 "2,500", v, "<= 5", v <= 5))
if mem:
    rows.append(("memory, 1 h / 1 min peak RSS", mem["ratio"], "<= 1.2",
                 mem["ratio"] <= 1.2))
if hub and flow:
    # Every event, queued or run in place (tools/bench.sh, flow()).
    v = (1e9 / hub.get("events_all_per_s", hub["events_per_s"]) /
         (1e9 / flow.get("events_all_per_s", flow["events_per_s"])))
    rows.append(("64 stations on a hub, per-event cost / single flow", v, "<= 2",
                 v <= 2))
if isp:
    v = isp["per_event_cost_ratio"]
    rows.append(("1000 connections, per-event cost / single flow (round one)",
                 v, "<= 2", v <= 2))
    rows.append(("1000 connections, per-event cost / single flow (round two)",
                 v, "<= 1.5", v <= 1.5))
out = []
for what, v, target, ok in rows:
    print(f"{'met ' if ok else 'MISS'}  {what}: {v:.3g} (target {target})")
    out.append({"what": what, "value": v, "target": target, "met": ok})
json.dump({"benchmark": "targets", "rows": out},
          open(f"{RES}/targets.json", "w"), indent=2)

# ---- results/BENCHMARKS.md ----------------------------------------------
L = ["# Benchmarks", "",
     "Written by `make bench` (tools/bench.sh, bench/report.py) from "
     f"bench/results/*.json, on a machine with {os.cpu_count()} cores shared "
     "with other work: wall-clock medians, and where the host's noise "
     "matters, ratios between runs interleaved round by round.  The targets "
     "are TARGETS.md's \"Speed and memory\" (round one and round two).  "
     "Load average when this was written (1, 5, 15 min): "
     + ", ".join(open("/proc/loadavg").read().split()[:3]) +
     " — every figure of wall time is inflated by whatever else the 2 "
     "cores ran; the ratios between interleaved runs much less.", "",
     "## Against the targets", "", "| what | measured | target | |",
     "|---|---|---|---|"]
for x in out:
    L.append(f"| {x['what']} | {x['value']:.3g} | {x['target']} | "
             f"{'met' if x['met'] else '**not met**'} |")

if peer:
    m = peer["cpu_us_per_segment_median"]
    mn = peer.get("cpu_us_per_segment_min", m)
    seg = peer["segments"]
    rss = peer["peak_rss_kib"]
    ev = peer["events"]
    L += ["", "## The peer: ns-3 3.37", "",
          f"bench/ns3_bulk.cc against nemsim, {peer['simulated_s']} s simulated, "
          f"{peer['rounds']} rounds, each running every program in turn; CPU time "
          "(user + system, the whole process: set-up, run, results) per segment "
          f"delivered to the receiving application ({peer['segment_bytes']} "
          "payload bytes).  Noise only adds time, and a nemsim run is about "
          "twenty times shorter than ns-3's (one stall moves its round far "
          "more), so the ratio is of each program's fastest round; the "
          "median of the rounds' own ratios and their range follow it.", "",
          "| run | µs CPU / delivered segment (fastest round) | median of "
          "rounds | segments | queued events / segment | peak RSS MB |",
          "|---|---|---|---|---|---|"]
    names = (("nemsim perf_nemesis (Nemesis → Linux, 1 flow)", "perf_nemesis"),
             ("nemsim perf_linux (Linux → Linux, 1 flow)", "perf_linux"),
             ("ns-3, 1 flow", "ns3_1"),
             (f"nemsim, {peer['flows_n']} connections Nemesis → Linux", "nemsim_n"),
             (f"ns-3, {peer['flows_n']} flows", "ns3_n"))
    for label, k in names:
        L.append(f"| {label} | {mn[k]:.2f} | {m[k]:.2f} | {seg[k]:.0f} | "
                 f"{ev[k] / seg[k]:.1f} | {rss[k] / 1024:.0f} |")
    L += ["",
          "| ns-3's CPU per delivered segment over nemsim's | fastest rounds "
          "| median of rounds | rounds |",
          "|---|---|---|---|"]
    for label, k in (("one flow, against perf_nemesis", "ns3_over_perf_nemesis"),
                     ("one flow, against perf_linux", "ns3_over_perf_linux"),
                     (f"{peer['flows_n']} flows", "ns3_over_nemsim_n")):
        pr = peer[k + "_per_round"]
        md = peer.get(k + "_median_of_rounds")
        L.append(f"| {label} | {peer[k]:.1f}× | "
                 + (f"{md:.1f}× | " if md is not None else "- | ")
                 + f"{min(pr):.1f}–{max(pr):.1f} |")
    L += ["", "### What each side models, and what it does not", "",
          "Both run the same workload: TCP bulk transfer between two hosts on "
          "one 100 Mb/s Ethernet with 25 m of cable, full-size segments of "
          "1448 payload bytes with the timestamp option (1500-byte IP "
          "packets: no fragmentation), the sender's socket buffer kept full, "
          "the receiver reading everything, no packet loss, no traces or "
          "captures.  They differ in what they simulate around it:", "",
          "- **nemsim** models the end systems: each host's CPU (Atropos "
          "domains on Nemesis, a Linux 2.2 personality's costs) charges "
          "calibrated Pentium 200 costs for every protocol step, the driver, "
          "the domain switches and the copies, so throughput is CPU-bound "
          "(58 Mb/s for perf_nemesis, 81 for perf_linux) as in the paper; "
          "the transmit scheduler (Atropos over I/O channels) on Nemesis; a "
          "4.4BSD-Lite TCP (with a Linux personality) that carries real "
          "bytes and computes and verifies real Internet checksums; a "
          "full-duplex link (the paper's de4x5 LAN) with the inter-frame gap "
          "and preamble.",
          "- **ns-3** (CsmaChannel, Debian's 3.37 build, its TCP (CUBIC, PRR recovery) "
          "with SACK, timestamps and window scaling, defaults otherwise) models no CPU: "
          "hosts process packets in zero time, so throughput is "
          "link-bound.  CsmaChannel is a shared half-duplex bus without "
          "collisions (a sender defers while it is busy), so data and ACKs "
          "take turns on one channel.  Payloads are virtual (zero-filled, "
          "never touched) and checksums are off (ns-3's default); packets "
          "carry byte tags and metadata and go through the traffic-control "
          "layer and ARP.",
          "- So nemsim does more modelling per segment (CPU scheduling "
          "events, real checksums and copies) and ns-3 more generic "
          "machinery per packet (object model, attribute system, callbacks "
          "through Ptr<> and Packet metadata).  The ratio is of the cost of "
          "simulating one delivered segment with each tool's own "
          "fidelity, not of identical work.",
          ]

L += ["", "## Event queue (hold model, million events/s)", ""]
if hold:
    L += ["| pending | through the run loop | queue API | bare binary heap |",
          "|---|---|---|---|"]
    for x in hold["results"]:
        L.append(f"| {x['pending']} | {x['sim_loop']} | {x['queue_api']} | "
                 f"{x['bare_heap']} |")
L += ["", "## Whole-model runs", "",
      "Events are all events, those popped from the queue and those run "
      "in place (perf.json's events and events_in_place).", "",
      "| run | wall s | events | segments | µs/segment | events/segment | "
      "ns/event | peak RSS MB |", "|---|---|---|---|---|---|---|---|"]
for name, x in (("one 100 Mb/s bulk flow, 60 s", flow),
                ("Figure 5 on the 10 Mb/s hub, 60 s", fig5),
                ("64 stations on a 10 Mb/s hub, 30 s", hub),
                ("1000 connections on one host, 30 s", isp)):
    if not x:
        continue
    seg = x["segments"] or None
    ev = x.get("events_all", x["events"])  # queued + run in place
    row = f"| {name} | {x['wall_s_median']:.3f} | {ev} | "
    row += (f"{x['segments']} | {x['wall_s_median'] / seg * 1e6:.2f} | "
            f"{ev / seg:.1f} | " if seg else "- | - | - | ")
    row += (f"{x['wall_s_median'] / ev * 1e9:.0f} | "
            f"{x['peak_rss_kib'] / 1024:.0f} |")
    L.append(row)
webs = [(n, r(k)) for n, k in (
    ("three web sites on Nemesis (isp.ini point 18)", "web_isp_nemesis"),
    ("the same on a Linux host (isp_unix.ini point 4)", "web_isp_unix"))]
if any(x for _, x in webs):
    L += ["", "## Web workloads (issue 15)", "",
          "scenarios/isp.ini's heaviest point: three sites, best effort at "
          "200 requests/s, clients behind a switch, two routers and a T3; "
          "CPU time (user + system) of the whole run, median of 5.", "",
          "| run | simulated s | CPU s | requests | µs/request | "
          "events/request | µs/segment | ns/event | peak RSS MB |",
          "|---|---|---|---|---|---|---|---|---|"]
    for name, x in webs:
        if x:
            L.append(f"| {name} | {x['simulated_s']:.0f} | "
                     f"{x['cpu_s_median']:.2f} | {x['requests']} | "
                     f"{x['us_per_request']:.0f} | "
                     f"{x['events_per_request']:.0f} | "
                     f"{x['us_per_segment']:.2f} | {x['ns_per_event']:.0f} | "
                     f"{x['peak_rss_kib'] / 1024:.0f} |")
if isp:
    L += ["", f"1000 connections against the single flow, {isp['rounds']} rounds "
          f"run in turn: {isp['per_event_cost_ratio']:.2f}x the cost per event "
          "between the fastest rounds of each (noise only adds time), "
          f"{isp['per_event_cost_ratio_of_medians']:.2f}x between the medians; "
          f"round by round {min(isp['per_event_cost_ratio_per_round']):.2f}-"
          f"{max(isp['per_event_cost_ratio_per_round']):.2f}.  Events are "
          "counted whether they went through the queue or ran in place (a "
          "CPU's completion that is the run's very next event skips the "
          "queue: perf.json's events_in_place); counting the queued ones "
          "only, as summary.json's sim.events does, the ratio is "
          + (f"{isp['per_queued_event_cost_ratio']:.2f}x."
             if "per_queued_event_cost_ratio" in isp else "not measured."),
          "",
          "Where the extra cost per event goes (callgrind with its cache "
          "model, 10 s simulated, 1000 connections against one, measured by "
          "hand in issue 18's second round): in instructions a 1000-connection "
          "event costs 1.12x a single-flow one, every event counted (847 "
          "against 757; 1,181 against 949 per queued event: each domain's "
          "own TCP ticks, 7,000 tick events a second, and the 1000-column "
          "throughput sampling); the rest is memory: 10.4 L1 data misses "
          "per queued event against 1.75, and "
          "1.1 last-level misses (4 MB modelled) against 0.03, spread over "
          "the per-connection state each event touches (the domain's TCP "
          "stack and control block, its CPU domain, thread and work items, "
          "its socket buffers, the receiver's PCB lookup, the Atropos "
          "heaps), no single function with more than 5% of them.  One "
          "algorithmic term was found and removed in that round: the "
          "release's scan of the wait queue for an unblocked domain, 21% of "
          "the L1 misses at 1000 slack-only domains."]

if scale:
    su = {x["connections"]: x for x in setup["rows"]} if setup else {}
    L += ["", "## Scaling: connections on one host (30 s simulated)", "",
          "Set-up is the CPU time of a 10 ms run of the same scenario (building "
          "the world, a few thousand events, summary.json, tear-down) and of "
          "`nemsim check`, the fastest of the rounds.", "",
          "| connections | events | ns/event | x one connection | peak RSS MB "
          "| set-up + summary s | check s |", "|---|---|---|---|---|---|---|"]
    for x in scale["runs"]:
        s = su.get(x["connections"])
        L.append(f"| {x['connections']} | {x['events']} | {x['ns_per_event']:.1f} "
                 f"| {x['ratio_to_one']:.2f} | {x['peak_rss_kib'] / 1024:.0f} | "
                 + (f"{s['setup_run_cpu_s']:.3f} | {s['check_cpu_s']:.3f} |"
                    if s else "- | - |"))
if setup:
    L += ["", "## Set-up against size", "",
          f"CPU seconds, fastest of {setup['rounds']} rounds (sizes in turn).", "",
          "| connections | check | start-up + 10 ms + summary + tear-down | "
          "peak RSS MB |", "|---|---|---|---|"]
    for x in setup["rows"]:
        L.append(f"| {x['connections']} | {x['check_cpu_s']:.3f} | "
                 f"{x['setup_run_cpu_s']:.3f} | {x['peak_rss_kib'] / 1024:.0f} |")
    setup_by = {x["connections"]: x for x in setup["rows"]}
    if "check_ratio_10000_2500" in setup:
        L += ["", f"10,000 connections against 2,500: `check` "
              f"{setup['check_ratio_10000_2500']:.2f}x, start-up and summary "
              f"{setup['setup_run_ratio_10000_2500']:.2f}x (target at most 5x; "
              "4x is linear).  In instructions (callgrind, `check`, measured "
              "by hand: 794 M and 3,208 M) the ratio is 4.04: what is left "
              "above 4 in time is the memory hierarchy (peak RSS "
              f"{setup_by[10000]['peak_rss_kib'] / 1024:.0f} MB against "
              f"{setup_by[2500]['peak_rss_kib'] / 1024:.0f} MB)."]
    if setup_before:
        b = {x["connections"]: x for x in setup_before["rows"]}
        if 2500 in b and 10000 in b:
            L += ["", "Before this work (commit 333f973, same measurement, "
                  f"{setup_before['rounds']} rounds): `check` "
                  f"{b[2500]['check_cpu_s']:.2f} s and "
                  f"{b[10000]['check_cpu_s']:.2f} s "
                  f"({setup_before['check_ratio_10000_2500']:.1f}x), start-up "
                  f"and summary {b[2500]['setup_run_cpu_s']:.2f} s and "
                  f"{b[10000]['setup_run_cpu_s']:.2f} s "
                  f"({setup_before['setup_run_ratio_10000_2500']:.1f}x): "
                  "stats registration in a GTree, cpu_sync over every domain "
                  "on every stat read, a walk of every control block per "
                  "bind, a linear domain lookup, the wait bitmap rebuilt "
                  "every 64 clients and the ring renumbered per client at "
                  "tear-down."]
if mem:
    L += ["", "## Memory", "",
          f"Figure 5 for 1 minute: peak RSS {mem['peak_rss_kib_1min']} KiB; for "
          f"1 hour: {mem['peak_rss_kib_1hour']} KiB ({mem['ratio']:.2f}x), "
          f"{mem['wall_s_1hour']:.1f} s of wall time."]
L.append("")
open("results/BENCHMARKS.md", "w").write("\n".join(L))
print("wrote results/BENCHMARKS.md")
