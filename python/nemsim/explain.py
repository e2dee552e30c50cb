"""What held each connection back: an account of a finished run from the
counters the models keep, and one verdict per connection.

For a connection sent from a Nemesis host the account has three parts,
all over the measurement window:

- **the sending application's domain** (named after the connection): the
  shares of the window it ran (under its contract or in slack), waited
  runnable without running (no slice left and no slack for it), and was
  blocked (waiting for something: room in its transmit channel, TCP's
  window, the application's own pacing).  These three add up to 1;
- **its transmit channel**: what it carried against what its reservation
  allows (the theory s/p of the link, in payload), how often the
  application found it full, and how often it went idle with slice left
  (nothing to send: TCP's window closed);
- **what they share with others**: the host's driver domain (its TX
  thread serves every channel) and the link.

The verdict is the first of these that holds, checked in this order
(each names the numbers it rests on):

  nothing         no data reached the receiver in the window (not
                  started, not connected, or a channel without extra time
                  before its first deadline, 1 s after it was bound)
  loss            TCP's retransmission timer expired in the run
  cpu_contract    the domain waited runnable at least 20% of the window,
                  more than it was blocked, and its CPU contract has no
                  extra time (x = false): its slice ran out
  cpu_slack       the same, with x = true: it waited for slack
  tx_reservation  the channel (x = false) carried at least 95% of what
                  its reservation allows
  driver_cpu      the driver domain waited runnable at least half the
                  window while the application found its channel full
  receiver_window the domain was blocked most of the window and its
                  channel went idle with slice left (TCP's window closed:
                  the receiver, or ACKs that come late)
  host_cpu        the sending host's CPU was busy at least 98% of the
                  window (every domain, or a Unix host's kernel and user
                  time together)
  receiver_cpu    the receiving Unix host's CPU was busy at least 98%
  medium          the link carried good frames at least 80% of the
                  window
  receiver_app    the receiving application reads at a set rate
                  (sink = rate)
  application     the sending application had no more to send (bytes
                  or stop set)
  tcp_window      none of these: the sender always had data and no CPU,
                  reservation or medium was saturated, so TCP's window
                  (the receiver's buffer and the ACK clock) set the rate

A connection sent from a Unix host gets the TCP and link parts only.
"""
import configparser
import os

from . import load

VERDICTS = ("nothing", "loss", "cpu_contract", "cpu_slack", "tx_reservation",
            "driver_cpu", "receiver_window", "host_cpu", "receiver_cpu",
            "medium", "receiver_app", "application", "tcp_window")

WAIT_MIN = 0.20       # share of the window waiting runnable: CPU-bound
TX_FULL = 0.95        # carried / reservation: bound by the reservation
DRIVER_WAIT = 0.50    # driver waiting runnable: driver starved
BLOCKED_MOST = 0.50   # share of the window blocked
LINK_BUSY = 0.80      # link utilization: the medium (collisions and
                      # gaps take most of the rest on a busy hub)
CPU_BUSY = 0.98       # a host's CPU busy: saturated


def _resolved(run):
    """The run's scenario.resolved.ini as {group: {key: value}}."""
    path = os.path.join(run, "scenario.resolved.ini")
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.optionxform = str
    if os.path.exists(path):
        cp.read(path, encoding="utf-8")
    return {g: dict(cp[g]) for g in cp.sections()}


def _qos(text, default):
    """'period, slice, extra[, latency]' -> (period, slice, extra) texts."""
    parts = [p.strip() for p in (text or default).split(",")]
    return parts[0], parts[1], parts[2].lower() in ("true", "t", "yes", "on",
                                                    "1")


def _get(tree, *path, default=0.0):
    for p in path:
        if not isinstance(tree, dict) or p not in tree:
            return default
        tree = tree[p]
    return tree


def account(run):
    """{connection: {...account..., 'limited_by', 'reason'}} for a run."""
    s = load.load_summary(run)
    groups = _resolved(run)
    out = {}
    for name, c in s.get("connections", {}).items():
        g = groups.get(f"connection.{name}", {})
        src = g.get("from")
        host = groups.get(f"host.{src}", {})
        link = host.get("link")
        a = {"throughput_mbps": _get(c, "throughput_mbps"),
             "rexmttimeo": _get(c, "rexmttimeo"),
             "fastrexmt": _get(c, "fastrexmt"),
             "persisttimeo": _get(c, "persisttimeo"),
             "link": link,
             "link_utilization": _get(s, "links", link or "", "utilization",
                                      default=None)}
        d = _get(s, "domains", name, default=None)
        nemesis = host.get("kind") == "nemesis" and isinstance(d, dict)
        if nemesis:
            run_share = d.get("cpu_share", 0.0)
            wait = d.get("wait_share", 0.0)
            a["cpu"] = {
                "contracted": d.get("contracted_share", 0.0),
                "slack": d.get("slack_share", 0.0),
                "waiting_runnable": wait,
                "blocked": max(0.0, 1.0 - run_share - wait)}
            period, slice_, extra = _qos(g.get("cpu_qos"), "10ms, 0, true")
            a["cpu_qos"] = f"{period}, {slice_}, {'true' if extra else 'false'}"
            a["cpu_extra"] = extra
            ch = _get(s, "channels", name, default={})
            tp, ts, tx = _qos(g.get("tx_qos"), "30s, 0, true")
            a["tx_qos"] = f"{tp}, {ts}, {'true' if tx else 'false'}"
            a["tx_extra"] = tx
            a["channel"] = {
                "theory_payload_mbps": ch.get("theory_payload_mbps", 0.0),
                "full_refusals": ch.get("full_refusals", 0),
                "idle_with_slice_left": ch.get("idle_with_slice_left", 0),
                "suspensions": ch.get("suspensions", 0)}
            drv = f"{src}_driver"
            a["driver"] = drv
            a["driver_waiting_runnable"] = _get(s, "domains", drv,
                                                "wait_share")
        a["sink"], a["sink_rate"] = g.get("sink", "read"), g.get("sink_rate")
        a["limited_app"] = ", ".join(f"{k} = {g[k]}" for k in ("bytes", "stop")
                                     if k in g)
        a["sender"], a["receiver"] = src, g.get("to")
        a["sender_cpu_busy"] = _busy(s, src, host.get("kind"))
        rhost = groups.get(f"host.{g.get('to')}", {})
        a["receiver_cpu_busy"] = _busy(s, g.get("to"), rhost.get("kind"))
        a["limited_by"], a["reason"] = _verdict(name, a, nemesis)
        out[name] = a
    return out


