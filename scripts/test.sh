#!/usr/bin/env bash
# The test command: set up this machine if needed, then run the unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --test --test-concurrency=1 dist/test/
