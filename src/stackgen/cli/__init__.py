"""The `stackgen` command line: I/O and exit codes around the spec -> plan -> render flow.
Each command group has its module; this one builds the app from them, in the order `--help`
lists them.

Exit codes: 0 all is well; 1 a check found something (render --check: OUT is not current);
2 bad input (the spec, or OUT in a state stackgen will not write over); 3 a stackgen bug (a
template or a real tool rejected what stackgen rendered).
"""

from __future__ import annotations

from typing import Annotated

import typer

from stackgen import version
from stackgen.cli.explain import explain_command
from stackgen.cli.imports import import_app
from stackgen.cli.lint import lint_command
from stackgen.cli.plain import PlainCommand, PlainGroup
from stackgen.cli.preview import preview_command
from stackgen.cli.project import init_command, schema_command
from stackgen.cli.render import diff_command, render_command, report_command, validate_command
from stackgen.cli.routes import routes_app
from stackgen.cli.test import test_command
from stackgen.common.gc import collector_off

app = typer.Typer(
    name="stackgen",
    cls=PlainGroup,
    help="Render one declarative spec into a complete, checked monitoring stack.",
    epilog="Example: stackgen render specs/ -o out/ (then: stackgen COMMAND --help)",
    no_args_is_help=True,
    # --install-completion and --show-completion (bash, zsh, fish, PowerShell)
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stackgen {version()}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """stackgen: services, SLOs and channels in; Prometheus, Alertmanager and Grafana out."""
    collector_off()


app.command("validate")(validate_command)
app.command("render")(render_command)
app.add_typer(import_app, name="import")
app.command("lint", cls=PlainCommand)(lint_command)
app.command("explain")(explain_command)
app.add_typer(routes_app, name="routes")
app.command("test")(test_command)
app.command("preview")(preview_command)
app.command("schema")(schema_command)
app.command("init")(init_command)
app.command("diff")(diff_command)
app.command("report")(report_command)
