#!/bin/bash
# sweep-slurm.sh SCENARIO.ini DIR [sbatch options...] - run a sweep's
# points as one Slurm array job, wait for it, and merge DIR/sweep.csv.
#
# DIR must be on a file system every node sees at the same path, and every
# node must have the same nemsim build at the same path (the emitted
# commands name both).  The points already done (same resolved scenario,
# same build) are not submitted again, so the same command resumes a
# sweep whose job was cancelled or whose points failed.
#
#   NEMSIM   the nemsim program (default: build/nemsim beside this script)
#   --set group.key=value options go to the sweep: put them in NEMSIM_SETS
#   (one per line), e.g. NEMSIM_SETS=$'simulation.duration=10s'
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: $0 SCENARIO.ini DIR [sbatch options...]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
nemsim=${NEMSIM:-$here/build/nemsim}
scenario=$1
dir=$2
shift 2
sets=()
while IFS= read -r s; do
	[ -n "$s" ] && sets+=(--set "$s")
done <<<"${NEMSIM_SETS:-}"

mkdir -p "$dir"
"$nemsim" sweep "$scenario" "${sets[@]}" --emit-commands --out "$dir" \
	>"$dir/commands.txt"
n=$(wc -l <"$dir/commands.txt")
if [ "$n" -gt 0 ]; then
	mkdir -p "$dir/slurm"
	# Task i runs line i+1 of the commands; the file is read on the node.
	sbatch --wait --array=0-$((n - 1)) --job-name=nemsim-sweep \
		--output="$dir/slurm/%A_%a.out" "$@" \
		--wrap="sed -n \"\$((SLURM_ARRAY_TASK_ID + 1))p\" '$dir/commands.txt' | bash"
fi
"$nemsim" merge "$scenario" "${sets[@]}" --out "$dir"
