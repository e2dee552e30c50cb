"""Reading nemsim's outputs and checking them against the paper (docs/targets.md).

Shared by tools/plots.py (the report) and tests/regression/ (the
regression suite), so that both judge a target the same way.  Standard
library only (no matplotlib, no numpy): the tests run without them.
Files are read by the nemsim package (python/nemsim/load.py).

Every number comes from the simulator's outputs (summary.json, sweep.csv,
time series, pcap); what is done here is reading them and simple
statistics: means over a time range, least-squares lines, and counting
frames in a capture.
"""
import os
import sys

# The one reader of nemsim's outputs is the nemsim package (python/nemsim,
# its standard-library part: no pandas needed here).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "python"))
from nemsim import load as _load  # noqa: E402
from nemsim import units as _units  # noqa: E402

# ---- reading (nemsim.load) ----------------------------------------------------

read_csv = _load.read_csv
read_pcap_tcp = _load.read_pcap_tcp
host_addr = _load.host_addr


def load_summary(path):
    """summary.json (the file or its run folder) as nested dicts."""
    return _load.load_summary(path)


# ---- statistics ----------------------------------------------------------------


def linfit(xs, ys):
    """Least squares y = a + b x: (a, b, R^2)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx
    a = my - b * mx
    ssr = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    sst = sum((y - my) ** 2 for y in ys)
    return a, b, (1 - ssr / sst) if sst > 0 else 1.0


def mean_between(rows, conn, t0, t1):
    """Mean of a throughput.csv series for conn over (t0, t1]."""
    v = [float(r["throughput_mbps"]) for r in rows
         if r["connection"] == conn and t0 < float(r["time_s"]) <= t1]
    return sum(v) / len(v) if v else float("nan")


def time_value(text):
    """'200us', '1.2ms', '3s' or 0 -> milliseconds (nemsim.units)."""
    return _units.parse_time(text) * 1e3


# ---- Figure 4: bursts per period ---------------------------------------------


def bursts(frames, sender, t0, t1, gap=0.010):
    """Sizes of the bursts of data frames the sender put on the wire in
    [t0, t1): frames closer than gap to the previous one belong to the same
    burst (at 10 Mb/s back-to-back MTU frames are 1.2 ms apart; periods of
    Figure 4 are 50 ms)."""
    ts = [f[0] for f in frames if f[1] == sender and f[5] > 0
          and t0 <= f[0] < t1]
    sizes, n, last = [], 0, None
    for t in ts:
        if last is not None and t - last > gap:
            sizes.append(n)
            n = 0
        n += 1
        last = t
    if n:
        sizes.append(n)
    # The first and last bursts may be cut by the window's edges.
    return sizes[1:-1]


# ---- Figure 5: ACK bunching -------------------------------------------------------


def ack_back_to_back_share(frames, src, t0, t1, within=150e-6):
    """Share of the frames from src (garuda: pure ACKs) in [t0, t1) that
    arrive within `within` of the previous one.  A 64-byte frame takes
    51 us at 10 Mb/s plus a 9.6 us gap: ACKs closer than 150 us have left
    the receiver back to back, i.e. were queued at its NIC; ACKs clocked by
    arriving data are at least one data frame (1.2 ms) apart."""
    ts = [f[0] for f in frames if f[1] == src and t0 <= f[0] < t1]
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    if not gaps:
        return 0.0
    return sum(1 for g in gaps if g < within) / len(gaps)


# ---- Figure 7: the CPU share needed for a rate -------------------------------


def f7_needed(rows, reach=0.99):
    """For each wanted rate of fig7's sweep: (target, plateau, needed).

    plateau: the throughput tcp_send gets when its CPU slice is no limit
    (the highest of the sweep); needed: the CPU reservation (slice / 10 ms)
    at which the throughput first reaches `reach` of the plateau,
    interpolated linearly between the two sweep points around it.  The
    paper's Figure 7 plots this reservation against the rate."""
    out = []
    for t in sorted({float(r["target_mbps"]) for r in rows}):
        pts = sorted((time_value(r["cpu_slice"]) / 10.0,
                      float(r["throughput_mbps"]))
                     for r in rows if float(r["target_mbps"]) == t)
        plateau = max(y for _, y in pts)
        want = reach * plateau
        need, prev = None, None
        for s, y in pts:
            if y >= want:
                if prev is None:
                    need = s
                else:
                    s0, y0 = prev
                    need = s0 + (want - y0) / (y - y0) * (s - s0)
                break
            prev = (s, y)
        out.append((t, plateau, need))
    return out


