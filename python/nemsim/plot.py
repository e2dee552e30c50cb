"""`nemsim plot DIR [--out PNG_DIR]`: pictures of whatever a run or a
sweep folder contains.

A run:   summary.png      over the measurement window: throughput of each
                          connection, where each domain's CPU time went,
                          each transmit channel against its reservation,
                          each NIC's share of the wire and collisions
         throughput.png   throughput of each connection over time
         cpu_<host>.png   CPU share of each domain over time (if the run
                          wrote cpu_<host>.csv: [output] cpu_series)
         timeseq_<c>.png  time-sequence graph of connection c from the
                          simulator's trace ([output] timeseq)
         pcap_<p>_<c>.png time-sequence graph of each TCP connection in
                          capture <p>.pcap ([output] pcap), tcptrace style
A sweep: sweep.png        each [sweep] column against the swept keys;
                          with several seeds, the mean and a 95%
                          confidence interval (Student t) over them

Every picture is titled with the scenario and seed(s) and shades the
measurement window where time is the x axis.  Nothing here knows the
paper's hosts: names come from the run's own files.
"""
import argparse
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import frames, load, units  # noqa: E402

DPI = 110


# ---- common -------------------------------------------------------------


def _title(info, extra=""):
    scn = info.get("scenario") or "?"
    seed = info.get("seed")
    ov = info.get("overrides") or ""
    t = f"{scn}, seed {seed}" if seed is not None else scn
    if extra:
        t = f"{extra} — {t}"
    return t, ov


def _finish(fig, ax_or_none, info, path, extra_title="", footer=None):
    title, ov = _title(info, extra_title)
    fig.suptitle(title, fontsize=11)
    foot = footer if footer is not None else (
        f"overrides: {ov}" if ov else "")
    if foot:
        fig.text(0.01, 0.01, foot, ha="left", va="bottom", fontsize=7,
                 color="grey", wrap=True)
    fig.tight_layout(rect=(0, 0.04 if foot else 0, 1, 1))
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _shade_window(ax, info, tmin=None, tmax=None):
    w0, w1 = info.get("measure_from_s"), info.get("measure_to_s")
    if w0 is None or w1 is None or w1 <= w0:
        return
    w0 = max(w0, tmin) if tmin is not None else w0
    w1 = min(w1, tmax) if tmax is not None else w1
    if w1 <= w0:
        return
    ax.axvspan(w0, w1, color="tab:grey", alpha=0.12, lw=0,
               label="measurement window", zorder=0)


def _ranged(df, col, tmin, tmax):
    if tmin is not None:
        df = df[df[col] >= tmin]
    if tmax is not None:
        df = df[df[col] <= tmax]
    return df


# ---- a run --------------------------------------------------------------


