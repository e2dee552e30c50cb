"""nemsim's outputs as pandas DataFrames and Series, with numbers in SI
base units where the simulator wrote a unit string.

    import nemsim.frames as nf
    s = nf.summary("out/fig5")            # Series: 'connections.c1.throughput_mbps' -> 0.173
    nf.family("out/fig5", "connections")  # DataFrame: one row per connection
    nf.throughput("out/fig5")             # time_s, connection, throughput_mbps
    sw = nf.sweep("out/fig6")             # carnage_slice (text) and carnage_slice_s (s)
    nf.replicates(sw)                     # mean, sd, ci95, n over the seeds

Reading is done by nemsim.load (standard library); this module only
shapes the result.
"""
import math
import os

import pandas as pd

from . import load, units

SEED_KEYS = ("simulation.seed", "seed")


# ---- one run ----------------------------------------------------------------


def summary(run):
    """Every numeric entry of summary.json, flattened: a float Series
    indexed by dotted key ('links.lan.collisions').  Text entries
    (sim.scenario, sim.overrides, sim.version) are in info(run)."""
    flat = load.flatten(load.load_summary(run))
    num = {k: float(v) for k, v in flat.items()
           if isinstance(v, (int, float)) and not isinstance(v, bool)}
    s = pd.Series(num, dtype="float64", name=os.path.basename(
        os.path.normpath(run)))
    s.index.name = "key"
    return s


def info(run):
    """The text entries and the seed of a run's summary.json: scenario,
    seed, overrides, version, measure_from_s, measure_to_s, simulated_s."""
    sim = load.load_summary(run).get("sim", {})
    return dict(sim)


def summary_table(run):
    """summary.json as a long table: family (connections, domains, ...),
    name (c1, lan, ...; '' for sim), key (the rest of the path) and value
    (float)."""
    rows = []
    for k, v in summary(run).items():
        parts = k.split(".")
        if len(parts) == 2:
            fam, name, leaf = parts[0], "", parts[1]
        else:
            fam, name, leaf = parts[0], parts[1], ".".join(parts[2:])
        rows.append((fam, name, leaf, v))
    return pd.DataFrame(rows, columns=["family", "name", "key", "value"])


def family(run, fam):
    """One family of summary.json as a DataFrame: a row per instance
    (connection, domain, channel, nic, link, host, cpu, source) and a
    column per key.  family(run, 'connections').throughput_mbps"""
    t = summary_table(run)
    t = t[t.family == fam]
    if t.empty:
        return pd.DataFrame()
    df = t.pivot(index="name", columns="key", values="value")
    df.columns.name = None
    return df


def perf(run):
    """perf.json's numbers as a float Series (wall_s, events_per_s,
    peak_rss_kib...); its text (build_sha256) is in load.load_perf."""
    return pd.Series({k: float(v) for k, v in load.load_perf(run).items()
                      if isinstance(v, (int, float))
                      and not isinstance(v, bool)}, dtype="float64")


def series(run, name):
    """A CSV time series of the run by file name without .csv
    ('throughput', 'cpu_nemesis', 'timeseq_c1')."""
    path = os.path.join(run, name + ".csv")
    if not os.path.exists(path):
        load.load_summary(run)  # a missing run explains itself
        raise load.OutputError(f"{path}: no such time series (the "
                               "scenario's [output] did not ask for it)")
    return pd.read_csv(path)


def throughput(run):
    """throughput.csv: time_s, connection, throughput_mbps (payload
    delivered to the receiving application in each interval ending at
    time_s, in Mb/s)."""
    return series(run, "throughput")


def cpu(run):
    """Every cpu_<host>.csv of a run, concatenated: time_s, cpu, domain,
    share, contracted_share, slack_share.  Empty if none was written."""
    files = [n for n in load.series_files(run) if n.startswith("cpu_")]
    if not files:
        return pd.DataFrame(columns=["time_s", "cpu", "domain", "share",
                                     "contracted_share", "slack_share"])
    return pd.concat([series(run, n) for n in files], ignore_index=True)


def timeseq(run, connection):
    """timeseq_<connection>.csv: the sender's view of each segment sent
    and ACK received (time_s, direction, seq, len, ack, win, flags,
    rexmt)."""
    return series(run, "timeseq_" + connection)


