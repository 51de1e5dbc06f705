"""The typer app: every command, in the order `--help` lists them, or only the one a run
names (stackgen.cli.main)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Annotated

import typer

from stackgen import version
from stackgen.common.gc import collector_off

# Each command: its name, and the module and name of its function (or of its typer group).
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("validate", "stackgen.cli.render", "validate_command"),
    ("render", "stackgen.cli.render", "render_command"),
    ("import", "stackgen.cli.imports", "import_app"),
    ("lint", "stackgen.cli.lint", "run"),
    ("explain", "stackgen.cli.explain", "explain_command"),
    ("routes", "stackgen.cli.routes", "routes_app"),
    ("test", "stackgen.cli.test", "test_command"),
    ("preview", "stackgen.cli.preview", "preview_command"),
    ("schema", "stackgen.cli.project", "schema_command"),
    ("init", "stackgen.cli.project", "init_command"),
    ("diff", "stackgen.cli.render", "diff_command"),
    ("report", "stackgen.cli.render", "report_command"),
)
# Commands that read their own arguments (`run(arguments) -> exit code`, with their module's
# SUMMARY and EXAMPLE as help): the app hands them every word after their name but a `--`,
# which click keeps for itself (the console script hands them on as they are).
OWN_ARGUMENTS = frozenset({"lint"})
_HANDED_ON = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


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


def _handing_on(run: Callable[[list[str]], int]) -> Callable[[typer.Context], None]:
    def command(context: typer.Context) -> None:
        raise typer.Exit(run(context.args))

    return command


def application(command: str | None = None) -> typer.Typer:
    """The app with every command, or only with `command` when it names one."""
    built = typer.Typer(
        name="stackgen",
        help="Render one declarative spec into a complete, checked monitoring stack.",
        epilog="Example: stackgen render specs/ -o out/ (then: stackgen COMMAND --help)",
        no_args_is_help=True,
        # --install-completion and --show-completion (bash, zsh, fish, PowerShell)
        add_completion=True,
        pretty_exceptions_enable=False,
    )
    built.callback()(_main)
    known = {name for name, _, _ in COMMANDS}
    for name, module_name, attribute in COMMANDS:
        if command in known and name != command:
            continue
        module = import_module(module_name)
        found = getattr(module, attribute)
        if isinstance(found, typer.Typer):
            built.add_typer(found, name=name)
        elif name in OWN_ARGUMENTS:
            built.command(
                name,
                help=f"{module.SUMMARY}\n\n{module.EXAMPLE}",
                context_settings=_HANDED_ON,
                add_help_option=False,
            )(_handing_on(found))
        else:
            built.command(name)(found)
    return built
