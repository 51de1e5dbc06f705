"""`stackgen explain`: what each SLO's alert tiers mean."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, fail
from stackgen.cli.inputs import SpecArg, load


def explain_command(
    spec: SpecArg = Path("specs"),
    target: Annotated[
        str | None, typer.Argument(help="SERVICE or SERVICE/SLO; default: every SLO.")
    ] = None,
) -> None:
    """Show what each SLO's alert tiers mean: windows, burn rates, thresholds, detection times.

    Example: stackgen explain specs/ aion-web-api/availability
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.review.explain import as_table, explain

    found = explain(load(spec, writes=False), target)
    if not found:
        raise fail(f"no SLO matches {target!r} in {spec}", EXIT_BAD_INPUT)
    typer.echo("\n\n".join(as_table(e) for e in found))
