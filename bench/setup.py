#!/usr/bin/python3
"""Set-up cost against the scenario's size: N connections on one host
(bench/gen_connections.py), for each N the CPU time (user + system) of
`nemsim check` and of a run of 10 ms simulated (set-up, a few thousand
events, summary.json, tear-down), and the run's peak RSS.  Sizes are
measured in turn, round after round, and the fastest round of each kept
(noise on a shared machine only adds time).

    bench/setup.py NEMSIM [--rounds 5] [--sizes 1,100,...] [--json FILE]

Writes bench/results/setup_scaling.json (or FILE).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_run(argv):
    """Run argv under GNU time; (user+sys CPU seconds, peak RSS KiB,
    stdout).  The CPU time is wait4's for time, which counts the program
    it waited for (to the microsecond; time's own %U has 10 ms steps);
    the peak RSS is time's %M: time forks the program itself, where a
    child forked from Python would carry Python's peak RSS over exec."""
    fd, tfile = tempfile.mkstemp()
    os.close(fd)
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tfile] + argv,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=ROOT)
    out = p.stdout.read()  # a line or nothing: no pipe fills up
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({p.returncode}): "
                 f"{err.decode(errors='replace')}")
    rss = int(open(tfile).read().split()[-1])
    os.unlink(tfile)
    return ru.ru_utime + ru.ru_stime, rss, out.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nemsim")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="1,100,1000,2500,3000,10000")
    ap.add_argument("--json", default=os.path.join(
        ROOT, "bench/results/setup_scaling.json"))
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    tmp = tempfile.mkdtemp()
    for n in sizes:
        subprocess.run([os.path.join(ROOT, "bench/gen_connections.py"), str(n),
                        f"{tmp}/c{n}.ini", "--duration", "10ms",
                        "--warmup", "0s"], check=True)
    best = {n: {"check_cpu_s": [], "run_cpu_s": [], "rss": []} for n in sizes}
    for r in range(a.rounds):
        for n in sizes:
            c, _, _ = cpu_run([a.nemsim, "check", f"{tmp}/c{n}.ini"])
            t, rss, _ = cpu_run([a.nemsim, "run", f"{tmp}/c{n}.ini",
                                 "--quiet", "--out", f"{tmp}/o{n}"])
            best[n]["check_cpu_s"].append(c)
            best[n]["run_cpu_s"].append(t)
            best[n]["rss"].append(rss)
    subprocess.run(["rm", "-rf", tmp])
    rows = [{"connections": n, "check_cpu_s": min(best[n]["check_cpu_s"]),
             "setup_run_cpu_s": min(best[n]["run_cpu_s"]),
             "peak_rss_kib": max(best[n]["rss"])} for n in sizes]
    res = {"benchmark": "setup_scaling", "rounds": a.rounds, "rows": rows,
           "target_ratio_max": 5.0}
    by = {r["connections"]: r for r in rows}
    if 2500 in by and 10000 in by:
        res["check_ratio_10000_2500"] = (by[10000]["check_cpu_s"] /
                                         by[2500]["check_cpu_s"])
        res["setup_run_ratio_10000_2500"] = (by[10000]["setup_run_cpu_s"] /
                                             by[2500]["setup_run_cpu_s"])
    for r in rows:
        print(f"{r['connections']:6d} connections: check {r['check_cpu_s']:.3f} s, "
              f"set-up + 10 ms run + summary {r['setup_run_cpu_s']:.3f} s CPU, "
              f"peak RSS {r['peak_rss_kib'] / 1024:.0f} MB")
    if "check_ratio_10000_2500" in res:
        print(f"10,000 / 2,500: check {res['check_ratio_10000_2500']:.2f}x, "
              f"start-up + summary {res['setup_run_ratio_10000_2500']:.2f}x "
              f"(target <= 5x)")
    json.dump(res, open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
