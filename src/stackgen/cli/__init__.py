"""The `stackgen` command line: I/O and exit codes around the spec -> plan -> render flow.
Each command group has its module; stackgen.cli.typer_app builds the typer app from them.

A run builds the app with the one command it names: typer reads every registered command's
signature whenever the app runs, and each command's module imports what that command needs,
so a run that registered them all would pay for all of them. `stackgen lint` (run on every
push, held to promtool's speed) reads its own arguments and runs without the app. `app` is
the whole app, for `--help` and for tests.

Exit codes: 0 all is well; 1 a check found something (render --check: OUT is not current);
2 bad input (the spec, or OUT in a state stackgen will not write over); 3 a stackgen bug (a
template or a real tool rejected what stackgen rendered).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

# Set by a shell asking for completions: the app answers those, lint's included.
_COMPLETING = "_STACKGEN_COMPLETE"


def main() -> None:
    """The `stackgen` console script."""
    if sys.argv[1:2] == ["lint"] and _COMPLETING not in os.environ:
        from stackgen.cli.lint import run
        from stackgen.common.gc import collector_off

        collector_off()
        _exit(_written(run, sys.argv[2:]))
    from stackgen.cli.typer_app import application

    named = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    application(named)(prog_name="stackgen")


def _written(run: Callable[[list[str]], int], words: list[str]) -> int:
    """`run(words)`'s exit code once all it printed is written: 1 when the reader closed the
    pipe early (`| head`: as click's commands end), 2 when the output cannot be written (a
    full disk), with the reason. What the terminal cannot show is replaced, not a crash."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")
    try:
        code = run(words)
        sys.stdout.flush()
    except BrokenPipeError:
        return 1
    except OSError as exc:
        with contextlib.suppress(OSError):
            print(f"stackgen: cannot write the output: {exc}", file=sys.stderr)
        return 2
    return code


def _exit(code: int) -> NoReturn:
    """Exit without tearing the interpreter down: freeing every object a lint of many files
    made, module by module, is work nobody waits for. The output is written already."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def __getattr__(name: str) -> Any:
    """`app`, the whole app, built when first asked for."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from stackgen.cli.typer_app import application

    whole = application()
    globals()["app"] = whole
    return whole
