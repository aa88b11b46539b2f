#!/usr/bin/env bash
# The main job: set up this machine if needed, then run the shipped matrix under every
# runtime and write reports/junit.xml, reports/results.json and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The set-up has just built the images, so the run skips podman build for them.
exec node dist/src/cli/main.js run --matrix matrix.yaml --reports reports --no-build "$@"
