#!/usr/bin/env bash
# The Mesa peer: installs Mesa (the current release) and networkx into a virtual environment,
# exports surge's agent model and each run's network (examples/export_agents.rs), runs surge's
# agent engine and the Mesa model on one core each at the same size, checks that their mean
# curves agree within Monte Carlo error, and prints the time per user-step of each and their
# ratio. Takes about 2 minutes at the defaults (Mesa: 4 runs of 10,000 users).
#   bash benches/peers/mesa_agents.sh [SCENARIO] [USERS] [MESA_RUNS] [SURGE_RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:-scenarios/facebook-2021-10-04.toml}
users=${2:-10000}
mesa_runs=${3:-4}
surge_runs=${4:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

venv=${SURGE_MESA_VENV:-target/mesa-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "mesa>=3,<4" networkx numpy
fi
cargo build --locked --release --quiet --example export_agents
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
"$target_dir/release/examples/export_agents" "$scenario" "$users" "$mesa_runs" "$work/export"
steps=$(python3 -c "import json; print(json.load(open('$work/export/model.json'))['steps'])")
simulated=$(python3 -c "import json; print(sum(json.load(open('$work/export/model.json'))['agents']))")

# surge on one core: user CPU time of the whole command (network builds, simulation, summaries,
# files, plots), against Mesa's steps alone.
/usr/bin/time -f "%U" -o "$work/surge.time" "$target_dir/release/surge" run "$scenario" \
  --engine agents --agents "$users" --runs "$surge_runs" --spaghetti "$surge_runs" --threads 1 --quiet \
  --fixed-parameters --out "$work/surge"
surge_ns=$(awk -v n="$surge_runs" -v u="$simulated" -v s="$steps" \
  '{printf "%.3f", $1 * 1e9 / (n * u * s)}' "$work/surge.time")
echo "surge: $surge_ns ns per user-step on one core ($surge_runs runs of $simulated users x $steps steps, end to end)"

"$venv/bin/python" benches/peers/mesa_agents.py "$work/export" "$work/surge/spaghetti.csv" \
  | tee "$work/mesa.out"
mesa_ns=$(sed -n 's/^PERF mesa_ns_per_user_step //p' "$work/mesa.out")
awk -v s="$surge_ns" -v m="$mesa_ns" 'BEGIN { printf "surge is %.0fx faster per user-step than Mesa\n", m / s }'
