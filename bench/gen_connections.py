#!/usr/bin/python3
"""Write a scenario of N slack-only TCP connections between two hosts of
the paper's 100 Mb/s LAN (scenarios/base/paper_100mbit.ini): the paper's
ISP use case scaled up, for the scaling and set-up benchmarks.

    bench/gen_connections.py N OUT.ini [--from nemesis] [--to linux]
                             [--duration 30s] [--warmup 5s]
"""
import argparse
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="connections")
    ap.add_argument("out", help="scenario file to write")
    ap.add_argument("--from", dest="src", default="nemesis")
    ap.add_argument("--to", dest="dst", default="linux")
    ap.add_argument("--duration", default="30s")
    ap.add_argument("--warmup", default="5s")
    a = ap.parse_args()
    lines = ["[scenario]",
             f"description = {a.n} slack-only connections from one "
             f"{a.src} host",
             "include = " + os.path.join(ROOT, "scenarios/base/paper_100mbit.ini"),
             "[simulation]",
             f"duration = {a.duration}",
             f"warmup = {a.warmup}"]
    for i in range(a.n):
        lines += [f"[connection.k{i}]", f"from = {a.src}", f"to = {a.dst}"]
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
