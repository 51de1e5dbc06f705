"""`stackgen init` and `schema`: a project's starting spec, and the spec's JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, fail

INIT_SPEC = "stack.yml"
SCHEMA_FILE = "stackgen.schema.json"


def schema_text() -> str:
    # Imported when run, not at the top: start-up time.
    from stackgen.spec import Stack

    schema = Stack.model_json_schema(by_alias=True)
    schema["title"] = "stackgen spec"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def schema_command() -> None:
    """Print the spec's JSON Schema (for editor completion and CI validation).

    Example: stackgen schema > stackgen.schema.json
    """
    sys.stdout.write(schema_text())


def init_command(
    directory: Annotated[Path, typer.Argument(help="Folder for the new spec.")] = Path("specs"),
) -> None:
    """Write a small working spec to start from (and its JSON Schema, for editors).

    Example: stackgen init monitoring/
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.render.engine import template_dir

    target = directory / INIT_SPEC
    if target.exists():
        raise fail(f"{target} exists; init writes only into a folder without it", EXIT_BAD_INPUT)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        starter = (template_dir() / "init.yml").read_text(encoding="utf-8")
        target.write_text(starter, encoding="utf-8")
        (directory / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {directory}: {exc}", EXIT_BAD_INPUT) from None
    typer.echo(f"wrote {target}; next: stackgen render {directory}")
