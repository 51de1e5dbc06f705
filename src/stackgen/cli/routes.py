"""`stackgen routes show|test`: the routing tree a spec renders, and where an alert goes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, fail
from stackgen.cli.inputs import SpecArg, load

routes_app = typer.Typer(
    help="Show the routing tree, and where an alert goes.",
    epilog="Example: stackgen routes show specs/",
)


@routes_app.command("show")
def routes_show(spec: SpecArg = Path("specs")) -> None:
    """Print the routing tree SPEC renders: matchers, receivers, timings, time intervals.

    Example: stackgen routes show specs/
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.review import routes as simulate

    typer.echo(simulate.show(simulate.alertmanager_document(load(spec, writes=False))))


@routes_app.command("test")
def routes_test(
    words: Annotated[
        list[str],
        typer.Argument(help="[SPEC] then the alert's labels, name=value (default SPEC: specs/)."),
    ],
    at: Annotated[
        str | None, typer.Option(help="When: ISO 8601 (no zone: UTC); default: ignore time.")
    ] = None,
    firing: Annotated[
        list[str] | None,
        typer.Option(help="An alert firing meanwhile, by name or as name=value,name=value."),
    ] = None,
) -> None:
    """Print the receivers an alert reaches, with time intervals and inhibition applied.

    Labels that pick out one alert of the stack are completed with its other labels.
    Example: stackgen routes test alertname=HighHTTPErrorRate service=aion-web-api
    --at 2026-12-05T03:00+01:00 --firing ServiceDown
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.plan.routing import complete
    from stackgen.review import routes as simulate

    spec = Path("specs")
    if words and "=" not in words[0]:
        spec, words = Path(words[0]), words[1:]
    try:
        given = simulate.parse_labels(words)
        moment = simulate.parse_time(at) if at else None
    except ValueError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    if not given:
        raise fail("give the alert's labels, such as alertname=ServiceDown", EXIT_BAD_INPUT)
    stack = load(spec, writes=False)
    labels, source = complete(stack, given)
    try:
        others = [simulate.firing_alert(stack, word, labels) for word in firing or []]
    except ValueError as exc:
        raise fail(f"--firing: {exc}", EXIT_BAD_INPUT) from None
    if source is not None:
        typer.echo(f"(labels of the stack's alert {source})")
    found = simulate.deliveries(simulate.alertmanager_document(stack), labels, moment, others)
    typer.echo(simulate.report(labels, found, moment))
