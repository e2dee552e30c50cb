#!/bin/bash
# pgo-train.sh NEMSIM - the training runs of the profile-guided build.
#
# `make build` compiles an instrumented nemsim, runs it here on short
# versions of the workloads the simulator spends its time on, and
# compiles again with the profile (GCC's -fprofile-use, with
# -fprofile-partial-training: code these runs never reach is optimised
# as without a profile, not as cold).  The profile changes how fast the
# program runs, never what it computes: outputs are byte-identical with
# and without it (README, "Tests and benchmarks").  A few seconds.
set -euo pipefail
NEMSIM=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
run() { "$NEMSIM" run "$@" --quiet --out "$TMP/out" >/dev/null; rm -rf "$TMP/out"; }
S=$ROOT/scenarios
# Nemesis and Linux bulk senders on the 100 Mb/s LAN (Atropos, the
# transmit scheduler, InetMod, both TCPs).
run "$S/perf_nemesis.ini" --set simulation.duration=10s
run "$S/perf_linux.ini" --set simulation.duration=5s
# The 10 Mb/s hub with collisions, Table 1's reservations.
run "$S/fig5.ini" --set simulation.duration=20s --set output.pcap=
run "$S/table1.ini" --set simulation.duration=10s
run "$S/fig6.ini" --point 5 --set simulation.duration=6s
# Web sites, clients, a switch, routers and a WAN link.
run "$S/isp.ini" --point 18 --set simulation.duration=7s --set simulation.warmup=1s
# Many connections on one host.
many=$TMP/many.ini
{
	printf '[simulation]\nduration = 3s\nwarmup = 1s\n'
	printf '[scenario]\ninclude = %s\n' "$S/base/paper_100mbit.ini"
	for i in $(seq 200); do
		printf '[connection.k%d]\nfrom = nemesis\nto = linux\n' "$i"
	done
} >"$many"
run "$many"
