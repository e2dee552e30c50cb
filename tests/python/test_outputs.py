#!/usr/bin/python3
"""docs/outputs.md cannot drift from what nemsim writes: every key of a
real summary.json (from scenarios that between them reach every model:
a hub with Nemesis and Unix hosts, a full-duplex link with a Unix
sender, raw-frame stations, a CPU-only host) must be described in
python/nemsim/outputs.py, every description must match some real key,
every column of the CSV series and every perf.json key must be
described, and docs/outputs.md must be what tools/outputs_doc.py
renders from it.

Run: /usr/bin/python3 tests/python/test_outputs.py [NEMSIM]
"""
import csv
import os
import shutil
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

from nemsim import load, outputs, runner  # noqa: E402

SCN = os.path.join(ROOT, "scenarios")
RUNS = [
    # (scenario, overrides): short versions of real scenarios
    ("fig5.ini", {"simulation.duration": "12s", "simulation.warmup": "11s",
                  "output.timeseq": "c2", "output.cpu_series": "true"}),
    ("perf_linux.ini", {"simulation.duration": "2s",
                        "simulation.warmup": "1s"}),
    ("table1.ini", {"simulation.duration": "2s", "simulation.warmup": "1s",
                    "output.schedule_from": "1.5s",
                    "output.schedule_to": "1.51s"}),
    ("ethernet_capacity.ini", {"--point": "0"}),
    ("atropos_demo.ini", {"simulation.duration": "2s",
                          "simulation.warmup": "1s"}),
    ("web_example.ini", {"simulation.duration": "3s",
                         "simulation.warmup": "1s"}),
    # switches, WAN links and routers (not a paper scenario)
    (os.path.join(ROOT, "tests", "topology", "topology.ini"), {}),
]


class Outputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nemsim-outputs-")
        cls.runs = []
        for scn, ov in RUNS:
            out = os.path.join(cls.tmp, os.path.basename(scn)[:-4])
            ov = dict(ov)
            point = ov.pop("--point", None)
            runner.run(os.path.join(SCN, scn), out, overrides=ov,
                       point=point)
            cls.runs.append(out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def keys(self):
        for r in self.runs:
            for k in load.flatten(load.load_summary(r)):
                yield r, k

    def test_every_key_documented(self):
        missing = sorted({k for _, k in self.keys()
                          if outputs.describe(k) is None})
        self.assertEqual(missing, [], "summary.json keys that "
                         "python/nemsim/outputs.py (docs/outputs.md) does "
                         "not describe")

    def test_every_description_real(self):
        used = {outputs.describe(k)[0] for _, k in self.keys()
                if outputs.describe(k)}
        stale = [p for p, _, _, _ in outputs.SUMMARY if p not in used]
        self.assertEqual(stale, [], "described keys that no run wrote")

    def test_time_bases(self):
        for p, u, b, m in outputs.SUMMARY:
            self.assertIn(b, ("window", "run", "fixed"), p)
            self.assertTrue(u and m, p)

    def test_perf_and_csv(self):
        perf = {k for k, _, _ in outputs.PERF}
        described = {}
        for f, _, cols in outputs.CSV:
            described[f] = [c for c, _, _ in cols]
        seen = set()
        for r in self.runs:
            self.assertEqual(set(load.load_perf(r)), perf)
            for name, path in load.series_files(r).items():
                pat = ("cpu_<host>.csv" if name.startswith("cpu_") else
                       "timeseq_<connection>.csv"
                       if name.startswith("timeseq_") else name + ".csv")
                self.assertIn(pat, described, path)
                with open(path, newline="") as f:
                    header = next(csv.reader(f))
                self.assertEqual(header, described[pat], path)
                seen.add(pat)
        self.assertEqual(seen, set(described))

    def test_doc_is_generated(self):
        with open(os.path.join(ROOT, "docs", "outputs.md"),
                  encoding="utf-8") as f:
            self.assertEqual(f.read(), outputs.render(),
                             "docs/outputs.md is out of date: run "
                             "tools/outputs_doc.py")


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        os.environ["NEMSIM"] = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
