#!/usr/bin/env bash
# Sets up, then renders the example stack in specs/ into out/ (checked with promtool and amtool
# when they are installed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/stackgen render specs -o out
