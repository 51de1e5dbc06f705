"""How a command ends when it cannot do its job: the message, and the exit code saying whose
problem it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 3


def fail(message: str, code: int) -> typer.Exit:
    import typer  # here: `stackgen lint` reads the exit codes and never loads typer

    typer.echo(message, err=True)
    return typer.Exit(code)


@contextmanager
def render_failures(after_bug: str) -> Iterator[None]:
    """A failed render's exit: the user's (a project template, a size cap) or stackgen's."""
    # Imported when a command renders, not at the top: start-up time.
    from stackgen.prometheus.tools import VerifyError
    from stackgen.render import RenderError, TemplateInputError
    from stackgen.targets.split import TooLarge

    try:
        yield
    except TemplateInputError as exc:  # the project's template: the user's to fix
        raise fail(f"{exc}; nothing written", EXIT_BAD_INPUT) from None
    except TooLarge as exc:
        raise fail(f"output.max_file_bytes: {exc}: raise the cap", EXIT_BAD_INPUT) from None
    except (VerifyError, RenderError) as exc:
        raise fail(f"stackgen bug: {exc}{after_bug}", EXIT_BUG) from None
