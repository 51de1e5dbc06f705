"""`stackgen explain`: what each SLO's alert tiers mean."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, fail
from stackgen.cli.inputs import load

DEFAULT_SPEC = Path("specs")


def _is_path(word: str) -> bool:
    """A spec's path rather than a name: it exists, or it is written as a file or folder (no
    service or SLO name ends in `/` or `.yml`)."""
    return Path(word).exists() or word.endswith(("/", ".yml", ".yaml"))


def spec_and_target(words: list[str], spec: Path | None) -> tuple[Path, str | None]:
    """`explain [SPEC] [SERVICE[/SLO]]` or `explain SERVICE[/SLO] --spec SPEC`: a word that is
    a path (`_is_path`) is the spec, any other word names what to explain."""
    if len(words) > 2:
        raise fail("give at most a spec and one SERVICE or SERVICE/SLO", EXIT_BAD_INPUT)
    if len(words) == 2:
        if spec is not None:
            raise fail(f"the spec is given twice: {words[0]} and --spec {spec}", EXIT_BAD_INPUT)
        return Path(words[0]), words[1]
    if words and spec is None and _is_path(words[0]):
        return Path(words[0]), None
    return spec or DEFAULT_SPEC, words[0] if words else None


def explain_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="SERVICE or SERVICE/SLO (default: every SLO); a spec file or folder given "
            "first, or alone, is read instead of specs/.",
            show_default=False,
        ),
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option("--spec", "-s", help="Spec file or folder (default: specs/)."),
    ] = None,
) -> None:
    """Show what each SLO's alert tiers mean: windows, burn rates, thresholds, detection times.

    Example: stackgen explain aion-web-api/availability (or: stackgen explain specs/ aion-web-api)
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.review.explain import as_table, explain

    path, target = spec_and_target(words or [], spec)
    stack = load(path, writes=False)
    found = explain(stack, target)
    if found:
        typer.echo("\n\n".join(as_table(e) for e in found))
        return
    with_slos = [f"{s.name}/{o.name}" for s in stack.services for o in s.slos]
    services = [s.name for s in stack.services]
    name = (target or "").split("/")[0]
    if not with_slos or (name in services and "/" not in (target or "")):
        whose = f"{name} has" if target else f"the spec {path} has"
        typer.echo(
            f"{whose} no SLO to explain: add one under the service's `slos:`, such as "
            "`slos: [{name: availability, objective: 99.9, sli: {type: uptime}}]`"
        )
        return
    known = ", ".join(with_slos[:10]) + (
        f" and {len(with_slos) - 10} more" if len(with_slos) > 10 else ""
    )
    hint = "" if name in services else f"; no service is named `{name}`"
    raise fail(f"no SLO matches `{target}` in {path}{hint} (SLOs: {known})", EXIT_BAD_INPUT)
