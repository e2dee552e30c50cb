#!/usr/bin/python3
"""`nemsim explain`: each verdict pinned by a scenario made to hit it, the
account's CPU shares adding up, and `nemsim run` printing the verdicts.

Run: /usr/bin/python3 tests/python/test_explain.py [NEMSIM]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

from nemsim import explain, runner  # noqa: E402

SCN = os.path.join(ROOT, "scenarios")
BASE100 = os.path.join(SCN, "base", "paper_100mbit.ini")

# The newcomer of issue 14: three applications and carnage (x = true) on
# the 100 Mb/s LAN; a has a 20% CPU contract and a transmit reservation
# worth 22 Mb/s, the driver keeps the release's QoS.
NEWCOMER = f"""[scenario]
include = {BASE100}
[simulation]
duration = 4s
warmup = 1s
[connection.a]
from = nemesis
to = linux
cpu_qos = 10ms, 2ms, false
tx_qos = 1ms, 233us, false
[connection.b]
from = nemesis
to = linux
[connection.c]
from = nemesis
to = linux
[domain.carnage]
host = nemesis
cpu_qos = 10ms, 0, true
app = carnage
"""

# One Unix connection on a 10 Mb/s hub next to a station offering 4 Mb/s.
MEDIUM = """[simulation]
duration = 3s
warmup = 1s
[link.hub]
rate = 10Mb/s
[host.s]
kind = unix
link = hub
[host.r]
kind = unix
link = hub
[connection.c]
from = s
to = r
[host.noise]
kind = station
link = hub
[source.n]
host = noise
to = r
mode = poisson
rate = 4Mb/s
"""

# The same connection alone: bulk, nothing saturated: TCP's window.
ALONE = MEDIUM[:MEDIUM.index("[host.noise]")]


class Verdicts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nemsim-explain-")
        cls.runs = {}

        def run(name, scn, **ov):
            out = os.path.join(cls.tmp, name)
            runner.run(scn, out, overrides=ov or None)
            cls.runs[name] = out

        def text(name, body):
            path = os.path.join(cls.tmp, name + ".ini")
            with open(path, "w") as f:
                f.write(body)
            return path

        short = {"simulation.duration": "3s", "simulation.warmup": "1s"}
        run("newcomer", text("newcomer", NEWCOMER))
        run("table1", os.path.join(SCN, "table1.ini"), **short)
        run("fig4", os.path.join(SCN, "fig4.ini"),
            **{"simulation.duration": "6s", "simulation.warmup": "2s"})
        run("fig5", os.path.join(SCN, "fig5.ini"),
            **{"simulation.duration": "16s", "simulation.warmup": "12s",
               "output.pcap": ""})
        run("perf_nemesis", os.path.join(SCN, "perf_nemesis.ini"), **short)
        run("perf_linux", os.path.join(SCN, "perf_linux.ini"), **short)
        run("loss", os.path.join(SCN, "perf_linux.ini"),
            **dict(short, **{"link.lan.loss": "0.05"}))
        run("medium", text("medium", MEDIUM))
        run("alone", text("alone", ALONE))
        run("application", text("alone_bytes", ALONE),
            **{"connection.c.bytes": "1000000"})

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def verdict(self, run, conn):
        a = explain.account(self.runs[run])[conn]
        self.assertIn(a["limited_by"], explain.VERDICTS)
        return a["limited_by"], a["reason"]

    def test_newcomer_names_the_driver(self):
        v, why = self.verdict("newcomer", "a")
        self.assertEqual(v, "driver_cpu", why)
        self.assertIn("nemesis_driver", why)

    def test_slack_only_domains_wait_for_slack(self):
        for c in ("b", "c"):
            self.assertEqual(self.verdict("newcomer", c)[0], "cpu_slack")

    def test_cpu_contract(self):
        for c in ("s1", "s2", "s3"):
            self.assertEqual(self.verdict("table1", c)[0], "cpu_contract")

    def test_tx_reservation(self):
        self.assertEqual(self.verdict("fig4", "c1")[0], "tx_reservation")
        self.assertEqual(self.verdict("fig5", "c1")[0], "tx_reservation")

    def test_receiver_window(self):
        # Figure 5's mechanism: c3's channel idles with slice left.
        v, why = self.verdict("fig5", "c3")
        self.assertEqual(v, "receiver_window", why)

    def test_host_and_receiver_cpu(self):
        self.assertEqual(self.verdict("perf_nemesis", "tcp_send")[0],
                         "host_cpu")
        self.assertEqual(self.verdict("perf_linux", "tcp_send")[0],
                         "receiver_cpu")

    def test_loss(self):
        self.assertEqual(self.verdict("loss", "tcp_send")[0], "loss")

    def test_medium(self):
        self.assertEqual(self.verdict("medium", "c")[0], "medium")

    def test_tcp_window(self):
        self.assertEqual(self.verdict("alone", "c")[0], "tcp_window")

    def test_nothing(self):
        # A 0.8 s run: the channel (x = false) is first refilled 1 s
        # after it was bound, so nothing is sent.
        out = os.path.join(self.tmp, "short")
        runner.run(os.path.join(SCN, "fig4.ini"), out,
                   overrides={"simulation.duration": "0.8s",
                              "simulation.warmup": "0.1s"})
        a = explain.account(out)["c1"]
        self.assertEqual(a["limited_by"], "nothing", a["reason"])

    def test_application(self):
        v, why = self.verdict("application", "c")
        self.assertEqual(v, "application", why)
        self.assertIn("bytes = 1000000", why)

    def test_cpu_shares_add_up(self):
        """Ran (contracted + slack) + waited runnable never exceeds the
        window, and contracted + slack is the domain's CPU share."""
        for run in self.runs.values():
            with open(os.path.join(run, "summary.json")) as f:
                s = json.load(f)
            for name, d in s.get("domains", {}).items():
                self.assertAlmostEqual(
                    d["contracted_share"] + d["slack_share"],
                    d["cpu_share"], places=6, msg=(run, name))
                self.assertLessEqual(d["cpu_share"] + d["wait_share"],
                                     1 + 1e-6, (run, name))
            for name, a in explain.account(run).items():
                if "cpu" in a:
                    c = a["cpu"]
                    self.assertAlmostEqual(
                        c["contracted"] + c["slack"] +
                        c["waiting_runnable"] + c["blocked"], 1.0,
                        places=6, msg=(run, name))

    def test_verdict_is_in_summary_and_a_sweep_column(self):
        """summary.json carries the verdict, so a sweep can tabulate it:
        s1 of Table 1 is bound by its 1 ms CPU slice; with a 5 ms slice
        the CPU is no longer the limit and its transmit reservation is."""
        with open(os.path.join(self.runs["table1"], "summary.json")) as f:
            s = json.load(f)
        for name, c in s["connections"].items():
            self.assertIn(c["limited_by"], explain.VERDICTS, name)
            self.assertTrue(c["limited_reason"], name)
        sw = os.path.join(self.tmp, "verdict_sweep.ini")
        with open(sw, "w") as f:
            f.write(f"""[scenario]
include = {os.path.join(SCN, "table1.ini")}
[simulation]
duration = 2s
warmup = 1s
[sweep]
connection.s1.cpu_qos = 10ms, 1ms, false; 10ms, 5ms, false
columns = v=connections.s1.limited_by
""")
        out = os.path.join(self.tmp, "verdict_sweep")
        p = subprocess.run([runner.binary(), "sweep", sw, "--out", out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "sweep.csv")) as f:
            rows = f.read().splitlines()
        self.assertEqual([r.rsplit(",", 1)[1] for r in rows[1:]],
                         ["cpu_contract", "tx_reservation"], rows)

    def test_run_prints_verdicts_and_explain_command(self):
        nemsim = runner.binary()
        scn = os.path.join(self.tmp, "newcomer.ini")
        out = os.path.join(self.tmp, "printed")
        p = subprocess.run([nemsim, "run", scn, "--out", out],
                           env=dict(os.environ, NEMSIM_EXPLAIN="1"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("a: ", p.stderr)
        self.assertIn("limited by driver_cpu", p.stderr)
        p = subprocess.run([nemsim, "explain", out, "--json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["a"]["limited_by"],
                         "driver_cpu")
        p = subprocess.run([nemsim, "explain",
                            os.path.join(self.tmp, "nothing")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no summary.json", p.stderr)


class Schedule(unittest.TestCase):
    """[output] schedule_from/_to: the paper's Figure 2 for any run."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nemsim-schedule-")
        t1 = os.path.join(SCN, "table1.ini")
        cls.on = runner.run(t1, os.path.join(cls.tmp, "on"), overrides={
            "simulation.duration": "3s", "simulation.warmup": "1s",
            "output.schedule_from": "2s", "output.schedule_to": "2.02s"})
        cls.off = runner.run(t1, os.path.join(cls.tmp, "off"), overrides={
            "simulation.duration": "3s", "simulation.warmup": "1s"})

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def rows(self):
        import csv
        with open(os.path.join(self.on, "schedule.csv")) as f:
            return list(csv.DictReader(f))

    def test_cpu_runs_one_thing_at_a_time_over_the_interval(self):
        cpu = sorted((int(r["start_ns"]), int(r["end_ns"]), r["who"])
                     for r in self.rows() if r["resource"] == "cpu.nemesis")
        self.assertEqual(cpu[0][0], 2_000_000_000)
        self.assertEqual(cpu[-1][1], 2_020_000_000)
        for (a0, a1, _), (b0, b1, _) in zip(cpu, cpu[1:]):
            self.assertEqual(a1, b0)  # no gap, no overlap
        whos = {w for _, _, w in cpu}
        self.assertTrue({"s1", "s2", "s3", "carnage"} <= whos, whos)

    def test_contracted_cpu_within_the_slices(self):
        # s1: 1 ms per 10 ms, contracted: at most two periods' slices
        # (the interval may catch parts of three periods) in 20 ms.
        ran = sum(int(r["end_ns"]) - int(r["start_ns"]) for r in self.rows()
                  if r["resource"] == "cpu.nemesis" and r["who"] == "s1"
                  and r["kind"] == "contracted")
        self.assertGreater(ran, 0)
        self.assertLessEqual(ran, 3_000_000)

    def test_channels_sent(self):
        tx = {r["who"] for r in self.rows() if r["resource"] == "tx.nemesis"}
        self.assertEqual(tx, {"s1", "s2", "s3"})

    def test_tracing_changes_no_result(self):
        def strip(path):
            with open(os.path.join(path, "summary.json")) as f:
                return [ln for ln in f if '"overrides"' not in ln
                        and '"scenario_sha256"' not in ln]
        self.assertEqual(strip(self.on), strip(self.off))

    def test_plot_draws_the_schedule(self):
        out = os.path.join(self.tmp, "png")
        p = subprocess.run([runner.binary(), "plot", self.on, "--out", out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "schedule.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_half_a_schedule_is_refused(self):
        p = subprocess.run([runner.binary(), "check",
                            os.path.join(SCN, "table1.ini"), "--set",
                            "output.schedule_from=2s"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("give schedule_from and schedule_to together", p.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        os.environ["NEMSIM"] = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