def plot_summary(run, out, info):
    """Bars over the measurement window: each connection's throughput;
    each domain's CPU share split into contracted, slack and
    waiting-while-runnable; each transmit channel's rate against what its
    reservation gives; each NIC's share of the wire and its collisions."""
    conns = frames.family(run, "connections")
    doms = frames.family(run, "domains")
    chans = frames.family(run, "channels")
    nics = frames.family(run, "nics")
    hosts = frames.family(run, "hosts")
    panels = [p for p, df in (("conns", conns), ("doms", doms),
                              ("chans", chans), ("nics", nics))
              if not df.empty]
    if not panels:
        return None
    ncol = min(2, len(panels))
    nrow = math.ceil(len(panels) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6 * ncol, 3.8 * nrow),
                             squeeze=False)
    flat = [a for row in axes for a in row]
    for a in flat[len(panels):]:
        a.axis("off")
    axes = dict(zip(panels, flat))

    def names(ax, index):
        ax.set_xticks(range(len(index)))
        ax.set_xticklabels(index, rotation=30 if len(index) > 3 else 0,
                           ha="right" if len(index) > 3 else "center",
                           fontsize=8)

    if "conns" in axes:
        ax = axes["conns"]
        ax.bar(range(len(conns)), conns.throughput_mbps, color="tab:blue")
        for i, v in enumerate(conns.throughput_mbps):
            ax.text(i, v, f"{v:.3g}", ha="center", va="bottom", fontsize=8)
        names(ax, conns.index)
        ax.set_ylabel("Mb/s (payload delivered)")
        ax.set_title("throughput of each connection", fontsize=10)
    if "doms" in axes:
        ax = axes["doms"]
        x = range(len(doms))
        c = 100 * doms.contracted_share
        s = 100 * doms.slack_share
        w = 100 * doms.wait_share
        ax.bar(x, c, color="tab:blue", label="ran, contracted")
        ax.bar(x, s, bottom=c, color="tab:cyan", label="ran, slack")
        ax.bar(x, w, bottom=c + s, color="white", edgecolor="tab:red",
               hatch="///", label="runnable, not running")
        names(ax, doms.index)
        ax.set_ylabel("% of the measurement window")
        ax.set_ylim(0, 100)
        ax.set_title("CPU of each Nemesis domain", fontsize=10)
        ax.legend(fontsize=7, loc="upper right")
    if "chans" in axes:
        ax = axes["chans"]
        x = range(len(chans))
        ax.bar(x, chans.tx_mbps, color="tab:green",
               label="sent (frame bits, Mb/s)")
        ax.plot(x, chans.theory_payload_mbps, "k_", ms=18, mew=2,
                zorder=5, label="reservation's theory (payload)")
        for i, (n, r) in enumerate(chans.iterrows()):
            if r.get("idle_with_slice_left", 0) > 0:
                ax.text(i, max(r.tx_mbps, r.theory_payload_mbps) * 1.02,
                        "idle with slice left\n"
                        f"{int(r.idle_with_slice_left)}x in the run",
                        ha="center", va="bottom", fontsize=6)
        names(ax, chans.index)
        ax.set_ylabel("Mb/s")
        ax.set_title("transmit channels", fontsize=10)
        top = max(chans.tx_mbps.max(), chans.theory_payload_mbps.max())
        ax.set_ylim(0, 1.35 * top if top > 0 else 1)
        ax.legend(fontsize=7, loc="upper left")
    if "nics" in axes:
        ax = axes["nics"]
        x = range(len(nics))
        ax.bar(x, 100 * nics.utilization, color="tab:purple")
        for i, (n, r) in enumerate(nics.iterrows()):
            ax.text(i, 100 * r.utilization,
                    f"{r.collisions_per_frame:.2f} coll/frame\n"
                    f"p99 access {r.access_delay_p99_us:.0f} µs",
                    ha="center", va="bottom", fontsize=6)
        names(ax, nics.index)
        ax.set_ylabel("% of the window on the wire")
        ax.set_ylim(0, 115)
        ax.set_title("NICs: their successful frames' share of the wire",
                     fontsize=10)
    footer = ("over the measurement window "
              f"{info.get('measure_from_s')}–{info.get('measure_to_s')} s")
    if not hosts.empty and "kernel_cpu_share" in hosts.columns:
        ks = hosts.kernel_cpu_share.dropna()
        if len(ks):
            footer += "; Unix kernels' CPU over the whole run: " + \
                ", ".join(f"{h} {100 * v:.0f}%" for h, v in ks.items())
    return _finish(fig, None, info, os.path.join(out, "summary.png"),
                   "summary", footer)


def plot_throughput(run, out, info, tmin=None, tmax=None):
    tp = _ranged(frames.throughput(run), "time_s", tmin, tmax)
    if tp.empty:
        return None
    fig, ax = plt.subplots(figsize=(9, 4.2))
    _shade_window(ax, info, tmin, tmax)
    summ = frames.family(run, "connections")
    for c, sub in tp.groupby("connection", sort=False):
        mean = summ.throughput_mbps.get(c, math.nan)
        ax.plot(sub.time_s, sub.throughput_mbps, lw=1,
                label=f"{c} (window mean {mean:.3g})")
    ax.set_xlabel("time (s)")
    dt = tp.time_s.diff()
    dt = dt[dt > 0].min() if (dt > 0).any() else float("nan")
    ax.set_ylabel(f"throughput per {dt * 1e3:.0f} ms (Mb/s)")
    ax.set_ylim(bottom=0)
    if tmin is not None or tmax is not None:
        ax.set_xlim(tp.time_s.min(), tp.time_s.max())
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1),
              borderaxespad=0)
    return _finish(fig, ax, info, os.path.join(out, "throughput.png"),
                   "throughput of each connection")


