#!/usr/bin/env bash
# Sets up this checkout on a fresh machine: a virtual environment in .venv with stackgen and its
# test dependencies, and with --tools the real promtool and amtool (Debian packages prometheus
# and prometheus-alertmanager) when they are not installed yet.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

if [ "${1:-}" = "--tools" ] && ! { command -v promtool && command -v amtool; } >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing promtool and amtool (Debian packages prometheus, prometheus-alertmanager)"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        prometheus prometheus-alertmanager >/dev/null
fi
