#!/usr/bin/python3
"""The nemsim Python package (python/nemsim): unit parsing, loading a
real run and a real sweep made here by build/nemsim, and the errors a
missing or half-written run gives.

Run: /usr/bin/python3 tests/python/test_loader.py [NEMSIM]
(meson passes the built program; NEMSIM in the environment works too).
"""
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

import nemsim  # noqa: E402
from nemsim import frames, load, runner, units  # noqa: E402

BASE = os.path.join(ROOT, "scenarios", "base", "paper_10mbit.ini")

# A small Figure 4-like run: one rate-controlled connection plus a slack
# connection on the paper's 10 Mb/s hub, with every output turned on.
SMALL = f"""[scenario]
description = loader test
include = {BASE}

[simulation]
duration = 3s
warmup = 1s

[connection.c1]
from = nemesis
to = kay
tx_qos = 50ms, 2.4ms, false

[connection.c2]
from = nemesis
to = garuda
tx_qos = 10ms, ${{slice}}, true
# After c1's handshake: a new channel sends first at bind + 1 s (the
# release's rule), and a saturating c2 would capture the hub from kay's
# SYN|ACK (16 collisions, dropped: the capture effect).
start = 1.2s

[vars]
slice = 1.2ms

[output]
pcap = nemesis
timeseq = c1
cpu_series = true
interval = 100ms
"""

SWEEP = SMALL + """
[sweep]
slice = 0; 1.2ms
simulation.seed = 1; 2; 3
columns = c1=connections.c1.throughput_mbps; c2=connections.c2.throughput_mbps
"""


class Units(unittest.TestCase):
    def test_times(self):
        self.assertAlmostEqual(units.parse("500us"), 500e-6)
        self.assertAlmostEqual(units.parse("1.6ms"), 1.6e-3)
        self.assertAlmostEqual(units.parse("110\u00b5s"), 110e-6)
        self.assertAlmostEqual(units.parse("110\u03bcs"), 110e-6)
        self.assertAlmostEqual(units.parse_time("3s"), 3.0)
        self.assertAlmostEqual(units.parse_time("250 ns"), 250e-9)
        self.assertEqual(units.parse_time("0"), 0.0)

    def test_rates_lengths(self):
        self.assertEqual(units.parse("10Mb/s"), 10e6)
        self.assertEqual(units.parse_rate("9600b/s"), 9600.0)
        self.assertEqual(units.parse_rate("64kb/s"), 64e3)
        self.assertEqual(units.parse_rate("1Gb/s"), 1e9)
        self.assertEqual(units.parse_length("100m"), 100.0)
        self.assertEqual(units.parse_length("2km"), 2000.0)

    def test_errors(self):
        for bad, kind in (("5", "time"), ("abc", None), ("-1ms", None),
                          ("3 furlongs", None), ("10Mb/s", "time"),
                          ("", None)):
            with self.assertRaises(units.UnitError, msg=bad):
                units.parse(bad, kind)
        self.assertEqual(units.parse("42"), 42.0)  # no kind: a number

    def test_columns(self):
        self.assertEqual(units.column_kind(["0", "1.6ms", "500us"]), "time")
        self.assertEqual(units.column_kind(["5", "10"]), "number")
        self.assertEqual(units.column_kind(["10Mb/s", "0"]), "rate")
        self.assertIsNone(units.column_kind(["1ms", "10Mb/s"]))
        self.assertIsNone(units.column_kind(["kay", "garuda"]))
        self.assertEqual(units.si_name("carnage_slice", "time"),
                         "carnage_slice_s")


