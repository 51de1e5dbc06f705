#!/usr/bin/env bash
# Sets up this checkout on a fresh machine: a virtual environment in .venv with stackgen and its
# test dependencies, and with --tools the real promtool and amtool (Debian packages prometheus
# and prometheus-alertmanager) and headless Chromium for the preview tests (Debian package
# chromium) when they are not installed yet.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

if [ "${1:-}" = "--tools" ]; then
    packages=()
    command -v promtool >/dev/null || packages+=(prometheus)
    command -v amtool >/dev/null || packages+=(prometheus-alertmanager)
    command -v chromium >/dev/null || packages+=(chromium)
    if [ "${#packages[@]}" -gt 0 ]; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "installing the Debian packages ${packages[*]}"
        $sudo apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${packages[@]}" >/dev/null
    fi
fi