def plot_cpu(run, out, info, tmin=None, tmax=None):
    made = []
    cpu = _ranged(frames.cpu(run), "time_s", tmin, tmax)
    for host, sub in cpu.groupby("cpu", sort=False):
        doms = list(dict.fromkeys(sub.domain))
        doms = [d for d in doms if d != "idle"] + ["idle"]
        piv = sub.pivot_table(index="time_s", columns="domain",
                              values="share", aggfunc="sum").fillna(0)
        shown = [d for d in doms if d in piv.columns
                 and piv[d].max() > 0.001]
        fig, ax = plt.subplots(figsize=(9, 4.2))
        colours = [None] * len(shown)
        if shown and shown[-1] == "idle":
            colours[-1] = "lightgrey"
        cmap = plt.get_cmap("tab20")
        colours = [c or cmap(i % 20) for i, c in enumerate(colours)]
        ax.stackplot(piv.index, [piv[d] for d in shown], labels=shown,
                     colors=colours, step="pre")
        w0, w1 = info.get("measure_from_s"), info.get("measure_to_s")
        lo, hi = piv.index.min(), piv.index.max()
        if w0 is not None:
            for x in (w0, w1):
                if lo <= x <= hi:
                    ax.axvline(x, color="black", lw=0.8, ls="--")
            if lo <= w0 <= hi:
                ax.text(w0, 1.01, " measurement window →", fontsize=7,
                        transform=ax.get_xaxis_transform(), va="bottom")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("share of the CPU per sample")
        ax.set_ylim(0, 1)
        ax.set_xlim(piv.index.min(), piv.index.max())
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1),
                  borderaxespad=0)
        made.append(_finish(fig, ax, info,
                            os.path.join(out, f"cpu_{host}.png"),
                            f"CPU of host {host} by domain"))
    return made


def _tseq_axes(ax, t_data, top, t_ack, ack, win, title, legend=True):
    ax.vlines(t_data, top[0], top[1], color="black", lw=0.8,
              label="segment sent")
    if len(t_ack):
        ax.step(t_ack, ack, where="post", color="tab:blue", lw=0.9,
                ls=":", label="highest ACK")
        ax.step(t_ack, win, where="post", color="tab:green", lw=0.9,
                label="ACK + offered window")
    ax.set_ylabel("sequence (kB)")
    if legend:
        ax.legend(fontsize=7, loc="upper left")
    if title:
        ax.set_title(title, fontsize=9)


def _zoom_span(t_data, info, tmin, tmax, segments=40):
    """The interval the lower panel shows: what --from/--to ask, else
    from the start of the measurement window (or the first segment) to
    the 40th segment after it."""
    if tmin is not None and tmax is not None:
        return tmin, tmax
    t = sorted(t_data)
    if not t:
        return None
    start = tmin if tmin is not None else max(
        info.get("measure_from_s") or 0, t[0])
    after = [x for x in t if x >= start]
    if len(after) < 2:
        after = t
        start = t[0]
    end = after[min(len(after) - 1, segments)]
    pad = (end - start) * 0.02 or 1e-3
    return start - pad, end + pad


def _tseq_figure(info, path, what, title, d_t, d_lo, d_hi, a_t, a_ack,
                 a_win, tmin, tmax):
    """Two panels: the whole connection, and a zoom where each segment,
    the ACK line and the window line can be told apart."""
    fig, (top, low) = plt.subplots(2, 1, figsize=(9, 7),
                                   gridspec_kw={"height_ratios": [1, 1.6]})
    _shade_window(top, info)
    _tseq_axes(top, d_t, (d_lo, d_hi), a_t, a_ack, a_win, title)
    span = _zoom_span(list(d_t), info, tmin, tmax)
    if span:
        top.axvspan(*span, color="tab:orange", alpha=0.35, lw=0,
                    label="zoomed below")
        top.legend(fontsize=7, loc="upper left")
        z0, z1 = span

        def sel(t):
            return (t >= z0) & (t <= z1)
        ds, as_ = sel(d_t), sel(a_t)
        # The ACK and window lines start from the last ACK before z0.
        prev = a_t[a_t < z0]
        if len(prev):
            as_ = as_ | (a_t == prev.max())
        _tseq_axes(low, d_t[ds], (d_lo[ds], d_hi[ds]), a_t[as_],
                   a_ack[as_], a_win[as_],
                   f"zoom: {z0:.4g}–{z1:.4g} s", legend=False)
        low.set_xlim(z0, z1)
        lo = d_lo[ds].min() if ds.any() else 0
        hi = max(d_hi[ds].max() if ds.any() else 1,
                 a_win[as_ & (a_t >= z0)].max() if (as_ & (a_t >= z0)).any()
                 else 0)
        low.set_ylim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
    low.set_xlabel("time (s)")
    return _finish(fig, None, info, path, what)


