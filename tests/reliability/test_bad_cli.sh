#!/bin/bash
# test_bad_cli.sh NEMSIM SRCDIR - malformed command lines and files that
# cannot carry an "# expect:" line (tests/bad_input/ holds the scenarios).
# Each must exit 2 with the exact message and leave nothing in --out.
set -u
. "$(dirname "$0")/lib.sh"
rel_setup "$1" "$2"
pass=0
fail=0
base="$SRC/tests/bad_input/base/lan.ini"
sweep="$SRC/tests/bad_input/base/sweep.ini"
cat >"$TMP/sweep.ini" <<INI
[scenario]
include = $base
[vars]
d = 1s
[simulation]
duration = \${d}
[sweep]
d = 1s; 2s
INI

# bad WANT-MESSAGE CMD... : exit 2, message on stderr, nothing in $TMP/o
bad() {
	local msg=$1
	shift
	rm -rf "$TMP/o"
	"$@" >"$TMP/out" 2>"$TMP/err"
	local st=$?
	if [ $st -ne 2 ]; then
		echo "FAIL: $*: exit $st, want 2; stderr: $(cat "$TMP/err")"
		fail=$((fail + 1))
	elif ! grep -qF -- "$msg" "$TMP/err"; then
		echo "FAIL: $*: message lacks \"$msg\": $(cat "$TMP/err")"
		fail=$((fail + 1))
	elif [ -e "$TMP/o" ] && [ -n "$(ls -A "$TMP/o")" ]; then
		echo "FAIL: $*: --out holds $(ls -A "$TMP/o")"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

: >"$TMP/empty.ini"
printf '\xef\xbb\xbf[simulation]\nduration = 1s\n' >"$TMP/bom.ini"
printf '[simulation]\0\nduration = 1s\n' >"$TMP/nul.ini"
head -c 3000 /dev/urandom >"$TMP/binary.ini" 2>/dev/null
mkdir -p "$TMP/dir.ini"
mkfifo "$TMP/fifo.ini" 2>/dev/null

# Files.
bad "[simulation]: missing required key duration" "$NEMSIM" run "$TMP/empty.ini" --out "$TMP/o"
bad "$TMP/dir.ini: a folder, not a scenario file" "$NEMSIM" run "$TMP/dir.ini" --out "$TMP/o"
bad "cannot read scenario $TMP/nothere.ini" "$NEMSIM" check "$TMP/nothere.ini"
bad "not a valid scenario file" "$NEMSIM" run "$TMP/nul.ini" --out "$TMP/o"
bad "$TMP/binary.ini" "$NEMSIM" run "$TMP/binary.ini" --out "$TMP/o"
printf '[scenario]\ninclude = %s\n' "$TMP/fifo.ini" >"$TMP/inc_fifo.ini"
[ -p "$TMP/fifo.ini" ] && bad "fifo.ini is not a regular file" "$NEMSIM" run "$TMP/inc_fifo.ini" --out "$TMP/o"
printf '[scenario]\ninclude = /dev/zero\n' >"$TMP/inc_zero.ini"
bad "[scenario] include: /dev/zero is not a regular file" timeout 10 "$NEMSIM" run "$TMP/inc_zero.ini" --out "$TMP/o"

# --set.
bad '(--set link.lan.kind): [link.lan] kind: "token_ring" is not one of hub|duplex|switch|wan' \
	"$NEMSIM" run "$base" --set link.lan.kind=token_ring --out "$TMP/o"
bad "(--set host.kay.nic): [host.kay] nic: \"3com\" is not one of de4x5|3c509|generic" \
	"$NEMSIM" run "$base" --set host.kay.nic=3com --out "$TMP/o"
bad "[foo]: unknown group" "$NEMSIM" run "$base" --set foo.bar=1 --out "$TMP/o"
bad '[simulation] duration: time "" does not start with a number' \
	"$NEMSIM" run "$base" --set simulation.duration= --out "$TMP/o"
bad '[simulation] duration: time "5" has no unit' "$NEMSIM" run "$base" --set simulation.duration=5 --out "$TMP/o"
bad "--set =1: expected group.key=value" "$NEMSIM" run "$base" --set =1 --out "$TMP/o"
bad "--set a.=1: expected group.key=value" "$NEMSIM" run "$base" --set a.=1 --out "$TMP/o"
bad "--set .b=1: expected group.key=value" "$NEMSIM" run "$base" --set .b=1 --out "$TMP/o"
bad "[host.new]: missing required key link" "$NEMSIM" run "$base" --set host.new.kind=unix --out "$TMP/o"
bad '${y} is not defined in [vars]' "$NEMSIM" run "$base" --set 'simulation.duration=${y}' --out "$TMP/o"
bad "[link.lan] loss: 1 is not a probability in [0, 1)" "$NEMSIM" run "$base" --set link.lan.loss=1 --out "$TMP/o"
bad "[link.lan] loss: -0.1 is not a probability in [0, 1)" "$NEMSIM" run "$base" --set link.lan.loss=-0.1 --out "$TMP/o"
bad '[link.lan] loss: "nan" is not a number' "$NEMSIM" run "$base" --set link.lan.loss=nan --out "$TMP/o"
bad "[simulation] seed: -1 is outside" "$NEMSIM" check "$base" --set simulation.seed=-1
bad '[host.kay] personality: "solaris" is not one of' "$NEMSIM" check "$base" --set host.kay.personality=solaris

# Options.
bad "run: Cannot parse integer value" "$NEMSIM" run "$base" --seed abc --out "$TMP/o"
bad "run: --seed must not be negative" "$NEMSIM" run "$base" --seed -2 --out "$TMP/o"
bad "run: --out must name a folder" "$NEMSIM" run "$base" --out ""
bad "run: expected one scenario file" "$NEMSIM" run "$base" "$base" --out "$TMP/o"
bad "run: Missing argument for --set" "$NEMSIM" run "$base" --set
bad "sweep: --jobs must be positive" "$NEMSIM" sweep "$TMP/sweep.ini" --jobs -1 --out "$TMP/o"
bad "sweep: Cannot parse integer value" "$NEMSIM" sweep "$TMP/sweep.ini" --jobs two --out "$TMP/o"
bad "sweep: --out must name a folder" "$NEMSIM" sweep "$TMP/sweep.ini" --out ""
bad "sweep: expected one scenario file" "$NEMSIM" sweep --out "$TMP/o"
bad "merge: Unknown option --jobs" "$NEMSIM" merge "$TMP/sweep.ini" --jobs 2 --out "$TMP/o"
bad "has no swept keys" "$NEMSIM" merge "$base" --out "$TMP/o"
bad "check: expected one scenario file" "$NEMSIM" check
bad "check: Unknown option --out" "$NEMSIM" check "$base" --out "$TMP/o"
bad 'keys: unexpected argument "extra"' "$NEMSIM" keys extra
bad "tcptest: expected one script" "$NEMSIM" tcptest
bad "Is a directory" "$NEMSIM" tcptest "$TMP/dir.ini"
bad 'unknown command "Run"' "$NEMSIM" Run "$base"
bad 'Unknown option --colour' "$NEMSIM" run "$base" --colour --out "$TMP/o"

# A script the packetdrill parser cannot read is bad input, not a crash.
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...  = 0\n' >"$TMP/p1.pkt"
bad "cannot parse" "$NEMSIM" tcptest "$TMP/p1.pkt"
printf '1e300 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n' >"$TMP/p2.pkt"
bad "bad time" "$NEMSIM" tcptest "$TMP/p2.pkt"

printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n+0 < S 0:0(-92) win 100\n' >"$TMP/p3.pkt"
bad "segment '0:0(-92)': the length must be end - start" "$NEMSIM" tcptest "$TMP/p3.pkt"
# A negative or huge write/read length is a script error (found by
# fuzz_pdrill in CI: write(4, ..., -10) asked g_malloc for 2^64 - 9 bytes).
bad "write length -10 outside 0..16777216" "$NEMSIM" tcptest "$SRC/tests/fuzz/corpus/pdrill/crash_negative_write"
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 read(3, ..., 99999999999) = 0\n' >"$TMP/p4.pkt"
bad "read length 99999999999 outside" "$NEMSIM" tcptest "$TMP/p4.pkt"

echo "bad cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
