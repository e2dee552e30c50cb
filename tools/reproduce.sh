#!/bin/bash
# reproduce.sh NEMSIM JOBS PYTHON - run every paper scenario, then plot
# and write the report.  Raw outputs go to results/raw/ (not committed);
# plots to results/plots/ and the report to results/REPORT.md.
set -euo pipefail
NEMSIM=$1
JOBS=${2:-2}
PYTHON=${3:-/usr/bin/python3}
# A reproduction starts from nothing: no point of an earlier run is reused.
rm -rf results/raw
mkdir -p results/raw results/plots
start=$(date +%s%N)
shopt -s nullglob
scenarios=(scenarios/*.ini)
if [ ${#scenarios[@]} -eq 0 ]; then
	echo "reproduce: no scenarios yet in scenarios/"
fi
for s in "${scenarios[@]}"; do
	name=$(basename "$s" .ini)
	out=results/raw/$name
	if ! "$NEMSIM" check "$s" | grep -q '(1 point)$'; then
		echo "== $name: sweep"
		"$NEMSIM" sweep "$s" --jobs "$JOBS" --out "$out" --quiet
	else
		echo "== $name: run"
		"$NEMSIM" run "$s" --out "$out" --quiet
	fi
done
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
wall=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
"$PYTHON" tools/plots.py results "$wall"
echo "reproduce: done in ${wall%.*} s; see results/REPORT.md"
