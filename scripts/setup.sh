#!/usr/bin/env bash
# Sets up this checkout on a fresh machine: a virtual environment in .venv with stackgen and its
# test dependencies, and with --tools the real promtool and amtool (Debian packages prometheus
# and prometheus-alertmanager), headless Chromium for the preview tests (Debian package
# chromium) when they are not installed yet, and the npm package mermaid (into build/npm/).
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
    # The npm package mermaid, for the test that draws REPORT.md's routing diagram in Chromium
    # (tests/review/test_report.py reads this pin); kept in build/npm/, installed once per version.
    MERMAID_VERSION=11.12.2
    installed=build/npm/node_modules/mermaid/package.json
    if ! grep -qs "\"version\": \"$MERMAID_VERSION\"" "$installed"; then
        if command -v npm >/dev/null; then
            echo "installing the npm package mermaid@$MERMAID_VERSION into build/npm"
            npm install --prefix build/npm --no-save --no-audit --no-fund --ignore-scripts \
                --loglevel=error "mermaid@$MERMAID_VERSION" >/dev/null
        else
            echo "npm is not installed: the REPORT.md diagram test cannot run" >&2
        fi
    fi
fi