# ---- the targets (docs/targets.md) -------------------------------------------------

# F5's measurement of "c2 alone": after c2 has started (3 s) and its slow
# start is over, before c3 starts (10 s).
F5_C2_ALONE = (4.0, 10.0)


class Row:
    """One checked number: id, what, the paper's value, ours, deviation,
    tolerance (text) and whether it holds."""

    def __init__(self, tid, what, paper, ours, dev, tol, ok, plot=None):
        self.tid, self.what, self.paper, self.ours = tid, what, paper, ours
        self.dev, self.tol, self.ok, self.plot = dev, tol, ok, plot


def rel_row(tid, what, paper, ours, tol, plot=None):
    dev = (ours - paper) / paper
    return Row(tid, what, f"{paper:g}", f"{ours:.3g}", f"{dev * 100:+.1f}%",
               f"±{tol * 100:g}%", abs(dev) <= tol, plot)


def f4_rows(run_dir, plot=None):
    s = load_summary(os.path.join(run_dir, "summary.json"))
    frames = read_pcap_tcp(os.path.join(run_dir, "nemesis.pcap"))
    w0 = s["sim"]["measure_from_s"]
    sizes = bursts(frames, host_addr(0), w0, 1e9)
    share = sum(1 for b in sizes if b == 2) / len(sizes) if sizes else 0.0
    thr = s["connections"]["c1"]["throughput_mbps"]
    return [
        Row("F4", f"periods with a burst of exactly 2 packets "
            f"({len(sizes)} periods)", "all", f"{share * 100:.1f}%",
            f"{(share - 1) * 100:+.1f} pts", "≥ 95%", share >= 0.95, plot),
        rel_row("F4", "c1 throughput (Mb/s; informative, "
                "2 × 1460 B per 50 ms = 0.467)", 0.47, thr, 0.05, plot),
    ]


def f4s_rows(sweep_csv, plot=None):
    rows = read_csv(sweep_csv)
    devs = [(float(r["slice_ms"]),
             (float(r["throughput_mbps"]) - float(r["theory_mbps"]))
             / float(r["theory_mbps"]))
            for r in rows if float(r["slice_ms"]) <= 9.6 + 1e-9]
    worst = max(devs, key=lambda d: abs(d[1]))
    beyond = [(float(r["slice_ms"]), float(r["throughput_mbps"])
               / float(r["theory_mbps"])) for r in rows
              if float(r["slice_ms"]) > 9.6 + 1e-9]
    first_below = next((s for s, q in beyond if q < 0.97), None)
    out = [Row("F4s", f"largest deviation from theory, s ≤ 9.6 ms "
               f"(at {worst[0]:g} ms)", "≈ 0", f"{worst[1] * 100:+.2f}%",
               f"{worst[1] * 100:+.2f}%", "≤ 3%", abs(worst[1]) <= 0.03,
               plot)]
    out.append(Row("F4s", "first slice below 97% of theory (informative)",
                   "> 9.6 ms", f"{first_below:g} ms" if first_below
                   else "none", "", "", None, plot))
    return out


def f5_values(run_dir):
    s = load_summary(os.path.join(run_dir, "summary.json"))
    rows = read_csv(os.path.join(run_dir, "throughput.csv"))
    c = s["connections"]
    v = {
        "c1": c["c1"]["throughput_mbps"],
        "c2_alone": mean_between(rows, "c2", *F5_C2_ALONE),
        "c2": c["c2"]["throughput_mbps"],
        "c3": c["c3"]["throughput_mbps"],
        "c3_idle_with_slice_left": s["channels"]["c3"]
        ["idle_with_slice_left"],
        "c3_slice_forfeited_ms": s["channels"]["c3"]["slice_forfeited_ms"],
        "garuda_access_p99_us": s["nics"]["garuda"]["access_delay_p99_us"],
        "collisions": s["links"]["lan"]["collisions"],
    }
    pcap = os.path.join(run_dir, "nemesis.pcap")
    if os.path.exists(pcap):
        w0 = s["sim"]["measure_from_s"]
        v["ack_b2b"] = ack_back_to_back_share(read_pcap_tcp(pcap),
                                              host_addr(2), w0, 1e9)
    return v


