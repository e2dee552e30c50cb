#!/usr/bin/env python3
"""check_consistency.py SUMMARY.json [--loss] - counters that must add up.

For a run on one Ethernet hub with one Nemesis CPU (Figure 5 and the
like), checks what no result may violate, however long the run and
whatever the loss:

  TCP     every connection delivered its bytes exactly once and in order:
          the sink found no byte off the sender's pattern (corrupt_bytes
          = 0; a lost, repeated or reordered byte would shift the
          pattern), it received no more than was sent, and what is
          missing at the end fits in the send and receive buffers;
  Ethernet every frame a NIC sent is one good frame at the hub
          (sum of nics.*.frames_sent = links.lan.frames), and every good
          frame reached each other NIC as received, filtered or lost
          (sum of frames_received + rx_filtered + rx_lost = frames * (n-1),
          less at most one frame per NIC still on the wire at the end);
          a host's IP saw exactly the frames its NIC received;
  CPU     the Nemesis CPU's time is all accounted for: the domains'
          cpu_share and the idle_share sum to 1.
With --loss, the loss model must have dropped frames and TCP must have
recovered (retransmissions) to pass the same checks.
Prints each check; exits 1 if one fails.
"""
import json
import sys

failed = 0


def check(ok, what):
    global failed
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failed += 1


def main():
    d = json.load(open(sys.argv[1]))
    loss = "--loss" in sys.argv
    conns = d["connections"]
    for name, c in sorted(conns.items()):
        check(c["corrupt_bytes"] == 0,
              f"{name}: no byte delivered out of place "
              f"(corrupt_bytes {c['corrupt_bytes']})")
        # 4.4BSD's tcp_output counts a segment as retransmitted when it
        # starts before snd_max, so the new bytes of a retransmission that
        # reaches past snd_max (after a timeout's go-back-N) count in
        # sndrexmitbyte, not sndbyte: the bound is both together.
        sent = c["sndbyte"] + c["sndrexmitbyte"]
        check(0 < c["bytes_delivered"] <= sent,
              f"{name}: 0 < delivered {c['bytes_delivered']} <= sent "
              f"{c['sndbyte']} + retransmitted {c['sndrexmitbyte']}")
        check(c["sndbyte"] - c["bytes_delivered"] <= 256 * 1024,
              f"{name}: in flight at the end "
              f"{c['sndbyte'] - c['bytes_delivered']} <= 256 KiB")
    nics = d["nics"]
    links = d["links"]
    check(len(links) == 1, "one link (these checks assume it)")
    lan = next(iter(links.values()))
    n = len(nics)
    sent = sum(v["frames_sent"] for v in nics.values())
    check(sent == lan["frames"],
          f"frames sent by the NICs {sent} = good frames at the hub "
          f"{lan['frames']}")
    seen = sum(v["frames_received"] + v["rx_filtered"] + v["rx_lost"]
               for v in nics.values())
    want = lan["frames"] * (n - 1)
    check(want - (n - 1) <= seen <= want,
          f"frames received + filtered + lost {seen} = frames x "
          f"(stations - 1) {want} (up to {n - 1} on the wire)")
    for h, v in sorted(d.get("hosts", {}).items()):
        if "rx_frames" in v and h in nics:
            check(v["rx_frames"] == nics[h]["frames_received"],
                  f"{h}: IP input {v['rx_frames']} = NIC received "
                  f"{nics[h]['frames_received']}")
    cpus = d["cpus"]
    check(len(cpus) == 1, "one Nemesis CPU (these checks assume it)")
    idle = next(iter(cpus.values()))["idle_share"]
    total = idle + sum(v["cpu_share"] for v in d["domains"].values())
    check(abs(total - 1) < 1e-6,
          f"CPU: domains' cpu_share + idle_share = {total:.12f} = 1")
    if loss:
        lost = sum(v["rx_lost"] for v in nics.values())
        check(lost > 0, f"the loss model dropped {lost} frames")
        rex = sum(c["sndrexmitpack"] for c in conns.values())
        check(rex > 0, f"TCP retransmitted {rex} segments")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
