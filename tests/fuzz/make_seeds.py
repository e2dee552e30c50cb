#!/usr/bin/env python3
"""make_seeds.py - (re)generate the seed corpora in tests/fuzz/corpus/.

Run from anywhere: python3 tests/fuzz/make_seeds.py.  The seeds are small
and kept in the repository; fuzzers add what they find to their own
working corpus (build-fuzz/corpus/), never here.

  scenario/  the bad-input catalogue and the paper's scenarios, includes
             inlined (the fuzzer's folder holds only base.ini), and a few
             with --set overrides after a NUL
  pdrill/    the packetdrill scripts of tests/tcp_bsd/scripts
  tcp_input/ records in the format of fuzz_tcp_input.c: a handshake to
             the listener, data in and out of order, FIN, RST, options
  pcap/      frames of various lengths and split points, snap lengths

Files named crash_* or hang_* are inputs that once crashed or hung a
target, kept by hand (this script does not remove them).
"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(kind, name, data):
    d = os.path.join(CORPUS, kind)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def inline_includes(path):
    text = open(path).read()
    def repl(m):
        out = []
        for inc in re.split(r"[,;]", m.group(1)):
            inc = inc.strip()
            p = os.path.join(os.path.dirname(path), inc)
            if os.path.isfile(p):
                out.append(inline_includes(p))
        return "\n".join(out)
    # [scenario] include must be replaced by the included groups, which
    # only works if the include line is the only key of [scenario].
    return re.sub(r"^include\s*=\s*(.*)$", lambda m: "# inlined\n" +
                  repl(m), text, flags=re.M)


def scenario_seeds():
    bad = os.path.join(ROOT, "tests", "bad_input")
    for f in sorted(os.listdir(bad)):
        if f.endswith(".ini"):
            t = open(os.path.join(bad, f), "rb").read()  # not_utf8.ini
            put("scenario", "bad_" + f,
                t.replace(b"base/lan.ini", b"base.ini"))
    sc = os.path.join(ROOT, "scenarios")
    for f in sorted(os.listdir(sc)):
        if f.endswith(".ini"):
            put("scenario", "paper_" + f,
                inline_includes(os.path.join(sc, f)))
    base = "[scenario]\ninclude = base.ini\n"
    put("scenario", "conn_set",
        base + "[connection.c1]\nfrom = nem\nto = kay\n"
        "tx_qos = 10ms, 2ms, false\n\0simulation.duration=10ms\0"
        "connection.c1.cpu_qos=10ms,1ms,true")
    put("scenario", "sweep_zip",
        base + "[vars]\na = 1ms\nb = 2ms\n[sweep]\na = 1ms; 2ms\n"
        "b = 3ms to 5ms step 1ms\nzip = a, b\n"
        "columns = s=sim.seed\n")


def pdrill_seeds():
    d = os.path.join(ROOT, "tests", "tcp_bsd", "scripts")
    for f in sorted(os.listdir(d)):
        put("pdrill", f, open(os.path.join(d, f)).read())


def rec(ctl, dt, body):
    return struct.pack("<BBH", ctl, dt, len(body)) + body


def seg(dseq, dack, flags, win, opt=b"", data=b""):
    return struct.pack(">IIBHB", dseq & 0xffffffff, dack & 0xffffffff,
                       flags, win, len(opt)) + opt + data


FIN, SYN, RST, PSH, ACK, URG = 1, 2, 4, 8, 16, 32


def tcp_seeds():
    data = bytes(range(256)) * 4
    mss = bytes([2, 4, 5, 0xb4])
    ts = bytes([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0])
    ws = bytes([1, 3, 3, 2])
    # Established connection: data in order, read, write, FIN.
    put("tcp_input", "est_data",
        b"\x00" + rec(3 | 4, 1, seg(0, 0, ACK | PSH, 8192, data=data[:500]))
        + rec(3 | 4 | 8, 10, seg(500, 0, ACK, 8192, data=data[:500]))
        + rec(3, 200, seg(1000, 1000, ACK | FIN, 8192))
        + rec(3 | 16, 255, seg(1001, 1001, ACK, 8192)))
    put("tcp_input", "est_ooo",
        b"\x01" + rec(3, 1, seg(1000, 0, ACK, 8192, data=data[:300]))
        + rec(3, 1, seg(0, 0, ACK, 8192, data=data[:1000]))
        + rec(3 | 4, 5, seg(1300, 0, ACK | URG, 8192, data=data[:10])))
    put("tcp_input", "est_rst",
        b"\x02" + rec(3 | 8, 1, seg(0, 0, ACK, 0)) + rec(3, 255, seg(0, 0, RST, 0)))
    put("tcp_input", "est_zero_window",
        b"\x07" + rec(3 | 8, 1, seg(0, 0, ACK, 0)) + rec(3 | 8, 255, seg(0, 0, ACK, 0))
        + rec(3, 255, seg(0, 1000, ACK, 4096)))
    # Listener: a handshake with options from a fresh port.
    put("tcp_input", "listen_syn",
        b"\x0c" + rec(3 | 0x20, 1, seg(0, 0, SYN, 8192, mss + ts + ws))
        + rec(3 | 0x20, 10, seg(1, 1, ACK, 8192))
        + rec(3 | 0x20 | 4, 10, seg(1, 1, ACK | PSH, 8192, data=data[:100])))
    put("tcp_input", "listen_syn_rst",
        b"\x08" + rec(3, 1, seg(0, 0, SYN, 8192, mss))
        + rec(3, 1, seg(0, 0, RST | ACK, 0)))
    # Raw IP with fixed-up checksums, a bare Ethernet frame, garbage.
    ip = bytes([0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0]) + bytes(8)
    th = struct.pack(">HHIIBBHHH", 4000, 5001, 100001, 0, 0x50, ACK, 8192, 0, 0)
    put("tcp_input", "ip_fixup", b"\x00" + rec(2, 1, ip + th) + rec(1, 1, ip + th))
    eth = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0])
    put("tcp_input", "raw_frame", b"\x00" + rec(0, 1, eth + ip + th))
    frag = bytearray(ip + th)
    frag[6] = 0x20  # MF
    put("tcp_input", "ip_fragment", b"\x00" + rec(2, 1, bytes(frag)))
    opts = bytes([0x46, 0, 0, 44, 0, 1, 0, 0, 64, 6, 0, 0]) + bytes(8) + bytes([1, 1, 1, 0])
    put("tcp_input", "ip_options", b"\x00" + rec(2, 1, opts + th))


def pcap_seeds():
    def fr(dt, split, body):
        return struct.pack("<IBH", dt, split, len(body)) + body
    eth = bytes(range(60))
    put("pcap", "small", struct.pack("<H", 0) + fr(0, 14, eth) + fr(1000, 54, eth * 10))
    put("pcap", "snap", struct.pack("<H", 64) + fr(5, 0, eth * 3) + fr(999999999, 128, eth * 25))
    put("pcap", "empty", struct.pack("<H", 96))


if __name__ == "__main__":
    scenario_seeds()
    pdrill_seeds()
    tcp_seeds()
    pcap_seeds()
