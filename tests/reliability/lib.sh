# lib.sh - sourced by the reliability scripts (NEMSIM SRCDIR arguments).
# rel_setup NEMSIM SRCDIR [scenarios]: sets NEMSIM, SRC and TMP (a private
# folder removed at exit) and runs a private copy of the program, so that
# a rebuild while the test runs cannot change it between two runs that
# are compared; with "scenarios", the runs read a private copy of
# scenarios/ ($TMP/scenarios) for the same reason.
rel_setup() {
	NEMSIM=$1
	SRC=$2
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	cp "$NEMSIM" "$TMP/nemsim" && NEMSIM="$TMP/nemsim"
	if [ "${3:-}" = scenarios ]; then
		cp -r "$SRC/scenarios" "$TMP/scenarios"
	fi
}
