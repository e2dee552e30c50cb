#!/bin/bash
# test_cluster.sh NEMSIM SRCDIR - a sweep run by real cluster engines
# gives the same sweep.csv, byte for byte, as `nemsim sweep` (issue 13).
#
#  1. GNU parallel on this machine: the emitted commands, then merge.
#  2. GNU parallel over "ssh hosts" (--sshloginfile): the ssh command is a
#     stand-in that runs the remote command here (there is no second
#     machine), so parallel's own remote path - quoting, the worker
#     wrapper, job slots per host - is what is exercised.
#  3. Slurm: a one-node cluster (munged, slurmctld, slurmd, all private
#     to this test: own key, socket, ports, spool) runs the points as an
#     array job through tools/sweep-slurm.sh, which then merges.
# Each also resumes: emitting again after the run prints nothing.
set -u
. "$(dirname "$0")/../reliability/lib.sh"
rel_setup "$1" "$2"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
for t in parallel munged slurmctld slurmd sbatch; do
	command -v "$t" >/dev/null || PATH=$PATH:/usr/sbin
	command -v "$t" >/dev/null || { bad "$t is not installed (tools/install-deps.sh installs it)"; }
done
[ "$fail" -eq 0 ] || exit 1

# 1.5 s: a channel without extra time first sends 1 s after it is bound.
sw="$TMP/sw.ini"
cat >"$sw" <<'INI'
[simulation]
duration = 1.5s
warmup = 1.1s
[link.lan]
rate = 100Mb/s
[host.nem]
kind = nemesis
link = lan
nic = de4x5
[host.rx]
kind = unix
link = lan
[vars]
slice = 100us
[connection.s]
from = nem
to = rx
tx_qos = 1ms, ${slice}, false
[sweep]
slice = 50us; 100us; 150us; 200us
simulation.seed = 1; 2
columns = mbps=connections.s.throughput_mbps; frames=links.lan.frames
INI
"$NEMSIM" sweep "$sw" --jobs 2 --out "$TMP/ref" --quiet && ok || bad "nemsim sweep"
# The points differ (the reservation sets the rate): a real comparison.
[ "$(cut -d, -f6 "$TMP/ref/sweep.csv" | sort -u | wc -l)" -ge 5 ] && ok ||
	bad "the reference sweep's throughputs do not differ: $(cat "$TMP/ref/sweep.csv")"

# ---- 1. GNU parallel, local.
"$NEMSIM" sweep "$sw" --emit-commands --out "$TMP/p1" >"$TMP/p1.txt" && ok || bad "emit (parallel)"
[ "$(wc -l <"$TMP/p1.txt")" -eq 8 ] && ok || bad "emitted $(wc -l <"$TMP/p1.txt") commands, want 8"
parallel --will-cite -j 2 <"$TMP/p1.txt" && ok || bad "parallel ran the commands with errors"
"$NEMSIM" merge "$sw" --out "$TMP/p1" && ok || bad "merge after parallel"
cmp -s "$TMP/p1/sweep.csv" "$TMP/ref/sweep.csv" && ok || bad "GNU parallel: sweep.csv differs from nemsim sweep's"
[ -z "$("$NEMSIM" sweep "$sw" --emit-commands --out "$TMP/p1")" ] && ok || bad "GNU parallel: points emitted again after they ran"

# ---- 2. GNU parallel over ssh hosts.
cat >"$TMP/ssh" <<'SH'
#!/bin/bash
# A stand-in for ssh: drop the options and the host, run the command here.
# sshd starts the remote command with SHELL set to the user's login shell,
# and parallel's remote worker execs $SHELL: set it as sshd would (a CI job
# may have no SHELL at all; parallel then runs nothing and still exits 0).
SHELL=$(getent passwd "$(id -u)" | cut -d: -f7)
export SHELL=${SHELL:-/bin/sh}
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
shift
[ "${1:-}" = "--" ] && shift
exec bash -c "$*"
SH
chmod +x "$TMP/ssh"
printf '1/node-a\n1/node-b\n' >"$TMP/hosts.txt"
"$NEMSIM" sweep "$sw" --emit-commands --out "$TMP/p2" >"$TMP/p2.txt" && ok || bad "emit (ssh)"
parallel --will-cite --sshloginfile "$TMP/hosts.txt" --ssh "$TMP/ssh" <"$TMP/p2.txt" && ok ||
	bad "parallel --sshloginfile ran the commands with errors"
