"""`stackgen validate`, `render`, `diff` and `report`: the spec, and what it renders into OUT."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stackgen.cli.exits import EXIT_BAD_INPUT, EXIT_BUG, EXIT_FOUND, fail, render_failures
from stackgen.cli.inputs import EnvOption, SpecArg, chosen_targets, load, out_for
from stackgen.common.values import counted

if TYPE_CHECKING:
    from stackgen.render.stream import Progress
    from stackgen.spec import Stack

# From this many services a render takes long enough to show how far it is.
PROGRESS_FROM = 300


def progress_for(stack: Stack) -> Progress | None:
    """A counter of the services rendered, on a terminal only: not in CI logs, nor in pipes
    and files, which would keep every update."""
    if len(stack.services) < PROGRESS_FROM or os.environ.get("CI") or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rrendering: {done}/{total} services")
        sys.stderr.write("\n" if done == total else "")
        sys.stderr.flush()

    return show


def validate_command(spec: SpecArg = Path("specs"), env: EnvOption = None) -> None:
    """Check a spec and report every problem as FILE:LINE:COL: field.path: message.

    Example: stackgen validate specs/
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.plan.alerts import stack_alerts

    stack = load(spec, writes=False, env=env)
    warn(spec, stack, env)
    typer.echo(
        f"{spec}{f' ({env})' if env else ''}: valid: {counted(len(stack.services), 'service')}, "
        f"{counted(len(stack.channels), 'channel')}, "
        f"{counted(len(stack_alerts(stack)), 'alert')}"
    )


def warn(spec: Path, stack: Stack, env: str | None) -> None:
    """The spec's warnings, located like its errors, on stderr (the exit code stays 0)."""
    from stackgen.spec import spec_warnings

    for warning in spec_warnings(spec, stack, env):
        typer.echo(f"warning: {warning}", err=True)


def render_command(
    spec: SpecArg = Path("specs"),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default out/).")
    ] = None,
    env: EnvOption = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 with a diff if OUT is not current."),
    ] = False,
    tools: Annotated[
        bool,
        typer.Option(
            "--tools/--no-tools",
            help="Check the output with promtool and amtool before writing (when installed).",
        ),
    ] = True,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            help="prometheus, kubernetes, mimir or compose; repeat for several "
            "(default: the spec's output.targets).",
        ),
    ] = None,
    templates: Annotated[
        list[Path] | None,
        typer.Option(
            "--templates",
            help="A folder of your own templates, searched before the spec's output.templates "
            "and the built-in ones (a file replaces the built-in one of its name); repeatable.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Processes to render in (default: one per usable core)."
        ),
    ] = None,
) -> None:
    """Render SPEC into OUT, atomically; or, with --check, show what would change.

    Example: stackgen render specs/ -o out/ --check
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.lint.rules.annotations_runbook_link import ID as RUNBOOK_LINK
    from stackgen.render.checked import CheckedRender
    from stackgen.render.tree import tree_files
    from stackgen.spec.templates import template_folders
    from stackgen.write import WriteError, unified_diff, write_staged

    out = out_for(out, env)
    stack = load(spec, env=env)
    targets = chosen_targets(stack, target)
    missing_folders = [str(folder) for folder in templates or [] if not folder.is_dir()]
    if missing_folders:
        raise fail(f"--templates: no folder {', '.join(missing_folders)}", EXIT_BAD_INPUT)
    folders = template_folders(stack, spec, templates or [])
    if check:
        try:
            import tempfile  # here: `stackgen lint` starts without it

            with render_failures(""), tempfile.TemporaryDirectory() as elsewhere:
                files, digests = tree_files(stack, Path(elsewhere), targets, folders, jobs)
                diff = unified_diff(out, files, out.as_posix().strip("/") or ".", digests)
        except WriteError as exc:
            raise fail(f"cannot compare with {out}: {exc}", EXIT_BAD_INPUT) from None
        if diff:
            sys.stdout.write(diff)
            raise fail(f"{out} is not what {spec} renders: run `stackgen render`", EXIT_FOUND)
        typer.echo(f"{out} is current")
        return
    render = CheckedRender(stack, targets, folders, jobs, tools, progress_for(stack))
    try:
        with render_failures(f"\n{out} was left as it was"):
            write_staged(out, render.produce, verify=render.verify)
    except (WriteError, OSError) as exc:
        raise fail(f"cannot write {out}: {exc}", EXIT_BAD_INPUT) from None
    finally:
        render.cleanup()
    typer.echo(f"rendered {len(render.digests)} files ({', '.join(targets)}) into {out}")
    warn(spec, stack, env)  # as `validate` says them: a render is often all people run
    missing = render.missing
    design = [f._replace(file=str(out / f.file)) for f in render.design]
    relative = [f for f in design if f.check == RUNBOOK_LINK]
    for finding in design:
        if finding.check != RUNBOOK_LINK:
            typer.echo(f"lint: {finding}", err=True)
    if relative:  # one cause, stack-wide: said once
        typer.echo(
            f"warning: `stack.runbooks_url` is not set, so {counted(len(relative), 'alert')} "
            "link their runbooks as `runbooks/NAME.md`, which Slack, PagerDuty and email cannot "
            "open: set it to where out/runbooks is published [annotations/runbook-link]",
            err=True,
        )
    if missing:
        typer.echo(f"not checked with {' and '.join(missing)}: not installed", err=True)


@contextmanager
def _rendered(stack: Stack, spec: Path) -> Iterator[Mapping[str, bytes]]:
    """The files `stackgen render SPEC` writes, unchecked: the plain files (read from a
    temporary folder, which the block outlives) and the spec's targets'."""
    # Imported when run, not at the top: start-up time.
    from stackgen.render.tree import tree_files
    from stackgen.spec.templates import template_folders

    targets = chosen_targets(stack, None)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="stackgen-render-") as folder:
        with render_failures(""):
            files, _ = tree_files(stack, Path(folder), targets, template_folders(stack, spec, []))
        yield files


def _current(out: Path) -> dict[str, bytes]:
    """What stackgen wrote into OUT last time, as it is now."""
    # Imported when run, not at the top: start-up time.
    from stackgen.review.diff import read_rendered
    from stackgen.write import WriteError

    try:
        return read_rendered(out)
    except (WriteError, OSError) as exc:
        raise fail(f"cannot compare with {out}: {exc}", EXIT_BAD_INPUT) from None


OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="The rendered stack to compare with (default out/)."),
]


def diff_command(
    spec: SpecArg = Path("specs"),
    out: OutOption = None,
    env: EnvOption = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", help="text, or markdown for a pull request comment.", case_sensitive=False
        ),
    ] = "text",
) -> None:
    """Show what SPEC's render changes in OUT, object by object: alerts, recording rules,
    routes, where each alert goes, receivers, scrape jobs, dashboards, panels and other files.
    Exit 1 when something changes, 0 when nothing does.

    Example: stackgen diff specs/ -o out/ --format markdown > stack-diff.md
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.review.diff import FORMATS, as_document, compare

    if output_format.lower() not in FORMATS:
        raise fail(f"--format is one of {', '.join(FORMATS)}", EXIT_BAD_INPUT)
    out = out_for(out, env)
    stack = load(spec, writes=False, env=env)
    with _rendered(stack, spec) as files:
        current = _current(out)
        if not current:
            typer.echo(f"{out} holds no render of stackgen: every file is new", err=True)
        changes = compare(current, files)
    sys.stdout.write(as_document(changes, output_format.lower()))
    if changes:
        raise typer.Exit(EXIT_FOUND)


