"""`stackgen test`: the proofs a render wrote into OUT, run."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, EXIT_FOUND, fail
from stackgen.write import MANIFEST


def test_command(
    out: Annotated[Path, typer.Argument(help="A rendered stack.")] = Path("out"),
) -> None:
    """Run the generated proofs in OUT: the SLO alert tests (`promtool test rules`) and the
    routing matrix (each alert's receivers, by `amtool config routes test` and the simulator).

    Example: stackgen test out/
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.prometheus.tools import (
        ROUTING_MATRIX,
        VerifyError,
        routing_disagreements,
        rule_test_files,
        run_rule_tests,
    )

    files = rule_test_files(out)
    if not (out / MANIFEST).is_file():
        raise fail(f"{out} is not a rendered stack (no {MANIFEST}): run `stackgen render`", 2)
    failed = 0
    if not files:
        typer.echo(f"no SLO proofs in {out}: no SLO has an alerting tier to prove")
    elif shutil.which("promtool") is None:
        raise fail("promtool is not installed: install the Debian package prometheus", 2)
    for index, path in enumerate(files, 1):
        # promtool takes seconds a file: say what runs before it does
        typer.echo(f"RUN  {path} ({index}/{len(files)})")
        result = run_rule_tests(path)
        if result.returncode == 0:
            typer.echo(f"PASS {path}")
        else:
            failed += 1
            typer.echo(f"FAIL {path}\n{(result.stdout + result.stderr).strip()}")
    if (out / ROUTING_MATRIX).is_file():
        if shutil.which("amtool") is None:
            raise fail("amtool is not installed: install prometheus-alertmanager", 2)
        typer.echo(f"RUN  {out / ROUTING_MATRIX} (amtool and the simulator)")
        try:
            count, problems = routing_disagreements(out)
        except VerifyError as exc:
            raise fail(str(exc), EXIT_BAD_INPUT) from None
        label = f"routing matrix {out / ROUTING_MATRIX} ({count} alerts)"
        typer.echo(f"PASS {label}" if not problems else f"FAIL {label}")
        for problem in problems:
            typer.echo(f"  {problem}")
        failed += bool(problems)
        files = [*files, out / ROUTING_MATRIX]
    typer.echo(f"{len(files) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(EXIT_FOUND)