def plot_timeseq(run, out, info, tmin=None, tmax=None):
    made = []
    for name in load.series_files(run):
        if not name.startswith("timeseq_"):
            continue
        conn = name[len("timeseq_"):]
        ts = frames.timeseq(run, conn)
        if ts.empty:
            continue
        d = ts[(ts.direction == "out") & (ts.len > 0)]
        a = ts[ts.direction == "in"]
        made.append(_tseq_figure(
            info, os.path.join(out, f"timeseq_{conn}.png"),
            f"time-sequence graph of {conn}",
            f"the sender's trace of {conn}; retransmitted segments: "
            f"{int(d.rexmt.sum())}", d.time_s.values, d.seq.values / 1e3,
            (d.seq + d.len).values / 1e3, a.time_s.values,
            a.ack.values / 1e3, (a.ack + a.win).values / 1e3, tmin, tmax))
    return made


SCENARIO = None  # --scenario


def _conn_names(run):
    """Port -> connection name: from the run's summary.json (the ports
    the simulator used), else from the scenario if it can be found
    (--scenario, else by its name in scenarios/, docs/examples/ or the
    current folder)."""
    n = load.run_names(run)
    if n["connections"] and not SCENARIO:
        return {c["port"]: name for name, c in n["connections"].items()}
    scn = SCENARIO or load.find_scenario(run)
    if not scn:
        return {}
    try:
        n = load.names(scn)
    except load.OutputError:
        return {}
    return {c["port"]: name for name, c in n["connections"].items()}


def plot_pcaps(run, out, info, tmin=None, tmax=None):
    made = []
    names = None
    for f in sorted(os.listdir(run)):
        if not f.endswith(".pcap"):
            continue
        cap = f[:-5]
        pc = frames.pcap(os.path.join(run, f))
        data = pc[pc.len > 0]
        if names is None:
            names = _conn_names(run)
        for (src, dst, sp, dp), d in data.groupby(
                ["src", "dst", "sport", "dport"], sort=True):
            if len(d) < 2:
                continue
            a = pc[(pc.src == dst) & (pc.dst == src) & (pc.sport == dp)
                   & (pc.dport == sp)]
            base = int(d.seq.iloc[0])
            rel = (d.seq - base) % 2**32
            arel = (a.ack - base) % 2**32
            conn = names.get(dp) or names.get(sp) or f"port{dp}"
            made.append(_tseq_figure(
                info, os.path.join(out, f"pcap_{cap}_{conn}.png"),
                f"time-sequence graph of {conn}",
                f"{conn}: {src}:{sp} → {dst}:{dp}, as captured at {cap}",
                d.time_s.values, rel.values / 1e3,
                (rel + d.len).values / 1e3, a.time_s.values,
                arel.values / 1e3, (arel + a.win).values / 1e3, tmin,
                tmax))
    return made


def plot_schedule(run, out, info):
    """schedule.png: the paper's Figure 2 for the run's [output]
    schedule_from..schedule_to: one row per domain of each CPU and per
    channel of each transmit scheduler; dark bars contracted time, light
    bars slack, the CPU's idle time in grey."""
    path = os.path.join(run, "schedule.csv")
    if not os.path.exists(path):
        return []
    rows = load.read_csv(path)
    if not rows:
        return []
    lanes = []  # (resource, who), in order of first appearance
    for r in rows:
        k = (r["resource"], r["who"])
        if k not in lanes:
            lanes.append(k)
    lanes.sort(key=lambda k: (k[0], k[1] == "idle", k[1]))
    t0 = min(int(r["start_ns"]) for r in rows)
    t1 = max(int(r["end_ns"]) for r in rows)
    scale, unit = (1e-3, "µs") if t1 - t0 < 2e6 else (1e-6, "ms")
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.35 * len(lanes)))
    colors = {"contracted": "tab:blue", "slack": "lightsteelblue",
              "idle": "lightgrey"}
    for r in rows:
        y = lanes.index((r["resource"], r["who"]))
        a = (int(r["start_ns"]) - t0) * scale
        w = (int(r["end_ns"]) - int(r["start_ns"])) * scale
        ax.broken_barh([(a, w)], (y - 0.35, 0.7),
                       facecolors=colors.get(r["kind"], "black"))
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels([f"{res}: {who}" for res, who in lanes], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, (t1 - t0) * scale)
    ax.set_xlabel(f"time since {t0 / 1e9:.6g} s ({unit})")
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=c, label=k) for k, c in colors.items()],
              fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3,
              frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return [_finish(fig, ax, info, os.path.join(out, "schedule.png"),
                    "schedule: who ran on the CPU, what each channel sent",
                    footer="cpu.<host>: domains on the CPU (contracted "
                    "slice, slack, idle); tx.<host>: frames the transmit "
                    "scheduler handed to the card, as the link time "
                    "charged to each channel")]