def f5_rows(run_dir, plot=None):
    v = f5_values(run_dir)
    out = [
        rel_row("F5", "c1 steady (Mb/s)", 0.17, v["c1"], 0.05, plot),
        rel_row("F5", "c2 alone, 4-10 s (Mb/s)", 7.5, v["c2_alone"], 0.10,
                plot),
        rel_row("F5", "c2 once c3 runs (Mb/s)", 3.5, v["c2"], 0.15, plot),
        rel_row("F5", "c3 (Mb/s)", 4.2, v["c3"], 0.15, plot),
        Row("F5", "c3 short of its guaranteed 5.6 Mb/s", "4.2 (75%)",
            f"{v['c3']:.3g} ({v['c3'] / 5.6 * 100:.0f}%)",
            f"{(v['c3'] / 5.6 - 1) * 100:+.0f}%", "< 90% of 5.6",
            v["c3"] < 0.9 * 5.6, plot),
        Row("F5", "mechanism: c3's channel idled with slice left "
            "(window closed)", "often", f"{v['c3_idle_with_slice_left']} "
            f"times, {v['c3_slice_forfeited_ms']:.0f} ms forfeited", "",
            "> 0", v["c3_idle_with_slice_left"] > 0, plot),
    ]
    if "ack_b2b" in v:
        out.append(Row("F5", "mechanism: garuda's ACKs late and in bursts "
                       "(share arriving back to back; access delay p99)",
                       "late, bursty", f"{v['ack_b2b'] * 100:.0f}%; "
                       f"{v['garuda_access_p99_us'] / 1000:.1f} ms", "",
                       "bursts", v["ack_b2b"] > 0.2, plot))
    return out


def f6_rows(sweep_csv, plot=None):
    rows = read_csv(sweep_csv)
    xs = [float(r["carnage_share"]) for r in rows]
    ys = [float(r["throughput_mbps"]) for r in rows]
    alone = [y for x, y in zip(xs, ys) if x == 0]
    a, b, r2 = linfit(xs, ys)
    out = []
    if alone:
        out.append(rel_row("F6", "tcp_send alone (Mb/s)", 53, alone[0],
                           0.05, plot))
    out.append(Row("F6", f"linear fit of throughput on carnage's share "
                   f"(slope {b:.1f} Mb/s per unit share)", "linear",
                   f"R² = {r2:.4f}", "", "R² ≥ 0.98", r2 >= 0.98, plot))
    return out


def f7_rows(sweep_csv, plot=None):
    rows = read_csv(sweep_csv)
    pts = [p for p in f7_needed(rows) if p[2] is not None]
    a, b, r2 = linfit([p[1] for p in pts], [p[2] for p in pts])
    at10 = a + 10 * b
    return [
        Row("F7", "CPU reservation needed for 10 Mb/s (line through the "
            "needed reservations)", "10%", f"{at10 * 100:.1f}%",
            f"{(at10 - 0.10) * 100:+.1f} pts", "10% ± 1.5 pts",
            abs(at10 - 0.10) <= 0.015, plot),
        Row("F7", f"linear fit of needed reservation on throughput "
            f"({len(pts)} rates, {b * 100:.2f}% per Mb/s)", "linear",
            f"R² = {r2:.4f}", "", "R² ≥ 0.98", r2 >= 0.98, plot),
    ]


def t1_rows(run_dir, plot=None):
    s = load_summary(os.path.join(run_dir, "summary.json"))
    return [rel_row("T1", f"{c} (Mb/s)", p,
                    s["connections"][c]["throughput_mbps"], 0.03, plot)
            for c, p in (("s1", 10.1), ("s2", 10.1), ("s3", 5.1))]


def p_rows(nemesis_dir, linux_dir, plot=None):
    out = []
    if nemesis_dir:
        s = load_summary(os.path.join(nemesis_dir, "summary.json"))
        out.append(rel_row("P", "Nemesis to Linux (Mb/s; fitted)", 58,
                           s["connections"]["tcp_send"]["throughput_mbps"],
                           0.05, plot))
    if linux_dir:
        s = load_summary(os.path.join(linux_dir, "summary.json"))
        out.append(rel_row("P", "Linux to Linux (Mb/s; fitted)", 81,
                           s["connections"]["tcp_send"]["throughput_mbps"],
                           0.05, plot))
    return out


