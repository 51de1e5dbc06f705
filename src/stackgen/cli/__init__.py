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
import os
import sys
from typing import Any, NoReturn

# Set by a shell asking for completions: the app answers those, lint's included.
_COMPLETING = "_STACKGEN_COMPLETE"


def main() -> None:
    """The `stackgen` console script."""
    if sys.argv[1:2] == ["lint"] and _COMPLETING not in os.environ:
        from stackgen.cli.lint import run
        from stackgen.common.gc import collector_off

        collector_off()
        _exit(run(sys.argv[2:]))
    from stackgen.cli.typer_app import application

    named = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    application(named)(prog_name="stackgen")


def _exit(code: int) -> NoReturn:
    """Exit once the output is out, without tearing the interpreter down: freeing every object
    a lint of many files made, module by module, is work nobody waits for."""
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`| head`): the output went as far as it could
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def __getattr__(name: str) -> Any:
    """`app`, the whole app, built when first asked for."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from stackgen.cli.typer_app import application

    whole = application()
    globals()["app"] = whole
    return whole
