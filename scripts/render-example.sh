#!/usr/bin/env bash
# Sets up, then renders the example stack in specs/ into out/, and each environment overlay
# specs/env/NAME.yaml into out/env/NAME/ (checked with promtool and amtool when installed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/stackgen report specs -o out  # REPORT.md: what the render below changes
.venv/bin/stackgen render specs -o out
for overlay in specs/env/*.yaml; do
  .venv/bin/stackgen render specs --env "$(basename "$overlay" .yaml)"
done
