#!/bin/sh
# Install the Debian 12 packages nemsim needs, only those missing.
# Idempotent and silent when everything is already there.
#   install-deps.sh         what build, test, reproduce and fuzz need
#   install-deps.sh bench   only what `make bench` needs besides: ns-3
#                           3.37 and a C++ compiler for the peer program
set -e
PKGS="meson ninja-build pkg-config gcc libglib2.0-dev libgsl-dev libssl-dev check \
python3 python3-matplotlib python3-pandas tshark tcpdump tcptrace \
clang libclang-rt-14-dev valgrind \
parallel slurm-wlm munge"
[ "${1:-}" = bench ] && PKGS="g++ libns3-dev time"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "nemsim: installing missing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# tshark asks whether non-root users may capture; answer no, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" \
	| $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
