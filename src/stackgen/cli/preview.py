"""`stackgen preview`: a static HTML page per dashboard of a rendered stack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, EXIT_BUG, fail
from stackgen.common.layout import MANIFEST


def stale_pages(directory: Path, current: set[str]) -> list[Path]:
    """Pages an earlier preview wrote for dashboards that are gone (only pages stackgen wrote:
    any other file in the folder is left alone)."""
    # Imported when run, not at the top: start-up time.
    from stackgen.review.preview import GENERATOR

    return [
        path
        for path in sorted(directory.glob("*.html"))
        if path.name not in current and GENERATOR in path.read_text(errors="replace")[:2000]
    ]


def preview_command(
    out: Annotated[Path, typer.Argument(help="A rendered stack.")] = Path("out"),
    directory: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the pages (never inside OUT).")
    ] = Path("preview"),
) -> None:
    """Write a static HTML page per dashboard in OUT that draws its panel grid (titles, types,
    sizes, units, queries), and an index.html listing them: a layout change to review without
    Grafana.

    Example: stackgen preview out/ -o preview/ && xdg-open preview/index.html
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.render import RenderError
    from stackgen.review.preview import DASHBOARDS, PreviewError, read_dashboards, render_pages

    if not (out / MANIFEST).is_file():
        message = f"{out} is not a rendered stack (no {MANIFEST}): run `stackgen render`"
        raise fail(message, EXIT_BAD_INPUT)
    if directory.resolve().is_relative_to(out.resolve()):
        message = f"{directory} is inside {out}, which `render --check` compares: choose another -o"
        raise fail(message, EXIT_BAD_INPUT)
    try:
        pages = render_pages(read_dashboards(out))
    except PreviewError as exc:
        raise fail(f"{out / exc.file}: {exc.message}; nothing written", EXIT_BAD_INPUT) from None
    except RenderError as exc:
        raise fail(f"stackgen bug: {exc}", EXIT_BUG) from None
    if len(pages) == 1:  # the index alone
        raise fail(f"no dashboards in {out / DASHBOARDS}; nothing written", EXIT_BAD_INPUT)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, html in pages.items():
            (directory / name).write_text(html, encoding="utf-8")
            typer.echo(f"wrote {directory / name}")
        for stale in stale_pages(directory, set(pages)):
            stale.unlink()
            typer.echo(f"removed {stale}: its dashboard is gone")
    except OSError as exc:
        raise fail(f"cannot write {directory}: {exc}", EXIT_BAD_INPUT) from None
    typer.echo(f"{len(pages) - 1} dashboards previewed; open {directory / 'index.html'}")