def f5_seed_rows(sweep_dir, plot=None):
    """F5's rows over every point (seed) of a sweep of fig5: for each row,
    the range of our values and in how many seeds it holds."""
    pdir = os.path.join(sweep_dir, "points")
    per_seed = []
    for p in sorted(os.listdir(pdir)):
        d = os.path.join(pdir, p)
        seed = load_summary(os.path.join(d, "summary.json"))["sim"]["seed"]
        per_seed.append((seed, f5_rows(d, plot)))
    out = []
    seeds = [s for s, _ in per_seed]
    for i, first in enumerate(per_seed[0][1]):
        rows = [rs[i] for _, rs in per_seed]
        held = sum(1 for r in rows if r.ok)
        ours = ", ".join(r.ours for r in rows)
        out.append(Row("F5", f"{first.what} — seeds "
                       f"{', '.join(str(s) for s in seeds)}", first.paper,
                       ours, "", first.tol, held == len(rows), plot))
        out[-1].held = f"{held} of {len(rows)}"
    return out


# ---- beyond the paper: one host, many bulk customers (isp_bulk.ini) ----

ISP_CLASSES = (("premium", "p"), ("standard", "s"), ("best effort", "b"))


def isp_bulk_points(sweep_dir):
    """Per point of the isp_bulk sweep: the swept values and, per class of
    customer, the mean, the lowest and the transmit-reservation theory
    (Mb/s)."""
    out = []
    for row in read_csv(os.path.join(sweep_dir, "sweep.csv")):
        s = load_summary(os.path.join(sweep_dir, "points",
                                      f"{int(row['point']):04d}",
                                      "summary.json"))
        p = {"best_effort": row["best_effort"] == "true",
             "driver_slice": row["driver_slice"],
             "driver_cpu_share":
                 s["domains"]["nemesis_driver"]["cpu_share"]}
        for cls, prefix in ISP_CLASSES:
            names = sorted(n for n in s["connections"]
                           if n[0] == prefix and n[1:].isdigit())
            got = [s["connections"][n]["throughput_mbps"] for n in names]
            theory = [s["channels"][n]["theory_payload_mbps"]
                      for n in names if n in s["channels"]]
            p[cls] = {"n": len(names), "mean": sum(got) / len(got),
                      "min": min(got), "total": sum(got),
                      "theory": (sum(theory) / len(theory)
                                 if theory and prefix != "b" else None)}
        out.append(p)
    return out


def isp_bulk_rows(sweep_dir, plot=None):
    pts = isp_bulk_points(sweep_dir)
    rows = []
    worst = min(p["standard"]["min"] / p["standard"]["theory"] for p in pts)
    rows.append(Row("ISP bulk", "standard customers: lowest throughput / their "
                    "transmit reservation's theory, over all four points",
                    "≥ 97%", f"{worst * 100:.1f}%", "", "≥ 97%",
                    worst >= 0.97, plot))

    def change(slice_):
        on = [p for p in pts if p["driver_slice"] == slice_ and
              p["best_effort"]][0]
        off = [p for p in pts if p["driver_slice"] == slice_ and
               not p["best_effort"]][0]
        return (on["premium"]["mean"] / off["premium"]["mean"] - 1,
                on, off)

    big = max((p["driver_slice"] for p in pts), key=time_value)
    small = min((p["driver_slice"] for p in pts), key=time_value)
    d, on, off = change(big)
    rows.append(Row("ISP bulk", f"premium customers, driver reserved {big} per "
                    "10 ms: change when 12 best-effort customers start",
                    "isolated", f"{d * 100:+.1f}% ({off['premium']['mean']:.2f}"
                    f" → {on['premium']['mean']:.2f} Mb/s)", "", "±3%",
                    abs(d) <= 0.03, plot))
    d, on, off = change(small)
    rows.append(Row("ISP bulk", f"premium customers, the release's driver QoS "
                    f"({small} per 10 ms): change when 12 best-effort "
                    "customers start (informative)", "—",
                    f"{d * 100:+.1f}% ({off['premium']['mean']:.2f} → "
                    f"{on['premium']['mean']:.2f} Mb/s); driver CPU "
                    f"{on['driver_cpu_share'] * 100:.0f}%", "", "", None, plot))
    return rows


# ---- beyond the paper: the ISP's web sites (isp.ini, isp_unix.ini,
# isp_sizing.ini) ---------------------------------------------------------

