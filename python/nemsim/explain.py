"""What held each connection back: the account and the verdict that
`nemsim run` writes into summary.json (cli/explain.c computes them from
the models' own counters at the end of the run), read back for printing
and for programs.

For a connection sent from a Nemesis host the account
(connections.NAME.account) has, over the measurement window, the shares of
the window its domain ran under contract and in slack, waited runnable
without running (no slice left and no slack for it), and was blocked
(waiting for room in its transmit channel, for TCP's window, for its own
pacing); they add up to 1.  Every connection has limited_by, one of
VERDICTS, and limited_reason, one line naming the numbers it rests on.
docs/outputs.md explains each verdict and the thresholds.
"""
from . import load

VERDICTS = ("nothing", "loss", "cpu_contract", "cpu_slack", "tx_reservation",
            "driver_cpu", "receiver_window", "host_cpu", "receiver_cpu",
            "medium", "receiver_app", "application", "tcp_window")


def account(run):
    """{connection: {'throughput_mbps', 'limited_by', 'reason', and for a
    Nemesis sender 'cpu': {contracted, slack, waiting_runnable, blocked}}}.
    """
    s = load.load_summary(run)
    out = {}
    for name, c in s.get("connections", {}).items():
        if "limited_by" not in c:
            raise load.OutputError(
                f"{run}: summary.json has no connections.{name}.limited_by: "
                f"it was made by an older nemsim; run the scenario again")
        a = {"throughput_mbps": c.get("throughput_mbps", 0.0),
             "limited_by": c["limited_by"],
             "reason": c.get("limited_reason", "")}
        acc = c.get("account")
        if isinstance(acc, dict):
            a["account"] = acc
        if isinstance(acc, dict) and "ran_contracted" in acc:
            a["cpu"] = {"contracted": acc.get("ran_contracted", 0.0),
                        "slack": acc.get("ran_slack", 0.0),
                        "waiting_runnable": acc.get("waiting_runnable", 0.0),
                        "blocked": acc.get("blocked", 0.0)}
        out[name] = a
    return out


def lines(run):
    """One line per connection: name, throughput, verdict and reason."""
    return [f"{n}: {a['throughput_mbps']:.3g} Mb/s, limited by "
            f"{a['limited_by']}: {a['reason']}"
            for n, a in account(run).items()]


def main(argv=None):
    import argparse
    import json
    import sys
    ap = argparse.ArgumentParser(
        prog="nemsim explain",
        description="What limited each connection of a finished run.")
    ap.add_argument("run", help="a run folder (with summary.json)")
    ap.add_argument("--json", action="store_true",
                    help="the whole account as JSON")
    args = ap.parse_args(argv)
    try:
        if args.json:
            json.dump(account(args.run), sys.stdout, indent=2, sort_keys=True)
            print()
        else:
            for line in lines(args.run):
                print(line)
    except load.OutputError as e:
        print(f"nemsim explain: {e}", file=sys.stderr)
        return 2
    return 0
