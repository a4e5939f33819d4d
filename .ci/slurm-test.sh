#!/usr/bin/env bash
# A real Slurm test (issue 12): a one-node Slurm cluster started by hand on this machine (there
# is no systemd), a sweep submitted as a 4-task job array plus its merge job
# (--dependency=afterok), and the merged result compared byte for byte with the same sweep run
# locally. Installs Debian's slurm-wlm and munge if they are missing. Usage:
#   bash .ci/slurm-test.sh path/to/surge
set -euo pipefail
surge=$(realpath "$1")
cd "$(dirname "$0")/.."

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm-wlm and munge (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/surge-slurm.XXXXXX)
chmod 755 "$work"
host=$(hostname -s)
cpus=$(nproc)
pids=()
stop() {
  # The daemons, by the PIDs they were started with (and their pid files).
  for f in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge-run/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  rm -rf "$work"
}
trap stop EXIT

# munge: its own key, socket and files under $work, run as the munge user.
# munged wants its key private and its socket's folder open to all.
mkdir -p "$work/munge" "$work/munge-run"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$work/munge" "$work/munge-run"
chmod 700 "$work/munge"
chmod 755 "$work/munge-run"
chmod 400 "$work/munge/munge.key"
socket="$work/munge-run/munge.socket"
runuser -u munge -- /usr/sbin/munged --key-file="$work/munge/munge.key" \
  --socket="$socket" --pid-file="$work/munge-run/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<CONF
ClusterName=surgeci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
/usr/sbin/slurmctld -i
/usr/sbin/slurmd
for _ in $(seq 1 60); do
  sinfo -h -o %t 2>/dev/null | grep -qE '^idle' && break
  sleep 0.5
done
sinfo

# The sweep, locally and on Slurm.
sweep=(sweep scenarios/facebook-2021-10-04.toml --vary event.duration_hours=2:12:6
  --vary apps.telegram.capacity_by_region.us_canada=10:1000:3:log --runs 100)
"$surge" "${sweep[@]}" --out "$work/local" --quiet
"$surge" slurm --tasks 4 --dir "$work/job" --cpus-per-task 1 --time 00:10:00 -- \
  "${sweep[@]}" --out "$work/cluster"
bash "$work/job/submit.sh"
read -r array merge < "$work/job/job-ids"
for _ in $(seq 1 240); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 0.5
done
if [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then
  squeue; echo "the jobs did not finish in 2 minutes" >&2; exit 1
fi
cat "$work/job/logs/"*.out
for f in sweep.csv summary.json points.json sweep.png sweep.svg sweep-heatmap.png sweep-heatmap.svg; do
  cmp "$work/local/$f" "$work/cluster/$f"
  echo "same: $f"
done
test "$(ls "$work/job/parts" | wc -l)" = 4
state=$(sinfo -h -o %t)
echo "node: $state"
case "$state" in idle*) ;; *) echo "the node is $state, not idle" >&2; exit 1 ;; esac
echo "Slurm test passed: a 4-task array and its merge job gave the local sweep byte for byte"
