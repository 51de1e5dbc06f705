"""`stackgen import sloth|openslo|rules`: another tool's SLO spec, or existing rule files, as a
stackgen spec."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, fail
from stackgen.cli.inputs import load
from stackgen.common.values import counted

import_app = typer.Typer(
    help="Turn another tool's SLO spec, or existing rule files, into a stackgen spec.",
    epilog="Example: stackgen import rules rules/*.yml -o specs/imported.yml",
)


def _import(tool: str, convert: Callable, source: Path, output: Path | None) -> None:
    # Imported when run, not at the top: start-up time.
    from stackgen.importers import ImportFailed, as_spec_text

    try:
        spec, notes = convert(source.read_text(encoding="utf-8"), str(source))
    except OSError as exc:
        raise fail(f"cannot read {source}: {exc}", EXIT_BAD_INPUT) from None
    except ImportFailed as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        # A field of an unexpected shape somewhere the importer does not check one by one.
        message = f"{source}: not a {tool} spec stackgen can read ({type(exc).__name__}: {exc})"
        raise fail(message, EXIT_BAD_INPUT) from None
    _emit(as_spec_text(spec, str(source), tool, notes), output)


def _emit(text: str, output: Path | None, spec: Path | None = None) -> None:
    """Print the spec text, or write it to `output` (a file of `spec`'s folder, if given)."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc}", EXIT_BAD_INPUT) from None
    typer.echo(f"wrote {output}; next: stackgen validate {spec or output}")


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the spec here, not to stdout.")
]


@import_app.command("sloth")
def import_sloth_command(
    source: Annotated[Path, typer.Argument(help="A Sloth spec (prometheus/v1 or Kubernetes).")],
    output: OutputOption = None,
) -> None:
    """Import a Sloth spec; SLI plugins cannot be imported.

    Example: stackgen import sloth sloth/api.yml -o specs/api-slos.yml
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.importers.sloth import import_sloth

    _import("sloth", import_sloth, source, output)


@import_app.command("openslo")
def import_openslo_command(
    source: Annotated[Path, typer.Argument(help="OpenSLO documents (v1alpha SLO, or v1).")],
    output: OutputOption = None,
) -> None:
    """Import OpenSLO ratio-metric SLOs.

    Example: stackgen import openslo openslo/slos.yaml -o specs/slos.yml
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.importers.openslo import import_openslo

    _import("openslo", import_openslo, source, output)


@import_app.command("rules")
def import_rules_command(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Rule files: plain, PrometheusRule objects, Mimir namespace files."),
    ],
    output: OutputOption = None,
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec",
            help="Attach groups to this spec's services (also by `job` matchers) and write a "
            "file to add to its folder, instead of a complete spec.",
        ),
    ] = None,
) -> None:
    """Import existing rules as rule groups kept as written: rendering the spec gives the same
    groups and rules. A group goes to the service its rules name, else to legacy.yml.

    Example: stackgen import rules old/*.yml --spec specs/ -o specs/imported-rules.yml
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.importers.rule_spec import import_rule_files, spec_text
    from stackgen.importers.rules import RulesImportFailed

    stack = load(spec, writes=False) if spec is not None else None
    try:
        files = [(str(path), path.read_text(encoding="utf-8")) for path in sources]
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read: {exc}", EXIT_BAD_INPUT) from None
    try:
        data, notes = import_rule_files(files, stack)
    except RulesImportFailed as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        count = len(exc.errors)
        message = f"{counted(count, 'error')} in the rule files; no spec written"
        raise fail(message, EXIT_BAD_INPUT) from None
    names = [name for name, _ in files]
    _emit(spec_text(data, names, notes, None if spec is None else str(spec)), output, spec)