def _busy(s, host, kind):
    """Share of the window a host's CPU was busy (None if unknown)."""
    if kind == "nemesis":
        idle = _get(s, "cpus", host or "", "idle_share", default=None)
        return None if idle is None else 1.0 - idle
    h = _get(s, "hosts", host or "", default=None)
    if not isinstance(h, dict) or "kernel_cpu_share" not in h:
        return None
    return h["kernel_cpu_share"] + h.get("user_cpu_share", 0.0)


def _pct(x):
    return f"{100 * x:.0f}%"


def _verdict(name, a, nemesis):
    if a["throughput_mbps"] <= 0:
        return "nothing", ("no data reached the receiver in the window: "
                           "not started or not connected, or a channel "
                           "without extra time before its first deadline "
                           "(1 s after it was bound)")
    if a["rexmttimeo"] > 0:
        return "loss", (f"TCP's retransmission timer expired "
                        f"{a['rexmttimeo']:.0f} times "
                        f"({a['fastrexmt']:.0f} fast retransmits)")
    if nemesis:
        cpu, ch = a["cpu"], a["channel"]
        if cpu["waiting_runnable"] >= WAIT_MIN and \
                cpu["waiting_runnable"] >= cpu["blocked"]:
            if not a["cpu_extra"]:
                return "cpu_contract", (
                    f"domain {name} waited runnable "
                    f"{_pct(cpu['waiting_runnable'])} of the window with its "
                    f"slice used up (CPU QoS {a['cpu_qos']}, ran "
                    f"{_pct(cpu['contracted'])} under contract)")
            return "cpu_slack", (
                f"domain {name} waited runnable "
                f"{_pct(cpu['waiting_runnable'])} of the window for slack "
                f"(CPU QoS {a['cpu_qos']}; ran {_pct(cpu['contracted'])} "
                f"contracted, {_pct(cpu['slack'])} in slack)")
        theory = ch["theory_payload_mbps"]
        if not a["tx_extra"] and theory > 0 and \
                a["throughput_mbps"] >= TX_FULL * theory:
            return "tx_reservation", (
                f"{a['throughput_mbps']:.3g} Mb/s of the "
                f"{theory:.3g} Mb/s its transmit reservation allows "
                f"(TX QoS {a['tx_qos']})")
        if a["driver_waiting_runnable"] >= DRIVER_WAIT and \
                ch["full_refusals"] > 0:
            return "driver_cpu", (
                f"the driver domain {a['driver']} waited runnable "
                f"{_pct(a['driver_waiting_runnable'])} of the window while "
                f"{name}'s channel was full {ch['full_refusals']:.0f} times "
                f"(reserve the driver: driver_qos)")
        if cpu["blocked"] >= BLOCKED_MOST and ch["idle_with_slice_left"] > 0:
            return "receiver_window", (
                f"domain {name} was blocked {_pct(cpu['blocked'])} of the "
                f"window and its channel went idle with slice left "
                f"{ch['idle_with_slice_left']:.0f} times: TCP's window was "
                f"closed (the receiver, or late ACKs)")
    b = a["sender_cpu_busy"]
    if b is not None and b >= CPU_BUSY:
        return "host_cpu", (f"the CPU of {a['sender']} was busy {_pct(b)} "
                            f"of the window")
    b = a["receiver_cpu_busy"]
    if b is not None and b >= CPU_BUSY:
        return "receiver_cpu", (f"the CPU of the receiver {a['receiver']} "
                                f"was busy {_pct(b)} of the window")
    u = a["link_utilization"]
    if u is not None and u >= LINK_BUSY:
        return "medium", f"link {a['link']} was busy {_pct(u)} of the window"
    if a["sink"] == "rate":
        return "receiver_app", (f"the receiving application reads at "
                                f"{a['sink_rate']}")
    if a["limited_app"]:
        return "application", (f"the application had no more to send "
                               f"({a['limited_app']})")
    return "tcp_window", ("the sender always had data and no CPU, "
                          "reservation or the medium was saturated: TCP's "
                          "window (the receiver's buffer, the ACK clock) "
                          "set the rate")


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
