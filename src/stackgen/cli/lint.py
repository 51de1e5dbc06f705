"""`stackgen lint`: rule files and a rendered stack's routing and dashboards, checked.

Its command line is read from the table below (stackgen.cli.options), not by typer or
argparse: lint runs on every push and is held to promtool's speed, and importing typer alone
costs about a quarter of lint's start-up, argparse a tenth of what remains. The console script
runs it without building the app; the app (`stackgen --help`, completion) lists it and hands
it its arguments."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from stackgen.cli.exits import EXIT_BAD_INPUT, EXIT_BUG, EXIT_FOUND
from stackgen.cli.options import HelpAsked, Option, UsageError, help_text, read, usage

PROGRAM = "stackgen lint"
SUMMARY = (
    "Check Prometheus rule files (plain, PrometheusRule, Mimir) and a rendered stack's "
    "routing and dashboards; report FILE:LINE:COL."
)
EXAMPLE = "Example: stackgen lint out/ rules/legacy.yml --format sarif > lint.sarif"
PATHS = ("PATH", "Rule files or folders; default: out/.")
OPTIONS = (
    Option("--format", "output_format", "text, json, sarif or github.", "FORMAT", "text"),
    Option(
        "--fail-on",
        "fail_on",
        "Exit 1 on findings this severe: error, warning, info.",
        "SEVERITY",
        "error",
    ),
    Option("--list", "list_checks", "List the checks.", default=False),
    Option(
        "--scrape-interval",
        "scrape_interval",
        "For range checks; default: the stack's, else Prometheus's 1m.",
        "DURATION",
    ),
    Option(
        "--config",
        "config",
        "Lint settings (disable, severity, required_labels, required_annotations); "
        "default: .stackgen-lint.yml, else the `lint:` section of specs/.",
        "FILE",
    ),
    Option(
        "--prometheus-version",
        "prometheus_version",
        "The Prometheus that runs the rules, whose PromQL they are checked against: "
        "2.42 or 3.x; default: the spec's prometheus.version, else 2.42.",
        "VERSION",
    ),
    Option(
        "--alertmanager-version",
        "alertmanager_version",
        "The Alertmanager release that runs the stack (0.25, 0.27, ...); default: "
        "unknown, so checks that depend on it assume a release before 0.27.",
        "VERSION",
    ),
    Option(
        "--color",
        "colour",
        "Colour the text report; default: on a terminal.",
        negative="--no-color",
    ),
)
_RELEASE = re.compile(r"v?\d+\.\d+(\.\d+)?")
# A terminal's escape sequences, which a rule file's text may hold: not passed on uncoloured.
_ESCAPE = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def help_page() -> str:
    return help_text(PROGRAM, f"{SUMMARY}\n\n{EXAMPLE}", OPTIONS, PATHS)


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
        given, paths = read(arguments, OPTIONS)
    except HelpAsked:
        print(help_page())
        return 0
    except UsageError as exc:
        return _failed(
            f"{usage(PROGRAM, PATHS[0])}\n{PROGRAM}: {exc} (see {PROGRAM} --help)",
            EXIT_BAD_INPUT,
        )
    # Imported when run, not at the top: --help and usage errors need none of it.
    from stackgen.common.values import parse_duration
    from stackgen.lint import CHECKS, LintBug, at_or_above, lint
    from stackgen.lint.config import find_config
    from stackgen.lint.findings import SEVERITY_RANK
    from stackgen.lint.report import FORMATS, use_colour
    from stackgen.lint.report import render as render_findings
    from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
    from stackgen.prometheus.dialect import dialect
    from stackgen.spec import SpecErrors

    if given["list_checks"]:
        for check in CHECKS:
            print(f"{check.id:<26} {check.severity:<8} {check.doc} Fix: {check.hint}")
        return 0
    if given["output_format"] not in FORMATS or given["fail_on"] not in SEVERITY_RANK:
        return _failed(
            f"--format is one of {', '.join(FORMATS)}; --fail-on is error, warning or info",
            EXIT_BAD_INPUT,
        )
    targets = [
        found for path in [Path(p) for p in paths] or [Path("out")] for found in _expand(path)
    ]
    missing = [p for p in targets if not p.exists()]
    if missing:
        return _failed(f"no such file or folder: {', '.join(map(str, missing))}", EXIT_BAD_INPUT)
    try:
        scrape = parse_duration(given["scrape_interval"]) if given["scrape_interval"] else None
    except ValueError as exc:
        return _failed(f"--scrape-interval: {exc}", EXIT_BAD_INPUT)
    release = given["alertmanager_version"]
    if release is not None and not _RELEASE.fullmatch(release):
        return _failed(
            "--alertmanager-version: give a release such as 0.25 or 0.27.0", EXIT_BAD_INPUT
        )
    try:
        settings, spec_version = find_config(
            Path(given["config"]) if given["config"] else None, Path.cwd()
        )
    except SpecErrors as exc:
        return _failed("\n".join(map(str, exc.errors)), EXIT_BAD_INPUT)
    try:
        target = dialect(given["prometheus_version"] or spec_version or DEFAULT_DIALECT)
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
    coloured = use_colour(sys.stdout, given["colour"])
    report = render_findings(findings, given["output_format"], coloured)
    if report:
        print(report if coloured else _ESCAPE.sub("", report))
    return EXIT_FOUND if at_or_above(findings, given["fail_on"]) else 0