def isp_sweep(sweep_dir):
    """sweep.csv of an ISP sweep as a list of dicts, numbers as floats
    (the swept texts kept as they are)."""
    out = []
    for row in read_csv(os.path.join(sweep_dir, "sweep.csv")):
        r = {}
        for k, v in row.items():
            try:
                r[k] = float(v)
            except ValueError:
                r[k] = v
        out.append(r)
    return out


def _pick(pts, **want):
    return [p for p in pts if all(p[k] == v for k, v in want.items())]


def isp_rows(nem_dir, unix_dir=None, sizing_dir=None, plot=None):
    """The ISP questions, answered from the sweeps.  The isolation row
    is a check (a prediction of the mechanisms: a site whose CPU is its
    own contract, with what it shares reserved, does not see its
    neighbour's load); the others are informative."""
    pts = isp_sweep(nem_dir)
    rates = sorted({p["be_rate"] for p in pts})
    lo, hi = rates[0], rates[-1]
    drivers = sorted({p["driver"] for p in pts}, key=lambda d: time_value(
        d.split(",")[1].strip()))
    release, reserved = drivers[0], drivers[-1]
    rows = []

    def one(**kw):
        got = _pick(pts, **kw)
        assert len(got) == 1, kw
        return got[0]

    def change(col, **kw):
        a, b = one(be_rate=lo, **kw), one(be_rate=hi, **kw)
        return b[col] / a[col] - 1, a, b

    d, a, b = change("premium_lan_p99_s", driver=reserved,
                     premium_extra="false")
    rows.append(Row("ISP", f"premium, LAN clients, its CPU contract without "
                    f"slack, driver ({reserved}) and flow manager reserved: "
                    f"p99 response time, best effort {lo:g} → {hi:g} "
                    f"requests/s", "isolated",
                    f"{d * 100:+.1f}% ({a['premium_lan_p99_s']:.3f} → "
                    f"{b['premium_lan_p99_s']:.3f} s; p50 "
                    f"{a['premium_lan_p50_s'] * 1e3:.1f} → "
                    f"{b['premium_lan_p50_s'] * 1e3:.1f} ms)", "", "±25%",
                    abs(d) <= 0.25, plot))
    b2 = one(be_rate=hi, driver=reserved, premium_extra="false")
    rows.append(Row("ISP", f"the same, premium's timed-out requests at "
                    f"{hi:g} best-effort requests/s", "0",
                    f"{b2['premium_timed_out']:.0f}", "", "0",
                    b2["premium_timed_out"] == 0, plot))
    d, a, b = change("premium_lan_p99_s", driver=release,
                     premium_extra="false")
    rows.append(Row("ISP", f"the same with the release's driver ({release}) "
                    f"and flow manager QoS (informative)", "—",
                    f"{d * 100:+.1f}% ({a['premium_lan_p99_s']:.3f} → "
                    f"{b['premium_lan_p99_s']:.3f} s); the driver waited "
                    f"runnable {b['driver_wait_share'] * 100:.0f}% of the "
                    f"time", "", "", None, plot))
    d, a, b = change("premium_lan_p99_s", driver=reserved,
                     premium_extra="true")
    rows.append(Row("ISP", "premium with slack (extra = true): p99, the "
                    "slack it used going to the flash crowd (informative)",
                    "—", f"{d * 100:+.1f}% ({a['premium_lan_p99_s']:.3f} → "
                    f"{b['premium_lan_p99_s']:.3f} s)", "", "", None, plot))
    worst = max((p for p in pts if p["driver"] == reserved and
                 p["premium_extra"] == "false"),
                key=lambda p: p["premium_wan_p99_s"])
    calm = one(be_rate=lo, driver=reserved, premium_extra="false")
    rows.append(Row("ISP", "premium, clients behind the T3: p99 when the "
                    "flash crowd fills the line (the host cannot reserve "
                    "the routers' queue; informative)", "—",
                    f"{calm['premium_wan_p99_s']:.2f} → "
                    f"{worst['premium_wan_p99_s']:.2f} s at "
                    f"{worst['be_rate']:g} requests/s: T3 "
                    f"{worst['t3_utilization'] * 100:.0f}% busy, "
                    f"{worst['t3_drops']:.0f} packets dropped at its "
                    f"queue", "", "", None, plot))
    if unix_dir:
        u = isp_sweep(unix_dir)
        ua, ub = _pick(u, be_rate=lo)[0], _pick(u, be_rate=hi)[0]
        d = ub["premium_lan_p99_s"] / ua["premium_lan_p99_s"] - 1
        rows.append(Row("ISP", "the same sites on a Linux host "
                        "(isp_unix.ini): premium's LAN clients' p99 "
                        "(informative)", "—",
                        f"{d * 100:+.0f}% ({ua['premium_lan_p99_s']:.3f} → "
                        f"{ub['premium_lan_p99_s']:.3f} s; p50 "
                        f"{ua['premium_lan_p50_s'] * 1e3:.1f} → "
                        f"{ub['premium_lan_p50_s'] * 1e3:.1f} ms)", "", "",
                        None, plot))
        first = min((p for p in u if p["t3_drops"] > 0),
                    key=lambda p: p["be_rate"], default=None)
        if first:
            rows.append(Row("ISP", "Linux host: first best-effort load "
                            "whose bursts overflow the T3's queue "
                            "(informative)", "—",
                            f"{first['be_rate']:g} requests/s (T3 "
                            f"{first['t3_utilization'] * 100:.0f}% busy, "
                            f"{first['t3_drops']:.0f} drops; premium's "
                            f"remote p99 {first['premium_wan_p99_s']:.2f} "
                            f"s)", "", "", None, plot))
    if sizing_dir:
        z = isp_sweep(sizing_dir)
        z.sort(key=lambda p: p["premium_slice_s"])
        # What a host can promise: the contracts of one Nemesis CPU add
        # up to at most 1 (admission control); the driver and flow
        # manager reserved as in isp.ini, and the standard site's 10%.
        d_share = time_value(reserved.split(",")[1].strip()) / \
            time_value(reserved.split(",")[0].strip())
        fixed = d_share + 0.02 + 0.10
        for target in (1.0, 0.5):
            ok = [p for p in z if p["premium_lan_p99_s"] <= target]
            fit = ""
            if ok:
                share = ok[0]["premium_slice_s"] / 0.010
                n = int((1 - fixed) / share + 1e-9)
                fit = (f"; with the driver ({d_share * 100:.0f}%), flow "
                       f"manager (2%) and standard (10%) reserved, "
                       f"{n} such premium customer"
                       f"{'' if n == 1 else 's'} fit"
                       f"{'s' if n == 1 else ''} the CPU's admission")
            rows.append(Row("ISP", f"sizing (isp_sizing.ini): smallest "
                            f"premium CPU slice per 10 ms for a LAN p99 "
                            f"≤ {target:g} s (informative)", "—",
                            (f"{ok[0]['premium_slice']} (p99 "
                             f"{ok[0]['premium_lan_p99_s']:.3f} s; it uses "
                             f"{ok[0]['premium_cpu_share'] * 100:.1f}% of "
                             f"the CPU on average{fit})") if ok
                            else "none swept", "", "", None, plot))
    return rows


