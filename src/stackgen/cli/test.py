"""`stackgen test`: the proofs a render wrote into OUT, run."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, EXIT_FOUND, fail
from stackgen.common.layout import MANIFEST


def test_command(
    out: Annotated[Path, typer.Argument(help="A rendered stack.")] = Path("out"),
    require_proofs: Annotated[
        bool, typer.Option("--require-proofs", help="Exit 1 when some alert has no proof.")
    ] = False,
) -> None:
    """Run the generated proofs in OUT: every alert's scenarios from raw series (`promtool test
    rules`), then the routing matrix (each alert's receivers, by `amtool config routes test`
    and the simulator), then name every alerting rule no proof fires (unproven).

    Example: stackgen test out/
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.prometheus.proof_coverage import coverage
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
        typer.echo(f"no proofs in {out}: it has no alert stackgen can prove")
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
    found = coverage(out)
    for rule in found.unproven:
        typer.echo(f"UNPROVEN {rule}")
    for file, notes in found.reasons.items():
        for note in notes:
            typer.echo(f"  {file}: {note}")
    typer.echo(
        f"{len(files) - failed} passed, {failed} failed; "
        f"{found.proven} of {len(found.rules)} alerting rules proven"
    )
    if failed or (require_proofs and found.unproven):
        raise typer.Exit(EXIT_FOUND)