def report_command(
    spec: SpecArg = Path("specs"),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="The rendered stack: REPORT.md goes there (default out/)."
        ),
    ] = None,
    env: EnvOption = None,
) -> None:
    """Write OUT/REPORT.md for reviewers: services and teams, every alert with its severity
    and receivers, every SLO's budget and tier thresholds, the routing tree as a Mermaid
    diagram, and what SPEC's render changes in OUT. Run it before `stackgen render`, which
    keeps REPORT.md and never compares it.

    Example: stackgen report specs/ -o out/ && stackgen render specs/ -o out/
    """
    # Imported when run, not at the top: start-up time.
    from stackgen.render import RenderError
    from stackgen.review.diff import compare, summary
    from stackgen.review.report import REPORT, as_markdown, build_report

    out = out_for(out, env)
    stack = load(spec, writes=False, env=env)
    with _rendered(stack, spec) as files:
        current = _current(out)
        changes = compare(current, files)
        try:
            text = as_markdown(build_report(stack, files, changes, out.as_posix(), not current))
        except RenderError as exc:
            raise fail(f"stackgen bug: {exc}", EXIT_BUG) from None
    target = out / REPORT
    partial = out / f".{REPORT}.{os.getpid()}.tmp"
    try:
        out.mkdir(parents=True, exist_ok=True)
        # A new file, never through a link someone left at its name in OUT.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        with os.fdopen(os.open(partial, flags, 0o666), "w", encoding="utf-8") as file:
            file.write(text)
        partial.replace(target)  # a reader sees the old report or the new one, never half
    except FileExistsError:
        raise fail(f"cannot write {target}: {partial} is in the way", EXIT_BAD_INPUT) from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise fail(f"cannot write {target}: {exc.strerror}", EXIT_BAD_INPUT) from None
    since = f"{summary(changes)} since the last render" if current else "a first render"
    typer.echo(f"wrote {target}: {since}")