"$NEMSIM" merge "$sw" --out "$TMP/p2" && ok || bad "merge after parallel --sshloginfile"
cmp -s "$TMP/p2/sweep.csv" "$TMP/ref/sweep.csv" && ok || bad "parallel --sshloginfile: sweep.csv differs"

# ---- 3. Slurm, one node.
S="$TMP/slurm"
mkdir -p "$S/state" "$S/spool" "$S/munge"
chmod 700 "$S/munge"
head -c 1024 /dev/urandom >"$S/munge/key"
chmod 400 "$S/munge/key"
cleanup_slurm() {
	[ -e "$S/ctld.pid" ] && kill "$(cat "$S/ctld.pid")" 2>/dev/null
	[ -e "$S/d.pid" ] && kill "$(cat "$S/d.pid")" 2>/dev/null
	[ -e "$S/munge/pid" ] && kill "$(cat "$S/munge/pid")" 2>/dev/null
	sleep 0.5
	rm -rf "$TMP"
}
trap cleanup_slurm EXIT
munged --force --key-file="$S/munge/key" --socket="$S/munge/sock" \
	--pid-file="$S/munge/pid" --log-file="$S/munge/log" \
	--seed-file="$S/munge/seed" || bad "munged did not start"
# Ports of our own, away from a system Slurm's 6817/6818.
port=$((20000 + $$ % 20000))
cat >"$S/slurm.conf" <<EOF
ClusterName=nemsimtest
SlurmctldHost=$(hostname)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/ctld.pid
SlurmdPidFile=$S/d.pid
SlurmctldLogFile=$S/ctld.log
SlurmdLogFile=$S/d.log
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName=$(hostname) CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$S/slurm.conf"
slurmctld -i || bad "slurmctld did not start"
slurmd || bad "slurmd did not start"
up=0
for _ in $(seq 60); do
	sinfo -h -o %t 2>/dev/null | grep -q idle && { up=1; break; }
	sleep 0.5
done
[ "$up" -eq 1 ] && ok || bad "the one-node Slurm cluster did not come up: $(tail -5 "$S/ctld.log" "$S/d.log" 2>&1)"
if [ "$up" -eq 1 ]; then
	NEMSIM="$NEMSIM" timeout 300 "$SRC/tools/sweep-slurm.sh" "$sw" "$TMP/s1" >"$TMP/slurm.out" 2>&1 && ok ||
		bad "tools/sweep-slurm.sh failed: $(tail -5 "$TMP/slurm.out")"
	cmp -s "$TMP/s1/sweep.csv" "$TMP/ref/sweep.csv" && ok || bad "Slurm: sweep.csv differs from nemsim sweep's"
	[ "$(ls "$TMP/s1/slurm" | wc -l)" -eq 8 ] && ok || bad "Slurm: want 8 array tasks, got $(ls "$TMP/s1/slurm" | wc -l)"
	# Resume: nothing is submitted again, the merge is the same.
	rm "$TMP/s1/sweep.csv"
	NEMSIM="$NEMSIM" timeout 120 "$SRC/tools/sweep-slurm.sh" "$sw" "$TMP/s1" >"$TMP/slurm.out" 2>&1 && ok ||
		bad "tools/sweep-slurm.sh (resume) failed: $(tail -5 "$TMP/slurm.out")"
	[ ! -s "$TMP/s1/commands.txt" ] && ok || bad "Slurm resume submitted points again"
	cmp -s "$TMP/s1/sweep.csv" "$TMP/ref/sweep.csv" && ok || bad "Slurm resume: sweep.csv differs"
fi

echo "cluster: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
