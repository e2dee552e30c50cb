#!/bin/sh
# Remake the example pictures of results/examples/ (docs/plots.md shows
# them): a run with every output (docs/examples/newcomer.ini), Figure 5
# (its capture), and a sweep over seeds (docs/examples/fig5_c3_slice.ini).
# Run from the repository's top folder after `make build`.
set -eu
out=${1:-results/examples}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build/nemsim run docs/examples/newcomer.ini --out "$tmp/newcomer" --quiet
build/nemsim run scenarios/fig5.ini --out "$tmp/fig5" --quiet
build/nemsim sweep docs/examples/fig5_c3_slice.ini --out "$tmp/f5c3" \
	--jobs 2 --quiet
mkdir -p "$out"
build/nemsim plot "$tmp/newcomer" --out "$tmp/p1" >/dev/null
build/nemsim plot "$tmp/fig5" --out "$tmp/p2" >/dev/null
build/nemsim plot "$tmp/f5c3" --out "$tmp/p3" >/dev/null
for f in summary throughput cpu_nemesis timeseq_a; do
	cp "$tmp/p1/$f.png" "$out/newcomer_$f.png"
done
cp "$tmp/p2/throughput.png" "$out/fig5_throughput.png"
cp "$tmp/p2/pcap_nemesis_c3.png" "$out/fig5_pcap_nemesis_c3.png"
cp "$tmp/p3/sweep.png" "$out/fig5_c3_slice_sweep.png"
ls "$out"
