"""Reading what nemsim writes, with the standard library only.

A run folder (from `nemsim run --out DIR`) holds summary.json (written
last: its presence means the run finished), perf.json, the CSV time
series the scenario asked for (throughput.csv, cpu_<host>.csv,
timeseq_<connection>.csv) and pcap captures.  A sweep folder holds
sweep.csv and one run folder per point under points/NNNN/.

These functions return plain Python values (dicts, lists of dicts,
tuples); nemsim.frames builds pandas DataFrames on top of them.  The
regression tests use this module without pandas.
"""
import collections
import csv
import glob
import json
import math
import os
import re
import struct

from . import units


class OutputError(Exception):
    """A folder that is not (or not yet) a finished nemsim run or sweep,
    or a file in it that cannot be read."""


# ---- files ----------------------------------------------------------------


def _partials(folder):
    return sorted(glob.glob(os.path.join(folder, ".partial-*")))


def summary_path(run):
    """The summary.json of a run folder (or the file itself)."""
    if os.path.isdir(run) or not run.endswith(".json"):
        return os.path.join(run, "summary.json")
    return run


def load_json(path, what="file"):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        folder = os.path.dirname(path) or "."
        hint = ""
        if _partials(folder):
            hint = (" (a run is still writing into it, or was "
                    f"interrupted: {os.path.basename(_partials(folder)[0])})")
        elif not os.path.isdir(folder):
            hint = " (no such folder)"
        raise OutputError(f"{path}: no {what}: not a finished nemsim "
                          f"run{hint}") from None
    except json.JSONDecodeError as e:
        raise OutputError(f"{path}: not valid JSON ({e.msg} at line "
                          f"{e.lineno}): the file is incomplete or was "
                          "not written by nemsim") from None


def load_summary(run):
    """summary.json of a run folder as nested dicts."""
    return load_json(summary_path(run), "summary.json")


def load_perf(run):
    """perf.json of a run folder (machine-dependent figures)."""
    return load_json(os.path.join(run, "perf.json"), "perf.json")


def flatten(tree, prefix=""):
    """{'a': {'b': 1}} -> {'a.b': 1}, keys in the order of the JSON."""
    out = {}
    for k, v in tree.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(flatten(v, key))
        else:
            out[key] = v
    return out


