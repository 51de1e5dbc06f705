"""`stackgen lint`: rule files and a rendered stack's routing and dashboards, checked."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, EXIT_BUG, EXIT_FOUND, fail


def _expand(path: Path) -> list[Path]:
    """A path, or the files a glob such as `rules/**/*.yml` matches (quoted, so that the shell
    left it alone); a glob that matches nothing stays as it is and is reported missing."""
    text = str(path)
    if path.exists() or not any(char in text for char in "*?["):
        return [path]
    anchor = Path(path.anchor) if path.is_absolute() else Path()
    pattern = str(path.relative_to(anchor)) if path.is_absolute() else text
    return sorted(anchor.glob(pattern)) or [path]


def lint_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Rule files or folders; default: out/.")
    ] = None,
    output_format: Annotated[
        str,
        typer.Option("--format", help="text, json, sarif or github.", case_sensitive=False),
    ] = "text",
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Exit 1 on findings this severe: error, warning, info.")
    ] = "error",
    list_checks: Annotated[bool, typer.Option("--list", help="List the checks.")] = False,
    scrape_interval: Annotated[
        str | None,
        typer.Option(help="For range checks; default: the stack's, else Prometheus's 1m."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Lint settings (disable, severity, required_labels, required_annotations); "
            "default: .stackgen-lint.yml, else the `lint:` section of specs/."
        ),
    ] = None,
    prometheus_version: Annotated[
        str | None,
        typer.Option(
            help="The Prometheus that runs the rules, whose PromQL they are checked against: "
            "2.42 or 3.x; default: the spec's prometheus.version, else 2.42."
        ),
    ] = None,
    alertmanager_version: Annotated[
        str | None,
        typer.Option(
            help="The Alertmanager release that runs the stack (0.25, 0.27, ...); default: "
            "unknown, so checks that depend on it assume a release before 0.27."
        ),
    ] = None,
    colour: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Colour the text report; default: on a terminal."),
    ] = None,
) -> None:
    """Check Prometheus rule files (plain, PrometheusRule, Mimir) and a rendered stack's
    routing and dashboards; report FILE:LINE:COL.

    Example: stackgen lint out/ rules/legacy.yml --format sarif > lint.sarif
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.common.values import parse_duration
    from stackgen.lint import CHECKS, LintBug, at_or_above, lint
    from stackgen.lint.config import find_config
    from stackgen.lint.report import FORMATS, use_colour
    from stackgen.lint.report import render as render_findings
    from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
    from stackgen.prometheus.dialect import dialect
    from stackgen.spec import SpecErrors

    if list_checks:
        for check in CHECKS:
            typer.echo(f"{check.id:<26} {check.severity:<8} {check.doc} Fix: {check.hint}")
        return
    if output_format not in FORMATS or fail_on not in ("error", "warning", "info"):
        raise fail(
            f"--format is one of {', '.join(FORMATS)}; --fail-on is error, warning or info", 2
        )
    targets = [found for path in paths or [Path("out")] for found in _expand(path)]
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise fail(f"no such file or folder: {', '.join(map(str, missing))}", EXIT_BAD_INPUT)
    try:
        scrape = parse_duration(scrape_interval) if scrape_interval else None
    except ValueError as exc:
        raise fail(f"--scrape-interval: {exc}", EXIT_BAD_INPUT) from None
    if alertmanager_version is not None and not re.fullmatch(
        r"v?\d+\.\d+(\.\d+)?", alertmanager_version
    ):
        raise fail("--alertmanager-version: give a release such as 0.25 or 0.27.0", EXIT_BAD_INPUT)
    try:
        settings, spec_version = find_config(config, Path.cwd())
    except SpecErrors as exc:
        raise fail("\n".join(map(str, exc.errors)), EXIT_BAD_INPUT) from None
    try:
        target = dialect(prometheus_version or spec_version or DEFAULT_DIALECT)
    except ValueError as exc:
        raise fail(f"--prometheus-version: {exc}", EXIT_BAD_INPUT) from None
    try:
        findings = lint(targets, scrape, settings, target, alertmanager_version)
    except LintBug as exc:
        raise fail(f"stackgen bug while linting {exc}", EXIT_BUG) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read: {exc}", EXIT_BAD_INPUT) from None
    except Exception as exc:  # never a traceback: exit 1 would read as findings
        raise fail(f"stackgen bug: {type(exc).__name__}: {exc}", EXIT_BUG) from None
    coloured = use_colour(sys.stdout, colour)
    report = render_findings(findings, output_format, coloured)
    if report:
        typer.echo(report, color=coloured)
    if at_or_above(findings, fail_on):  # type: ignore[arg-type]
        raise typer.Exit(EXIT_FOUND)