def plot_run(run, out, tmin=None, tmax=None):
    info = frames.info(run)
    made = [plot_summary(run, out, info)]
    if os.path.exists(os.path.join(run, "throughput.csv")):
        made.append(plot_throughput(run, out, info, tmin, tmax))
    made += plot_cpu(run, out, info, tmin, tmax)
    made += plot_timeseq(run, out, info, tmin, tmax)
    made += plot_pcaps(run, out, info, tmin, tmax)
    made += plot_schedule(run, out, info)
    return [m for m in made if m]


# ---- a sweep ------------------------------------------------------------

_DISPLAY = {"s": [(1e-6, "µs"), (1e-3, "ms"), (1.0, "s")],
            "bps": [(1.0, "b/s"), (1e3, "kb/s"), (1e6, "Mb/s"),
                    (1e9, "Gb/s")],
            "m": [(1.0, "m"), (1e3, "km")]}


def _display(key, values):
    """(label, scale) for an axis of a swept key: carnage_slice_s with
    values up to 14 ms -> ('carnage_slice (ms)', 1e3)."""
    for suffix, scales in _DISPLAY.items():
        if key.endswith("_" + suffix):
            top = max((abs(v) for v in values if v == v), default=0)
            f, name = scales[0]
            for ff, nn in scales:
                if top >= ff:
                    f, name = ff, nn
            return f"{key[:-len(suffix) - 1]} ({name})", 1 / f
    return key, 1.0