def read_csv(path):
    """A CSV file as a list of dicts of texts."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise OutputError(f"{path}: no such file") from None
    return rows


def kind(folder):
    """'run' or 'sweep'; OutputError if the folder is neither (yet)."""
    if os.path.exists(os.path.join(folder, "summary.json")):
        return "run"
    if os.path.exists(os.path.join(folder, "sweep.csv")):
        return "sweep"
    if os.path.isdir(os.path.join(folder, "points")):
        raise OutputError(f"{folder}: a sweep without sweep.csv: not "
                          "finished (run the sweep again to resume, or "
                          "`nemsim merge`)")
    load_summary(folder)  # raises the explaining error
    raise OutputError(f"{folder}: not a nemsim run or sweep")


def point_dirs(sweep):
    """The point folders of a sweep, in point order."""
    pdir = os.path.join(sweep, "points")
    if not os.path.isdir(pdir):
        raise OutputError(f"{sweep}: no points/ folder: not a sweep")
    return [os.path.join(pdir, p) for p in sorted(os.listdir(pdir))
            if re.fullmatch(r"\d{4,}", p)]


def point_dir(sweep, point):
    return os.path.join(sweep, "points", f"{int(point):04d}")


def sweep_info(sweep):
    """DIR/sweep.json, written by nemsim with sweep.csv: the scenario, the
    number of points, the swept keys (as [sweep] names them: 'slice' for a
    [vars] variable, 'simulation.seed' for a group.key) and the result
    columns {name: summary path}."""
    path = os.path.join(sweep, "sweep.json")
    if not os.path.exists(path):
        raise OutputError(f"{sweep}: no sweep.json (not a finished sweep: "
                        "run nemsim sweep or nemsim merge)")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def series_files(run):
    """The CSV time series of a run folder: {name: path}."""
    return {os.path.splitext(os.path.basename(p))[0]: p
            for p in sorted(glob.glob(os.path.join(run, "*.csv")))}


# ---- pcap -----------------------------------------------------------------

TcpFrame = collections.namedtuple(
    "TcpFrame", "time src seq ack win len dst sport dport flags")


def read_pcap_tcp(path):
    """Every TCP/IPv4 frame of a pcap (link type Ethernet) as a TcpFrame:
    (time_s, src, seq, ack, win, payload_len, dst, sport, dport, flags).
    The first six fields are positional for older callers."""
    out = []
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise OutputError(f"{path}: no such capture") from None
    if len(data) < 24:
        raise OutputError(f"{path}: not a pcap file (too short)")
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        raise OutputError(f"{path}: not a little-endian pcap file")
    scale = 1e-9 if magic == 0xa1b23c4d else 1e-6
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack_from("<IIII", data, off)
        fr = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(fr) < 54 or fr[12:14] != b"\x08\x00" or fr[23] != 6:
            continue
        ihl = (fr[14] & 0x0f) * 4
        iplen = struct.unpack_from(">H", fr, 16)[0]
        t = 14 + ihl
        sport, dport, seq, ack = struct.unpack_from(">HHII", fr, t)
        doff = (fr[t + 12] >> 4) * 4
        flags = fr[t + 13]
        win = struct.unpack_from(">H", fr, t + 14)[0]
        src = ".".join(str(b) for b in fr[26:30])
        dst = ".".join(str(b) for b in fr[30:34])
        out.append(TcpFrame(sec + frac * scale, src, seq, ack, win,
                            iplen - ihl - doff, dst, sport, dport, flags))
    return out


# ---- names, addresses and ports ------------------------------------------

FIRST_PORT = 5001


def host_addr(index):
    """nemsim gives host i (0-based, in scenario order) the address
    10.0.0.0 + i + 1 on one /16: 10.0.0.1 ... 10.0.0.255, 10.0.1.0, ..."""
    n = index + 1
    return f"10.0.{n >> 8}.{n & 255}"


def host_mac(index):
    """... and the MAC address 02:00:00 followed by i + 1 in three bytes."""
    n = index + 1
    return f"02:00:00:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}"


def scenario_groups(path, _stack=None):
    """The groups of a scenario file in the order the simulator creates
    them (included files first, depth first, then the file's own new
    groups): a list of (group, {key: value})."""
    _stack = _stack or []
    real = os.path.realpath(path)
    if real in _stack:
        raise OutputError(f"{path}: include loop")
    groups = collections.OrderedDict()
    current = None
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise OutputError(f"{path}: no such scenario") from None
    for line in lines:
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("[") and s.endswith("]"):
            current = groups.setdefault(s[1:-1], {})
        elif "=" in s and current is not None:
            k, v = s.split("=", 1)
            current[k.strip()] = v.strip()
    out = collections.OrderedDict()
    inc = groups.get("scenario", {}).get("include", "")
    for f in re.split(r"[,;]", inc):
        f = f.strip()
        if f:
            for g, kv in scenario_groups(
                    os.path.join(os.path.dirname(path), f),
                    _stack + [real]):
                out.setdefault(g, {}).update(kv)
    for g, kv in groups.items():
        out.setdefault(g, {}).update(kv)
    return list(out.items())


def names(path):
    """Hosts and connections of a scenario with their addresses and
    ports: {'hosts': {name: {'addr', 'mac', 'kind', 'link'}},
    'connections': {name: {'from', 'to', 'port', 'src', 'dst'}}}."""
    groups = scenario_groups(path)
    hosts, conns = collections.OrderedDict(), collections.OrderedDict()
    for g, kv in groups:
        if g.startswith("host."):
            i = len(hosts)
            hosts[g[5:]] = {"addr": host_addr(i),
                            "mac": host_mac(i),
                            "kind": kv.get("kind", ""),
                            "link": kv.get("link", "")}
    for g, kv in groups:
        if g.startswith("connection."):
            i = len(conns)
            c = {"from": kv.get("from", ""), "to": kv.get("to", ""),
                 "port": FIRST_PORT + i}
            c["src"] = hosts.get(c["from"], {}).get("addr")
            c["dst"] = hosts.get(c["to"], {}).get("addr")
            conns[g[11:]] = c
    return {"hosts": hosts, "connections": conns}


def run_names(run):
    """The same map as names(), for a finished run, as the simulator
    wrote it into summary.json (hosts.*.ipv4 and .mac, connections.*'s
    receiver_port, sender_port and sender_ipv4): {'hosts': {name:
    {'addr', 'mac'}}, 'connections': {name: {'port', 'sport', 'src',
    'dst', 'from', 'to'}}}, 'from' and 'to' host names where the address
    is a host's."""
    s = load_summary(run)
    hosts = collections.OrderedDict()
    for name, h in sorted(s.get("hosts", {}).items()):
        if isinstance(h, dict) and "ipv4" in h:
            hosts[name] = {"addr": h["ipv4"], "mac": h.get("mac")}
    by_addr = {h["addr"]: n for n, h in hosts.items()}
    conns = collections.OrderedDict()
    for name, c in sorted(s.get("connections", {}).items()):
        if not isinstance(c, dict) or "receiver_port" not in c:
            continue
        src = c.get("sender_ipv4") or None
        if src == "0.0.0.0":
            src = None
        conns[name] = {"port": c["receiver_port"],
                       "sport": c.get("sender_port") or None,
                       "src": src, "from": by_addr.get(src)}
    return {"hosts": hosts, "connections": conns}


def find_scenario(run, search=None):
    """The scenario file a run came from, looked for by the name in its
    summary.json (sim.scenario) in `search` (default: the repository's
    scenarios/, docs/examples/, the current folder).  None if
    not found."""
    name = load_summary(run).get("sim", {}).get("scenario")
    if not name:
        return None
    if search is None:
        here = os.path.dirname(os.path.abspath(__file__))
        search = [os.path.join(here, "..", "..", "scenarios"),
                  os.path.join(here, "..", "..", "docs", "examples"),
                  os.getcwd()]
    for d in search:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return os.path.normpath(p)
    return None


# ---- statistics -------------------------------------------------------------

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
        2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
        2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
        2.048, 2.045, 2.042]


def t95(df):
    """Two-sided 95% Student t quantile for df degrees of freedom."""
    if df < 1:
        return math.nan
    return _T95[df - 1] if df <= len(_T95) else 1.960


def mean_ci(values):
    """(mean, sample standard deviation, half-width of the 95% confidence
    interval of the mean, n) of a list of numbers."""
    v = [float(x) for x in values if x == x]
    n = len(v)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = sum(v) / n
    if n == 1:
        return m, math.nan, math.nan, 1
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (n - 1))
    return m, sd, t95(n - 1) * sd / math.sqrt(n), n


__all__ = ["OutputError", "load_summary", "load_perf", "flatten",
           "read_csv", "kind", "point_dirs", "point_dir",
           "sweep_info", "series_files", "read_pcap_tcp", "TcpFrame",
           "host_addr", "names", "scenario_groups", "find_scenario",
           "mean_ci", "t95", "units"]
