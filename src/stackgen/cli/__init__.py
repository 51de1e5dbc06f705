"""The `stackgen` command line: I/O and exit codes around the spec -> plan -> render flow.
Each command group has its module; this one builds the app from them, in the order `--help`
lists them.

A run builds the app with the one command it names: typer reads every registered command's
signature whenever the app runs, and each command's module imports what that command needs,
so a run that registered them all would pay for all of them (`stackgen lint` is run on every
push and is held to promtool's speed). `app` is the whole app, for `--help` and for tests.

Exit codes: 0 all is well; 1 a check found something (render --check: OUT is not current);
2 bad input (the spec, or OUT in a state stackgen will not write over); 3 a stackgen bug (a
template or a real tool rejected what stackgen rendered).
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Annotated, Any

import typer

from stackgen import version
from stackgen.cli.plain import PlainCommand, PlainGroup
from stackgen.common.gc import collector_off

# Each command: its name, and the module and name of its function (or of its typer group).
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("validate", "stackgen.cli.render", "validate_command"),
    ("render", "stackgen.cli.render", "render_command"),
    ("import", "stackgen.cli.imports", "import_app"),
    ("lint", "stackgen.cli.lint", "lint_command"),
    ("explain", "stackgen.cli.explain", "explain_command"),
    ("routes", "stackgen.cli.routes", "routes_app"),
    ("test", "stackgen.cli.test", "test_command"),
    ("preview", "stackgen.cli.preview", "preview_command"),
    ("schema", "stackgen.cli.project", "schema_command"),
    ("init", "stackgen.cli.project", "init_command"),
    ("diff", "stackgen.cli.render", "diff_command"),
    ("report", "stackgen.cli.render", "report_command"),
)
# Commands whose options are converted without pydantic (stackgen.cli.plain).
_PLAIN = frozenset({"lint"})


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stackgen {version()}")
        raise typer.Exit()


def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """stackgen: services, SLOs and channels in; Prometheus, Alertmanager and Grafana out."""
    collector_off()


def application(command: str | None = None) -> typer.Typer:
    """The app with every command, or only with `command` when it names one."""
    built = typer.Typer(
        name="stackgen",
        cls=PlainGroup,
        help="Render one declarative spec into a complete, checked monitoring stack.",
        epilog="Example: stackgen render specs/ -o out/ (then: stackgen COMMAND --help)",
        no_args_is_help=True,
        # --install-completion and --show-completion (bash, zsh, fish, PowerShell)
        add_completion=True,
        pretty_exceptions_enable=False,
    )
    built.callback()(_main)
    known = {name for name, _, _ in COMMANDS}
    for name, module, attribute in COMMANDS:
        if command in known and name != command:
            continue
        found = getattr(import_module(module), attribute)
        if isinstance(found, typer.Typer):
            built.add_typer(found, name=name)
        else:
            built.command(name, cls=PlainCommand if name in _PLAIN else None)(found)
    return built


def main() -> None:
    """The `stackgen` console script."""
    named = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    application(named)(prog_name="stackgen")


def __getattr__(name: str) -> Any:
    """`app`, the whole app, built when first asked for."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    whole = application()
    globals()["app"] = whole
    return whole