def isp_class_table(nem_dir):
    """Markdown rows: each customer's p50 / p99 response time at each
    best-effort load (driver reserved, premium without slack)."""
    pts = isp_sweep(nem_dir)
    drivers = sorted({p["driver"] for p in pts}, key=lambda d: time_value(
        d.split(",")[1].strip()))
    rows = sorted((p for p in pts if p["driver"] == drivers[-1] and
                   p["premium_extra"] == "false"), key=lambda p: p["be_rate"])
    out = ["| best effort (requests/s) | premium, LAN | premium, T3 | "
           "standard, T3 | best effort, T3 | best effort timed out | T3 "
           "busy |", "|---|---|---|---|---|---|---|"]

    def pair(p, a, b):
        return f"{p[a] * 1e3:.0f} / {p[b] * 1e3:.0f} ms"
    for p in rows:
        out.append(f"| {p['be_rate']:g} | "
                   f"{pair(p, 'premium_lan_p50_s', 'premium_lan_p99_s')} | "
                   f"{pair(p, 'premium_wan_p50_s', 'premium_wan_p99_s')} | "
                   f"{pair(p, 'standard_p50_s', 'standard_p99_s')} | "
                   f"{pair(p, 'besteffort_p50_s', 'besteffort_p99_s')} | "
                   f"{p['besteffort_timed_out']:.0f} | "
                   f"{p['t3_utilization'] * 100:.0f}% |")
    return out
