#!/usr/bin/env bash
# The numpy peer: installs numpy into a virtual environment, exports surge's model of a scenario,
# runs surge and numpy on one core each, checks that their mean curves agree within Monte Carlo
# error and prints the time per run of each and their ratio.
#   bash benches/peers/numpy_cohort.sh [SCENARIO] [NUMPY_RUNS] [SURGE_RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:-scenarios/facebook-2021-10-04.toml}
numpy_runs=${2:-500}
surge_runs=${3:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

venv=${SURGE_PEER_VENV:-target/peer-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "numpy>=1.26,<3"
fi
cargo build --locked --release --quiet --example export_model
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
"$target_dir/release/examples/export_model" "$scenario" > "$work/model.json"

# surge on one core, as a user runs it (its default step rule): user CPU time of the whole
# command (simulation, summaries, files, plots).
/usr/bin/time -f "%U" -o "$work/surge.time" "$target_dir/release/surge" run "$scenario" \
  --runs "$surge_runs" --threads 1 --quiet --fixed-parameters --out "$work/surge"
surge_ms=$(awk -v n="$surge_runs" '{printf "%.4f", $1 * 1000 / n}' "$work/surge.time")
echo "surge: $surge_ms ms per run on one core ($surge_runs runs, end to end)"

# The curves are compared with surge's fixed step rule: the discrete chain that numpy steps
# through too, step for step. The adaptive rule (surge's default, docs/MODEL.md §1 "Steps") joins
# steps within a tolerance, and its own error is checked against the fixed rule by
# tests/stepping.rs; it can exceed the Monte Carlo error where a count's runs barely vary
# (session 28's fitted particle: Telegram's registrations 0.024% apart, 5.3 standard errors,
# against 2.1 with the fixed rule), which says nothing of whether numpy implements the model.
"$target_dir/release/surge" run "$scenario" --runs "$surge_runs" --threads 1 --quiet \
  --fixed-parameters --step-rule fixed --out "$work/surge-fixed"

"$venv/bin/python" benches/peers/numpy_cohort.py "$work/model.json" \
  "$work/surge-fixed/timeseries.csv" "$surge_runs" --runs "$numpy_runs" | tee "$work/numpy.out"
numpy_ms=$(sed -n 's/^PERF numpy_ms_per_run //p' "$work/numpy.out")
awk -v s="$surge_ms" -v n="$numpy_ms" 'BEGIN { printf "surge is %.2fx faster per core than numpy\n", n / s }'