def pcap(path):
    """TCP frames of a capture as a DataFrame (time_s, src, dst, sport,
    dport, seq, ack, win, len, flags)."""
    fr = load.read_pcap_tcp(path)
    df = pd.DataFrame(fr, columns=load.TcpFrame._fields)
    return df.rename(columns={"time": "time_s"})


# ---- sweeps -------------------------------------------------------------------


def sweep_keys(sweep_dir, df=None):
    """The swept keys' column names in sweep.csv (as written in [sweep]:
    'carnage_slice' for a [vars] variable, 'simulation.seed' for a
    group.key)."""
    if df is None:
        df = pd.read_csv(os.path.join(sweep_dir, "sweep.csv"), dtype=str)
    names = set(load.sweep_info(sweep_dir)["keys"])
    return [c for c in df.columns if c in names]


def numeric_columns(df, keys=()):
    """Make a DataFrame of texts numeric: a column of plain numbers
    becomes float; a column of quantities with units ('500us', '1.6ms',
    '0') keeps its texts and gets a float twin in SI base units named
    after the unit ('carnage_slice_s', 'rate_bps', 'cable_m') right after
    it.  Other columns are left as they are."""
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        vals = df[c]
        k = units.column_kind([v for v in vals if isinstance(v, str)
                               and v != ""])
        if k == "number":
            out[c] = pd.to_numeric(vals, errors="coerce")
        elif k in units.KINDS:
            out[c] = vals
            out[units.si_name(c, k)] = [
                units.parse(v, k) if isinstance(v, str) and v != ""
                else math.nan for v in vals]
        else:
            out[c] = vals
    return out


def sweep(sweep_dir):
    """sweep.csv with numbers: one row per point; swept keys with units
    get an SI twin column (see numeric_columns).  df.attrs['keys'] names
    the swept keys (their numeric columns), df.attrs['columns'] the
    [sweep] columns."""
    path = os.path.join(sweep_dir, "sweep.csv")
    if not os.path.exists(path):
        load.kind(sweep_dir)  # raises the explaining error
        raise load.OutputError(f"{path}: no such file")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    keys = sweep_keys(sweep_dir, raw)
    df = numeric_columns(raw)
    num_keys = []
    for k in keys:
        twins = [c for c in df.columns if c != k and c.startswith(k + "_")
                 and c[len(k) + 1:] in ("s", "bps", "m")]
        num_keys.append(twins[0] if twins else k)
    df.attrs["keys"] = num_keys
    df.attrs["raw_keys"] = keys
    df.attrs["columns"] = [c for c in raw.columns
                           if c != "point" and c not in keys]
    return df


def points(sweep_dir):
    """Every point's numeric summary.json as one row (columns: dotted
    keys), with the point number and the swept keys of sweep.csv."""
    sw = sweep(sweep_dir)
    rows = []
    for p in sw["point"]:
        s = summary(load.point_dir(sweep_dir, int(p)))
        s["point"] = int(p)
        rows.append(s)
    df = pd.DataFrame(rows).reset_index(drop=True)
    keep = [c for c in sw.columns if c == "point" or c in sw.attrs["keys"]
            or c in sw.attrs["raw_keys"]]
    return sw[keep].merge(df, on="point", how="left")


def replicates(df, over=None, columns=None):
    """Mean, sample standard deviation, 95% confidence half-width
    (Student t) and count of each result column over replications:
    the rows that differ only in `over` (default: the seed key, if
    swept).  Returns one row per combination of the other swept keys,
    with columns <col>_mean, <col>_sd, <col>_ci95, <col>_n."""
    keys = list(df.attrs.get("keys", []))
    if over is None:
        over = next((k for k in keys if k in SEED_KEYS), None)
    columns = columns or df.attrs.get("columns", [])
    columns = [c for c in columns if pd.api.types.is_numeric_dtype(df[c])]
    by = [k for k in keys if k != over]
    groups = (df.groupby(by[0] if len(by) == 1 else by, sort=False) if by
              else [((), df)])
    out = []
    for g, sub in groups:
        g = g if isinstance(g, tuple) else (g,)
        row = dict(zip(by, g))
        for c in columns:
            m, sd, ci, n = load.mean_ci(sub[c].tolist())
            row.update({f"{c}_mean": m, f"{c}_sd": sd, f"{c}_ci95": ci,
                        f"{c}_n": n})
        out.append(row)
    res = pd.DataFrame(out)
    res.attrs["keys"] = by
    res.attrs["columns"] = columns
    res.attrs["over"] = over
    return res
