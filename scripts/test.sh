#!/usr/bin/env bash
# Sets up (installing Prometheus, Alertmanager and Chromium when missing), then runs the linter,
# the type checker (against its baseline) and the whole test suite, the slow property-based and
# install tests included. With CI=true a missing tool fails the tests instead of skipping them.
# The test files run in parallel workers (STACKGEN_TEST_WORKERS, 3 by default: the suite mostly
# waits on tools, servers and pip, so one more worker than CI's 2 cores keeps both busy); a file's
# tests stay in one worker, so a file's fixtures are built once. Files go to the workers in the
# collection's order, which starts with the real-time tests (tests/conftest.py): they wait on the
# clock for minutes, and the rest of the suite runs beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tools
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/python scripts/typecheck.py
.venv/bin/python -m pytest -n "${STACKGEN_TEST_WORKERS:-3}" --dist loadfile --no-loadscope-reorder "$@"
