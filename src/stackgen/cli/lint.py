"""`stackgen lint`: rule files and a rendered stack's routing and dashboards, checked.

Its command line is read with argparse, not typer: lint runs on every push and is held to
promtool's speed, and importing typer alone costs about a quarter of lint's start-up. The
console script runs it without building the app; the app (`stackgen --help`, completion) lists
it and hands it its arguments as they are."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from stackgen.cli.exits import EXIT_BAD_INPUT, EXIT_BUG, EXIT_FOUND

SUMMARY = (
    "Check Prometheus rule files (plain, PrometheusRule, Mimir) and a rendered stack's "
    "routing and dashboards; report FILE:LINE:COL."
)
EXAMPLE = "Example: stackgen lint out/ rules/legacy.yml --format sarif > lint.sarif"
_RELEASE = re.compile(r"v?\d+\.\d+(\.\d+)?")


def parser() -> argparse.ArgumentParser:
    read = argparse.ArgumentParser(
        prog="stackgen lint", description=SUMMARY, epilog=EXAMPLE, allow_abbrev=False
    )
    read.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="Rule files or folders; default: out/."
    )
    read.add_argument(
        "--format",
        dest="output_format",
        default="text",
        metavar="FORMAT",
        help="text, json, sarif or github.",
    )
    read.add_argument(
        "--fail-on",
        default="error",
        metavar="SEVERITY",
        help="Exit 1 on findings this severe: error, warning, info.",
    )
    read.add_argument("--list", dest="list_checks", action="store_true", help="List the checks.")
    read.add_argument(
        "--scrape-interval",
        metavar="DURATION",
        help="For range checks; default: the stack's, else Prometheus's 1m.",
    )
    read.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="Lint settings (disable, severity, required_labels, required_annotations); "
        "default: .stackgen-lint.yml, else the `lint:` section of specs/.",
    )
    read.add_argument(
        "--prometheus-version",
        metavar="VERSION",
        help="The Prometheus that runs the rules, whose PromQL they are checked against: "
        "2.42 or 3.x; default: the spec's prometheus.version, else 2.42.",
    )
    read.add_argument(
        "--alertmanager-version",
        metavar="VERSION",
        help="The Alertmanager release that runs the stack (0.25, 0.27, ...); default: "
        "unknown, so checks that depend on it assume a release before 0.27.",
    )
    read.add_argument(
        "--color",
        dest="colour",
        action=argparse.BooleanOptionalAction,
        help="Colour the text report; default: on a terminal.",
    )
    return read


def _expand(path: Path) -> list[Path]:
    """A path, or the files a glob such as `rules/**/*.yml` matches (quoted, so that the shell
    left it alone); a glob that matches nothing stays as it is and is reported missing."""
    text = str(path)
    if path.exists() or not any(char in text for char in "*?["):
        return [path]
    anchor = Path(path.anchor) if path.is_absolute() else Path()
    pattern = str(path.relative_to(anchor)) if path.is_absolute() else text
    return sorted(anchor.glob(pattern)) or [path]


def _failed(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


def run(arguments: list[str]) -> int:
    """`stackgen lint` with its command-line arguments; its exit code."""
    try:
        options = parser().parse_intermixed_args(arguments)
    except SystemExit as exit:  # --help (0) or a usage error (2), printed by argparse
        return exit.code if isinstance(exit.code, int) else EXIT_BAD_INPUT
    # Imported when run, not at the top: --help and usage errors need none of it.
    from stackgen.common.values import parse_duration
    from stackgen.lint import CHECKS, LintBug, at_or_above, lint
    from stackgen.lint.config import find_config
    from stackgen.lint.report import FORMATS, use_colour
    from stackgen.lint.report import render as render_findings
    from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
    from stackgen.prometheus.dialect import dialect
    from stackgen.spec import SpecErrors

    if options.list_checks:
        for check in CHECKS:
            print(f"{check.id:<26} {check.severity:<8} {check.doc} Fix: {check.hint}")
        return 0
    if options.output_format not in FORMATS or options.fail_on not in ("error", "warning", "info"):
        return _failed(
            f"--format is one of {', '.join(FORMATS)}; --fail-on is error, warning or info",
            EXIT_BAD_INPUT,
        )
    targets = [found for path in options.paths or [Path("out")] for found in _expand(path)]
    missing = [p for p in targets if not p.exists()]
    if missing:
        return _failed(f"no such file or folder: {', '.join(map(str, missing))}", EXIT_BAD_INPUT)
    try:
        scrape = parse_duration(options.scrape_interval) if options.scrape_interval else None
    except ValueError as exc:
        return _failed(f"--scrape-interval: {exc}", EXIT_BAD_INPUT)
    release = options.alertmanager_version
    if release is not None and not _RELEASE.fullmatch(release):
        return _failed(
            "--alertmanager-version: give a release such as 0.25 or 0.27.0", EXIT_BAD_INPUT
        )
    try:
        settings, spec_version = find_config(options.config, Path.cwd())
    except SpecErrors as exc:
        return _failed("\n".join(map(str, exc.errors)), EXIT_BAD_INPUT)
    try:
        target = dialect(options.prometheus_version or spec_version or DEFAULT_DIALECT)
    except ValueError as exc:
        return _failed(f"--prometheus-version: {exc}", EXIT_BAD_INPUT)
    try:
        findings = lint(targets, scrape, settings, target, release)
    except LintBug as exc:
        return _failed(f"stackgen bug while linting {exc}", EXIT_BUG)
    except (OSError, UnicodeDecodeError) as exc:
        return _failed(f"cannot read: {exc}", EXIT_BAD_INPUT)
    except Exception as exc:  # never a traceback: exit 1 would read as findings
        return _failed(f"stackgen bug: {type(exc).__name__}: {exc}", EXIT_BUG)
    coloured = use_colour(sys.stdout, options.colour)
    report = render_findings(findings, options.output_format, coloured)
    if report:
        print(report)
    return EXIT_FOUND if at_or_above(findings, options.fail_on) else 0
