"""What the commands read from the command line: the spec, its environment, the targets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, fail
from stackgen.common.values import counted

if TYPE_CHECKING:
    from stackgen.spec import Stack
    from stackgen.spec.model import Target

SpecArg = Annotated[
    Path, typer.Argument(help="Spec file, or a folder of spec files merged into one stack.")
]

# An environment is a name, never a path: it picks SPEC/env/ENV.yaml and out/env/ENV.
_ENV_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def _env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.fullmatch(value):
        shown = value if len(value) <= 40 and value.isprintable() else f"{value[:40]!r}..."
        raise typer.BadParameter(
            f"{shown!r} is not an environment name: use lowercase letters, digits and dashes "
            "(such as `staging`), the name of SPEC/env/NAME.yaml"
        )
    return value


EnvOption = Annotated[
    str | None,
    typer.Option(
        "--env",
        "-e",
        help="Apply the overlay SPEC/env/ENV.yaml to the base spec (default OUT: out/env/ENV).",
        callback=_env_name,
    ),
]


def load(spec: Path, *, writes: bool = True, env: str | None = None) -> Stack:
    # Imported when a command runs, not at the top: start-up time.
    from stackgen.lint.spec_checks import load_checked_stack
    from stackgen.spec import SpecErrors

    try:
        return load_checked_stack(spec, env)
    except SpecErrors as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        count = len(exc.errors)
        suffix = "; nothing written" if writes else ""
        where = f"{spec} with environment {env}" if env else str(spec)
        typer.echo(f"{counted(count, 'error')} in {where}{suffix}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def out_for(out: Path | None, env: str | None) -> Path:
    if out is not None:
        return out
    return Path("out") / "env" / env if env else Path("out")


def chosen_targets(stack: Stack, override: list[str] | None) -> list[Target]:
    """The targets to write: `--target`'s, else the spec's."""
    # Imported when a command runs, not at the top: start-up time.
    from stackgen.spec.model import Target
    from stackgen.targets import TargetError, chosen

    unknown = sorted(set(override or []) - set(get_args(Target)))
    if unknown:
        raise fail(
            f"unknown target {', '.join(unknown)}: choose from {', '.join(get_args(Target))}",
            EXIT_BAD_INPUT,
        )
    try:
        return chosen(stack, override)
    except TargetError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