def plot_sweep(sweep_dir, out):
    sw = frames.sweep(sweep_dir)
    keys = sw.attrs["keys"]
    cols = [c for c in sw.attrs["columns"]
            if str(sw[c].dtype).startswith(("float", "int"))]
    seed = next((k for k in keys if k in frames.SEED_KEYS), None)
    others = [k for k in keys if k != seed and sw[k].nunique() > 1]
    rep = frames.replicates(sw, over=seed, columns=cols)
    first = load.point_dirs(sweep_dir)[0]
    info = frames.info(first)
    seeds = sorted(set(sw[seed])) if seed else [info.get("seed")]
    info = dict(info, seed=None)
    seed_txt = (f"seed {seeds[0]}" if len(seeds) == 1 else
                f"seeds {', '.join(str(int(s)) for s in seeds)}")
    n = len(cols)
    if n == 0:
        return []
    ncol = min(n, 3)
    nrow = math.ceil(n / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5 * ncol, 3.8 * nrow),
                             squeeze=False)
    # x: the numeric key with the most values (else a text key, drawn
    # as categories); the other keys give one line each.
    numeric = [k for k in others
               if str(sw[k].dtype).startswith(("float", "int"))]
    x = (max(numeric, key=lambda k: sw[k].nunique()) if numeric else
         others[0] if others else None)
    cats = None
    if x is not None and x not in numeric:
        cats = {v: i for i, v in enumerate(dict.fromkeys(sw[x]))}
    lines = [k for k in others if k != x]
    # Zipped keys vary together: label a line by every key that varies
    # within it (raw texts, as the scenario wrote them).
    raw = dict(zip(sw.attrs["keys"], sw.attrs["raw_keys"]))
    for i, c in enumerate(cols):
        ax = axes[i // ncol][i % ncol]
        if x is None:
            # Only seeds vary: each seed, and the mean with its interval.
            ax.plot(range(len(sw)), sw[c], "o", color="tab:blue",
                    label="one run")
            r = rep.iloc[0]
            ax.axhline(r[f"{c}_mean"], color="black", lw=1,
                       label=f"mean {r[f'{c}_mean']:.4g}")
            if r[f"{c}_ci95"] == r[f"{c}_ci95"]:
                ax.axhspan(r[f"{c}_mean"] - r[f"{c}_ci95"],
                           r[f"{c}_mean"] + r[f"{c}_ci95"],
                           color="tab:grey", alpha=0.3,
                           label=f"95% CI ±{r[f'{c}_ci95']:.3g}")
            ax.set_xticks(range(len(sw)))
            ax.set_xticklabels([str(int(s)) for s in sw[seed]]
                               if seed else sw.point)
            ax.set_xlabel(seed or "point")
        else:
            xl, xs = _display(x, sw[x]) if cats is None else (x, 1.0)
            groups = rep.groupby(lines[0] if len(lines) == 1 else lines,
                                 sort=False) if lines else [("", rep)]
            for g, sub in groups:
                g = g if isinstance(g, tuple) else (g,)
                sub = (sub.sort_values(x) if cats is None else
                       sub.iloc[sorted(range(len(sub)),
                                       key=lambda i: cats[sub[x].iloc[i]])])
                lab = ", ".join(
                    f"{raw.get(k, k)}={_fmt(sw, k, v)}"
                    for k, v in zip(lines, g)) or None
                err = sub[f"{c}_ci95"] if seed else None
                xv = (sub[x] * xs if cats is None else
                      [cats[v] for v in sub[x]])
                ax.errorbar(xv, sub[f"{c}_mean"], yerr=err,
                            marker="o", ms=3, capsize=3 if seed else 0,
                            lw=1, label=lab,
                            ls="-" if cats is None else "none")
            ax.set_xlabel(xl)
            if cats is not None:
                ax.set_xticks(list(cats.values()))
                ax.set_xticklabels(list(cats), fontsize=8)
            if any(lines):
                ax.legend(fontsize=6)
        ax.set_ylabel(c)
        ax.set_title(c + (" (mean, 95% CI over seeds)" if seed and x else
                          ""), fontsize=9)
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].axis("off")
    if x is None and n:
        axes[0][0].legend(fontsize=7)
    what = f"sweep of {len(sw)} points"
    foot = (f"{what}; swept: {', '.join(sw.attrs['raw_keys'])}; "
            "columns as named in [sweep] columns")
    title = f"{info.get('scenario')}, {seed_txt}"
    fig.suptitle(title, fontsize=11)
    fig.text(0.01, 0.01, foot, ha="left", va="bottom", fontsize=7,
             color="grey")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path = os.path.join(out, "sweep.png")
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return [path]


def _fmt(sw, key, v):
    """A swept value as the scenario wrote it (the raw text), if known."""
    raw = dict(zip(sw.attrs["keys"], sw.attrs["raw_keys"]))
    r = raw.get(key)
    if r and r != key and r in sw.columns:
        m = sw[sw[key] == v]
        if len(m):
            return m[r].iloc[0]
    return f"{v:g}" if isinstance(v, float) else str(v)


# ---- the command --------------------------------------------------------


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="nemsim plot",
        description="Draw what a nemsim run or sweep folder contains "
        "(PNG files).")
    p.add_argument("dir", metavar="DIR", help="a run folder (with "
                   "summary.json) or a sweep folder (with sweep.csv)")
    p.add_argument("--out", "-o", metavar="PNG_DIR",
                   help="where to write the pictures (default DIR/plots)")
    p.add_argument("--from", dest="tmin", type=units.parse_time,
                   metavar="TIME", help="start of the time axis (e.g. 10s)")
    p.add_argument("--to", dest="tmax", type=units.parse_time,
                   metavar="TIME", help="end of the time axis (e.g. 10.5s)")
    p.add_argument("--scenario", metavar="FILE",
                   help="the run's scenario, to name the connections of a "
                   "capture (default: found by name in scenarios/, "
                   "docs/examples/ or the current folder)")
    a = p.parse_args(argv)
    global SCENARIO
    SCENARIO = a.scenario
    try:
        k = load.kind(a.dir)
        out = a.out or os.path.join(a.dir, "plots")
        os.makedirs(out, exist_ok=True)
        if k == "run":
            made = plot_run(a.dir, out, a.tmin, a.tmax)
        else:
            made = plot_sweep(a.dir, out)
    except load.OutputError as e:
        print(f"nemsim plot: {e}", file=sys.stderr)
        return 2
    for m in made:
        print(m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