class Run(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nemsim-pytest-")
        cls.scn = os.path.join(cls.tmp, "small.ini")
        with open(cls.scn, "w") as f:
            f.write(SMALL)
        cls.out = runner.run(cls.scn, os.path.join(cls.tmp, "run"),
                             overrides={"vars.slice": "2.4ms"}, seed=7)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_summary(self):
        s = nemsim.summary(self.out)
        self.assertEqual(s.dtype, "float64")
        self.assertIn("connections.c1.throughput_mbps", s.index)
        # c1 sends 2 MTU packets per 50 ms: 2 * 1448..1460 B * 20 / s.
        self.assertAlmostEqual(s["connections.c1.throughput_mbps"], 0.467,
                               delta=0.03)
        i = nemsim.info(self.out)
        self.assertEqual(i["seed"], 7)
        self.assertEqual(i["scenario"], "small.ini")
        self.assertIn("vars.slice=2.4ms", i["overrides"])

    def test_family(self):
        c = nemsim.family(self.out, "connections")
        self.assertEqual(sorted(c.index), ["c1", "c2"])
        self.assertGreater(c.loc["c2", "throughput_mbps"],
                           c.loc["c1", "throughput_mbps"])
        d = nemsim.family(self.out, "domains")
        self.assertIn("cpu_share", d.columns)
        self.assertTrue(((d.cpu_share >= 0) & (d.cpu_share <= 1)).all())
        self.assertTrue(nemsim.family(self.out, "nothing").empty)

    def test_perf(self):
        p = nemsim.perf(self.out)
        self.assertGreater(p["wall_s"], 0)
        self.assertEqual(p["simulated_s"], 3)

    def test_throughput_series_matches_summary(self):
        tp = nemsim.throughput(self.out)
        self.assertEqual(list(tp.columns),
                         ["time_s", "connection", "throughput_mbps"])
        self.assertTrue(str(tp.time_s.dtype).startswith("float"))
        s = nemsim.summary(self.out)
        w0, w1 = s["sim.measure_from_s"], s["sim.measure_to_s"]
        for c in ("c1", "c2"):
            v = tp[(tp.connection == c) & (tp.time_s > w0 + 1e-9)
                   & (tp.time_s <= w1 + 1e-9)].throughput_mbps
            self.assertAlmostEqual(v.mean(),
                                   s[f"connections.{c}.throughput_mbps"],
                                   delta=1e-3 * max(1, v.mean()))

    def test_cpu_timeseq_pcap(self):
        cpu = frames.cpu(self.out)
        self.assertIn("nemesis_driver", set(cpu.domain))
        per_t = cpu.groupby("time_s").share.sum()
        self.assertTrue(((per_t - 1).abs() < 1e-6).all(),
                        "domains plus idle fill the CPU")
        ts = frames.timeseq(self.out, "c1")
        self.assertIn("seq", ts.columns)
        pc = frames.pcap(os.path.join(self.out, "nemesis.pcap"))
        names = load.names(self.scn)
        self.assertEqual(names["connections"]["c1"]["port"], 5001)
        self.assertEqual(names["connections"]["c2"]["dst"], "10.0.0.3")
        c1 = pc[(pc.dport == 5001) & (pc.len > 0)]
        self.assertEqual(set(c1.src), {names["hosts"]["nemesis"]["addr"]})
        self.assertEqual(set(c1.dst), {names["hosts"]["kay"]["addr"]})
        # The simulator's own record of who is who agrees with the
        # documented rule and with the capture, sender port included.
        rn = load.run_names(self.out)
        for h, v in names["hosts"].items():
            self.assertEqual(rn["hosts"][h]["addr"], v["addr"], h)
            self.assertEqual(rn["hosts"][h]["mac"], v["mac"], h)
        self.assertEqual(rn["connections"]["c1"]["port"], 5001)
        self.assertEqual(rn["connections"]["c1"]["from"], "nemesis")
        self.assertEqual(set(c1.sport), {rn["connections"]["c1"]["sport"]})

    def test_missing_series(self):
        with self.assertRaisesRegex(load.OutputError, "did not ask"):
            frames.series(self.out, "timeseq_c2")

    def test_missing_run(self):
        with self.assertRaisesRegex(load.OutputError, "no summary.json"):
            nemsim.summary(os.path.join(self.tmp, "nowhere"))

    def test_half_written_run(self):
        half = os.path.join(self.tmp, "half")
        shutil.copytree(self.out, half)
        path = os.path.join(half, "summary.json")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text[:len(text) // 2])
        with self.assertRaisesRegex(load.OutputError, "not valid JSON"):
            nemsim.summary(half)
        # An interrupted run: only its staging folder is there.
        os.remove(path)
        os.mkdir(os.path.join(half, ".partial-12345"))
        with self.assertRaisesRegex(load.OutputError, "partial-12345"):
            nemsim.summary(half)
        with self.assertRaises(load.OutputError):
            load.kind(half)

    def test_bad_input(self):
        with self.assertRaises(runner.RunError) as e:
            runner.run(self.scn, os.path.join(self.tmp, "bad"),
                       overrides={"simulation.duration": "3 parsecs"})
        self.assertEqual(e.exception.status, 2)
        self.assertIn("duration", str(e.exception))


def nemsim_plot(*args):
    """`nemsim plot ARGS` through the program (its thin C command)."""
    p = subprocess.run([runner.binary(), "plot", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p.returncode, p.stdout.split(), p.stderr


def is_png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    return head == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 10000


class PlotRun(unittest.TestCase):
    def test_plot_run(self):
        tmp = tempfile.mkdtemp(prefix="nemsim-pytest-")
        self.addCleanup(shutil.rmtree, tmp)
        scn = os.path.join(tmp, "small.ini")
        with open(scn, "w") as f:
            f.write(SMALL)
        run = runner.run(scn, os.path.join(tmp, "run"))
        st, made, err = nemsim_plot(run, "--out", os.path.join(tmp, "png"))
        self.assertEqual(st, 0, err)
        names = sorted(os.path.basename(m) for m in made)
        # The pcap's connections are named from the ports the run wrote
        # into summary.json (the scenario is not in scenarios/).
        self.assertEqual(names, ["cpu_nemesis.png", "pcap_nemesis_c1.png",
                                 "pcap_nemesis_c2.png", "summary.png",
                                 "throughput.png", "timeseq_c1.png"])
        for m in made:
            self.assertTrue(is_png(m), m)
        # Default folder: DIR/plots; a zoom asked for by time.
        st, made, err = nemsim_plot(run, "--from", "1.5s", "--to", "1.6s")
        self.assertEqual(st, 0, err)
        self.assertTrue(all(m.startswith(os.path.join(run, "plots"))
                            for m in made))

    def test_plot_sweep_of_names(self):
        """A swept key that is not a number (a personality) is drawn as
        categories, without a seed key: one point per value."""
        tmp = tempfile.mkdtemp(prefix="nemsim-pytest-")
        self.addCleanup(shutil.rmtree, tmp)
        scn = os.path.join(tmp, "names.ini")
        with open(scn, "w") as f:
            f.write(SMALL + "\n[sweep]\nhost.garuda.personality = netbsd1; "
                    "linux22\ncolumns = c2=connections.c2.throughput_mbps\n")
        d = runner.sweep(scn, os.path.join(tmp, "sw"), jobs=2)
        sw = nemsim.sweep(d)
        self.assertEqual(list(sw["host.garuda.personality"]),
                         ["netbsd1", "linux22"])
        self.assertEqual(len(nemsim.replicates(sw)), 2)
        st, made, err = nemsim_plot(d)
        self.assertEqual(st, 0, err)
        self.assertTrue(is_png(made[0]))

    def test_plot_errors(self):
        st, made, err = nemsim_plot("/nonexistent/run")
        self.assertEqual(st, 2)
        self.assertIn("no summary.json", err)
        self.assertIn("no such folder", err)
        st, _, err = nemsim_plot()
        self.assertEqual(st, 2)
        self.assertIn("usage: nemsim plot", err)


class Sweep(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nemsim-pytest-")
        scn = os.path.join(cls.tmp, "sw.ini")
        with open(scn, "w") as f:
            f.write(SWEEP)
        cls.dir = runner.sweep(scn, os.path.join(cls.tmp, "sw"), jobs=2)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_numeric(self):
        sw = nemsim.sweep(self.dir)
        self.assertEqual(len(sw), 6)
        self.assertEqual(sw.attrs["raw_keys"], ["slice", "simulation.seed"])
        self.assertEqual(sw.attrs["keys"], ["slice_s", "simulation.seed"])
        self.assertEqual(sorted(set(sw.slice_s)), [0.0, 0.0012])
        self.assertEqual(set(sw.slice), {"0", "1.2ms"})
        self.assertTrue(str(sw.c2.dtype).startswith("float"))

    def test_replicates(self):
        rep = nemsim.replicates(nemsim.sweep(self.dir))
        self.assertEqual(rep.attrs["over"], "simulation.seed")
        self.assertEqual(len(rep), 2)
        self.assertTrue((rep.c2_n == 3).all())
        for _, r in rep.iterrows():
            self.assertFalse(math.isnan(r.c2_ci95))
            self.assertGreaterEqual(r.c2_ci95, 0)
        m, sd, ci, n = load.mean_ci([1.0, 2.0, 3.0])
        self.assertEqual((m, sd, n), (2.0, 1.0, 3))
        self.assertAlmostEqual(ci, 4.303 / math.sqrt(3), places=6)

    def test_points(self):
        pts = nemsim.points(self.dir)
        self.assertEqual(len(pts), 6)
        sw = nemsim.sweep(self.dir)
        self.assertTrue((pts["connections.c2.throughput_mbps"].values
                         == sw.c2.values).all())
        self.assertEqual(sorted(pts["sim.seed"].unique()), [1, 2, 3])

    def test_plot_sweep(self):
        out = os.path.join(self.tmp, "png")
        st, made, err = nemsim_plot(self.dir, "--out", out)
        self.assertEqual(st, 0, err)
        self.assertEqual([os.path.basename(m) for m in made], ["sweep.png"])
        self.assertTrue(is_png(made[0]))

    def test_unfinished_sweep(self):
        half = os.path.join(self.tmp, "unfinished")
        shutil.copytree(self.dir, half)
        os.remove(os.path.join(half, "sweep.csv"))
        with self.assertRaisesRegex(load.OutputError, "without sweep.csv"):
            nemsim.sweep(half)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        os.environ["NEMSIM"] = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
