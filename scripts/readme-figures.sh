#!/usr/bin/env bash
# Rewrites every figure the README quotes from a run (the spans between
# `<!-- generated: NAME -->` and `<!-- /generated -->`) from what the commands print today:
# the shipped scenario at its defaults, its --fixed-parameters run, and the 24 h what-if.
# `cargo test` (tests/readme.rs) fails when the README differs; this makes it agree.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_README=1 cargo test --locked --test readme
git --no-pager diff --stat README.md
