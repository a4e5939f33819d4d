#!/usr/bin/env bash
# Regenerates the pictures in docs/images/ that the README shows (the README lists these commands).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
# Ask cargo where it builds (CARGO_TARGET_DIR or a config may move it from ./target).
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
surge="$target_dir/release/surge"
"$surge" run scenarios/facebook-2021-10-04.toml --quiet
"$surge" run scenarios/facebook-2021-10-04-24h.toml --quiet
"$surge" compare output/facebook-2021-10-04 output/facebook-2021-10-04-24h --app telegram --out output/compare-6h-vs-24h
mkdir -p docs/images
cp output/facebook-2021-10-04/adoption.png docs/images/facebook-2021-10-04-adoption.png
cp output/facebook-2021-10-04/rate.png docs/images/facebook-2021-10-04-rate.png
cp output/facebook-2021-10-04/regions.png docs/images/facebook-2021-10-04-regions.png
cp output/compare-6h-vs-24h/compare.png docs/images/compare-6h-vs-24h.png
# The report page's screenshot, taken in headless Chromium by the browser test (needs Debian's
# chromium and chromium-driver, and Selenium: see .ci/run).
"$surge" report output/facebook-2021-10-04 --quiet
if command -v chromedriver >/dev/null && python3 -c "import selenium" 2>/dev/null; then
  python3 tests/browser/check_report.py output/facebook-2021-10-04/report.html --screenshot docs/images/report.png
fi
# The agent engine on a random and on a clustered network (about a minute together).
"$surge" run scenarios/facebook-2021-10-04-agents-random.toml --quiet
"$surge" run scenarios/facebook-2021-10-04-agents-clustered.toml --quiet
"$surge" compare output/facebook-2021-10-04-agents-random output/facebook-2021-10-04-agents-clustered --app telegram --metric registrations --out output/compare-agents-random-vs-clustered
cp output/compare-agents-random-vs-clustered/compare.png docs/images/compare-agents-random-vs-clustered.png
# The fit's plots come from the last full `surge fit` (output/fit/); it runs here if missing
# (about 3 minutes; same seed, same posterior).
[ -f output/fit/fit.json ] || "$surge" fit --quiet
cp output/fit/observed_vs_predicted.png docs/images/fit-observed-vs-predicted.png
cp output/fit/posterior.png docs/images/fit-posterior.png
cp output/fit/timeline-whatsapp-policy-2021-01.png docs/images/timeline-whatsapp-policy-2021-01.png
cp output/fit/timeline-facebook-2021-10-04.png docs/images/timeline-facebook-2021-10-04.png
# The validation's plots come from the last `surge validate --markdown docs/validation.md`
# (output/validate/, about 5 minutes); docs/validation.md shows them.
if [ -f output/validate/timelines.json ]; then
  cp output/validate/validation.png docs/images/validation.png
  for f in output/validate/timeline-*.png; do
    cp "$f" "docs/images/validation-$(basename "$f")"
  done
fi
