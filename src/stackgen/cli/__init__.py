"""The `stackgen` command line: I/O and exit codes around the spec -> plan -> render flow.

Exit codes: 0 all is well; 1 a check found something (render --check: OUT is not current);
2 bad input (the spec, or OUT in a state stackgen will not write over); 3 a stackgen bug (a
template or a real tool rejected what stackgen rendered).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer

from stackgen import __version__
from stackgen.common.gc import collector_off
from stackgen.write import MANIFEST, WriteError, unified_diff, write_staged

# The commands import what they need: `stackgen --version` and `--help` start fast.
if TYPE_CHECKING:
    from stackgen.spec import Stack
    from stackgen.spec.model import Target

EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 3
INIT_SPEC = "stack.yml"
SCHEMA_FILE = "stackgen.schema.json"

app = typer.Typer(
    name="stackgen",
    help="Render one declarative spec into a complete, checked monitoring stack.",
    epilog="Example: stackgen render specs/ -o out/ (then: stackgen COMMAND --help)",
    no_args_is_help=True,
    # --install-completion and --show-completion (bash, zsh, fish, PowerShell)
    add_completion=True,
    pretty_exceptions_enable=False,
)

SpecArg = Annotated[
    Path, typer.Argument(help="Spec file, or a folder of spec files merged into one stack.")
]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _load(spec: Path, *, writes: bool = True, env: str | None = None) -> Stack:
    from stackgen.spec import SpecErrors, load_stack

    try:
        return load_stack(spec, env)
    except SpecErrors as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        count = len(exc.errors)
        suffix = "; nothing written" if writes else ""
        where = f"{spec} with environment {env}" if env else str(spec)
        typer.echo(f"{count} error{'s' * (count != 1)} in {where}{suffix}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


EnvOption = Annotated[
    str | None,
    typer.Option(
        "--env",
        "-e",
        help="Apply the overlay SPEC/env/ENV.yaml to the base spec (default OUT: out/env/ENV).",
    ),
]


def _out_for(out: Path | None, env: str | None) -> Path:
    if out is not None:
        return out
    return Path("out") / "env" / env if env else Path("out")


@contextmanager
def _render_failures(after_bug: str) -> Iterator[None]:
    """A failed render's exit: the user's (a project template, a size cap) or stackgen's."""
    from stackgen.prometheus.tools import VerifyError
    from stackgen.render import RenderError, TemplateInputError
    from stackgen.targets.split import TooLarge

    try:
        yield
    except TemplateInputError as exc:  # the project's template: the user's to fix
        raise _fail(f"{exc}; nothing written", EXIT_BAD_INPUT) from None
    except TooLarge as exc:
        raise _fail(f"output.max_file_bytes: {exc}: raise the cap", EXIT_BAD_INPUT) from None
    except (VerifyError, RenderError) as exc:
        raise _fail(f"stackgen bug: {exc}{after_bug}", EXIT_BUG) from None


def _chosen(stack: Stack, override: list[str] | None) -> list[Target]:
    """The targets to write: `--target`'s, else the spec's."""
    from stackgen.spec.model import Target
    from stackgen.targets import TargetError, chosen

    unknown = sorted(set(override or []) - set(get_args(Target)))
    if unknown:
        raise _fail(
            f"unknown target {', '.join(unknown)}: choose from {', '.join(get_args(Target))}",
            EXIT_BAD_INPUT,
        )
    try:
        return chosen(stack, override)
    except TargetError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stackgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """stackgen: services, SLOs and channels in; Prometheus, Alertmanager and Grafana out."""
    collector_off()


@app.command()
def validate(spec: SpecArg = Path("specs"), env: EnvOption = None) -> None:
    """Check a spec and report every problem as FILE:LINE:COL: field.path: message.

    Example: stackgen validate specs/
    """
    from stackgen.plan.alerts import stack_alerts

    stack = _load(spec, writes=False, env=env)
    typer.echo(
        f"{spec}{f' ({env})' if env else ''}: valid: {len(stack.services)} services, "
        f"{len(stack.channels)} channels, "
        f"{len(stack_alerts(stack))} alerts"
    )


@app.command()
def render(
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
    from stackgen.render.checked import CheckedRender
    from stackgen.spec.templates import template_folders

    out = _out_for(out, env)
    stack = _load(spec, env=env)
    targets = _chosen(stack, target)
    missing_folders = [str(folder) for folder in templates or [] if not folder.is_dir()]
    if missing_folders:
        raise _fail(f"--templates: no folder {', '.join(missing_folders)}", EXIT_BAD_INPUT)
    render = CheckedRender(
        stack, targets, template_folders(stack, spec, templates or []), jobs, tools
    )
    if check:
        try:
            with _render_failures(""), tempfile.TemporaryDirectory() as elsewhere:
                files, digests = render.unchecked(Path(elsewhere))
                diff = unified_diff(out, files, out.as_posix().strip("/") or ".", digests)
        except WriteError as exc:
            raise _fail(f"cannot compare with {out}: {exc}", EXIT_BAD_INPUT) from None
        if diff:
            sys.stdout.write(diff)
            raise _fail(f"{out} is not what {spec} renders: run `stackgen render`", EXIT_FOUND)
        typer.echo(f"{out} is current")
        return
    try:
        with _render_failures(f"\n{out} was left as it was"):
            write_staged(out, render.produce, verify=render.verify)
    except (WriteError, OSError) as exc:
        raise _fail(f"cannot write {out}: {exc}", EXIT_BAD_INPUT) from None
    finally:
        render.cleanup()
    typer.echo(f"rendered {len(render.digests)} files ({', '.join(targets)}) into {out}")
    missing = render.missing
    design = [replace(f, file=str(out / f.file)) for f in render.design]
    for finding in design:
        typer.echo(f"lint: {finding}", err=True)
    if missing:
        typer.echo(f"not checked with {' and '.join(missing)}: not installed", err=True)


import_app = typer.Typer(
    help="Turn another tool's SLO spec, or existing rule files, into a stackgen spec.",
    epilog="Example: stackgen import rules rules/*.yml -o specs/imported.yml",
)
app.add_typer(import_app, name="import")


def _import(tool: str, convert: Callable, source: Path, output: Path | None) -> None:
    from stackgen.importers import ImportFailed, as_spec_text

    try:
        spec, notes = convert(source.read_text(encoding="utf-8"), str(source))
    except OSError as exc:
        raise _fail(f"cannot read {source}: {exc}", EXIT_BAD_INPUT) from None
    except ImportFailed as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        # A field of an unexpected shape somewhere the importer does not check one by one.
        message = f"{source}: not a {tool} spec stackgen can read ({type(exc).__name__}: {exc})"
        raise _fail(message, EXIT_BAD_INPUT) from None
    _emit(as_spec_text(spec, str(source), tool, notes), output)


def _emit(text: str, output: Path | None, spec: Path | None = None) -> None:
    """Print the spec text, or write it to `output` (a file of `spec`'s folder, if given)."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc}", EXIT_BAD_INPUT) from None
    typer.echo(f"wrote {output}; next: stackgen validate {spec or output}")


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the spec here, not to stdout.")
]


@import_app.command("sloth")
def import_sloth_command(
    source: Annotated[Path, typer.Argument(help="A Sloth spec (prometheus/v1 or Kubernetes).")],
    output: OutputOption = None,
) -> None:
    """Import a Sloth spec; SLI plugins cannot be imported.

    Example: stackgen import sloth sloth/api.yml -o specs/api-slos.yml
    """
    from stackgen.importers.sloth import import_sloth

    _import("sloth", import_sloth, source, output)


@import_app.command("openslo")
def import_openslo_command(
    source: Annotated[Path, typer.Argument(help="OpenSLO documents (v1alpha SLO, or v1).")],
    output: OutputOption = None,
) -> None:
    """Import OpenSLO ratio-metric SLOs.

    Example: stackgen import openslo openslo/slos.yaml -o specs/slos.yml
    """
    from stackgen.importers.openslo import import_openslo

    _import("openslo", import_openslo, source, output)


@import_app.command("rules")
def import_rules_command(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Rule files: plain, PrometheusRule objects, Mimir namespace files."),
    ],
    output: OutputOption = None,
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec",
            help="Attach groups to this spec's services (also by `job` matchers) and write a "
            "file to add to its folder, instead of a complete spec.",
        ),
    ] = None,
) -> None:
    """Import existing rules as rule groups kept as written: rendering the spec gives the same
    groups and rules. A group goes to the service its rules name, else to legacy.yml.

    Example: stackgen import rules old/*.yml --spec specs/ -o specs/imported-rules.yml
    """
    from stackgen.importers.rule_spec import import_rule_files, spec_text
    from stackgen.importers.rules import RulesImportFailed

    stack = _load(spec, writes=False) if spec is not None else None
    try:
        files = [(str(path), path.read_text(encoding="utf-8")) for path in sources]
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read: {exc}", EXIT_BAD_INPUT) from None
    try:
        data, notes = import_rule_files(files, stack)
    except RulesImportFailed as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        count = len(exc.errors)
        message = f"{count} error{'s' * (count != 1)} in the rule files; no spec written"
        raise _fail(message, EXIT_BAD_INPUT) from None
    names = [name for name, _ in files]
    _emit(spec_text(data, names, notes, None if spec is None else str(spec)), output, spec)


def _expand(path: Path) -> list[Path]:
    """A path, or the files a glob such as `rules/**/*.yml` matches (quoted, so that the shell
    left it alone); a glob that matches nothing stays as it is and is reported missing."""
    text = str(path)
    if path.exists() or not any(char in text for char in "*?["):
        return [path]
    anchor = Path(path.anchor) if path.is_absolute() else Path()
    pattern = str(path.relative_to(anchor)) if path.is_absolute() else text
    return sorted(anchor.glob(pattern)) or [path]


@app.command("lint")
def lint_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Rule files or folders; default: out/.")
    ] = None,
    output_format: Annotated[
        str,
        typer.Option("--format", help="text, json, sarif or github.", case_sensitive=False),
    ] = "text",
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Exit 1 on findings this severe: error, warning, info.")
    ] = "error",
    list_checks: Annotated[bool, typer.Option("--list", help="List the checks.")] = False,
    scrape_interval: Annotated[
        str | None,
        typer.Option(help="For range checks; default: the stack's, else Prometheus's 1m."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Lint settings (disable, severity, required_labels, required_annotations); "
            "default: .stackgen-lint.yml, else the `lint:` section of specs/."
        ),
    ] = None,
    colour: Annotated[
        bool | None,
        typer.Option("--color/--no-color", help="Colour the text report; default: on a terminal."),
    ] = None,
) -> None:
    """Check Prometheus rule files (plain, PrometheusRule, Mimir) and a rendered stack's
    routing and dashboards; report FILE:LINE:COL.

    Example: stackgen lint out/ rules/legacy.yml --format sarif > lint.sarif
    """
    from stackgen.common.values import parse_duration
    from stackgen.lint import CHECKS, at_or_above, lint
    from stackgen.lint.config import find_config
    from stackgen.lint.report import FORMATS, use_colour
    from stackgen.lint.report import render as render_findings
    from stackgen.spec import SpecErrors

    if list_checks:
        for check in CHECKS:
            typer.echo(f"{check.id:<26} {check.severity:<8} {check.doc} Fix: {check.hint}")
        return
    if output_format not in FORMATS or fail_on not in ("error", "warning", "info"):
        raise _fail(
            f"--format is one of {', '.join(FORMATS)}; --fail-on is error, warning or info", 2
        )
    targets = [found for path in paths or [Path("out")] for found in _expand(path)]
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise _fail(f"no such file or folder: {', '.join(map(str, missing))}", EXIT_BAD_INPUT)
    try:
        scrape = parse_duration(scrape_interval) if scrape_interval else None
    except ValueError as exc:
        raise _fail(f"--scrape-interval: {exc}", EXIT_BAD_INPUT) from None
    try:
        settings = find_config(config, Path.cwd())
    except SpecErrors as exc:
        raise _fail("\n".join(map(str, exc.errors)), EXIT_BAD_INPUT) from None
    try:
        findings = lint(targets, scrape, settings)
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read: {exc}", EXIT_BAD_INPUT) from None
    coloured = use_colour(sys.stdout, colour)
    report = render_findings(findings, output_format, coloured)
    if report:
        typer.echo(report, color=coloured)
    if at_or_above(findings, fail_on):  # type: ignore[arg-type]
        raise typer.Exit(EXIT_FOUND)


@app.command("explain")
def explain_command(
    spec: SpecArg = Path("specs"),
    target: Annotated[
        str | None, typer.Argument(help="SERVICE or SERVICE/SLO; default: every SLO.")
    ] = None,
) -> None:
    """Show what each SLO's alert tiers mean: windows, burn rates, thresholds, detection times.

    Example: stackgen explain specs/ aion-web-api/availability
    """
    from stackgen.review.explain import as_table, explain

    found = explain(_load(spec, writes=False), target)
    if not found:
        raise _fail(f"no SLO matches {target!r} in {spec}", EXIT_BAD_INPUT)
    typer.echo("\n\n".join(as_table(e) for e in found))


routes_app = typer.Typer(
    help="Show the routing tree, and where an alert goes.",
    epilog="Example: stackgen routes show specs/",
)
app.add_typer(routes_app, name="routes")


@routes_app.command("show")
def routes_show(spec: SpecArg = Path("specs")) -> None:
    """Print the routing tree SPEC renders: matchers, receivers, timings, time intervals.

    Example: stackgen routes show specs/
    """
    from stackgen.review import routes as simulate

    typer.echo(simulate.show(simulate.alertmanager_document(_load(spec, writes=False))))


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
    from stackgen.plan.routing import complete
    from stackgen.review import routes as simulate

    spec = Path("specs")
    if words and "=" not in words[0]:
        spec, words = Path(words[0]), words[1:]
    try:
        given = simulate.parse_labels(words)
        moment = simulate.parse_time(at) if at else None
    except ValueError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    if not given:
        raise _fail("give the alert's labels, such as alertname=ServiceDown", EXIT_BAD_INPUT)
    stack = _load(spec, writes=False)
    labels, source = complete(stack, given)
    try:
        others = [simulate.firing_alert(stack, word, labels) for word in firing or []]
    except ValueError as exc:
        raise _fail(f"--firing: {exc}", EXIT_BAD_INPUT) from None
    if source is not None:
        typer.echo(f"(labels of the stack's alert {source})")
    found = simulate.deliveries(simulate.alertmanager_document(stack), labels, moment, others)
    typer.echo(simulate.report(labels, found, moment))


@app.command("test")
def test_command(
    out: Annotated[Path, typer.Argument(help="A rendered stack.")] = Path("out"),
) -> None:
    """Run the generated proofs in OUT: the SLO alert tests (`promtool test rules`) and the
    routing matrix (each alert's receivers, by `amtool config routes test` and the simulator).

    Example: stackgen test out/
    """
    from stackgen.prometheus.tools import (
        ROUTING_MATRIX,
        VerifyError,
        routing_disagreements,
        rule_test_files,
        run_rule_tests,
    )

    files = rule_test_files(out)
    if not (out / MANIFEST).is_file():
        raise _fail(f"{out} is not a rendered stack (no {MANIFEST}): run `stackgen render`", 2)
    failed = 0
    if not files:
        typer.echo(f"no SLO proofs in {out}: no SLO has an alerting tier to prove")
    elif shutil.which("promtool") is None:
        raise _fail("promtool is not installed: install the Debian package prometheus", 2)
    for path in files:
        result = run_rule_tests(path)
        if result.returncode == 0:
            typer.echo(f"PASS {path}")
        else:
            failed += 1
            typer.echo(f"FAIL {path}\n{(result.stdout + result.stderr).strip()}")
    if (out / ROUTING_MATRIX).is_file():
        if shutil.which("amtool") is None:
            raise _fail("amtool is not installed: install prometheus-alertmanager", 2)
        try:
            count, problems = routing_disagreements(out)
        except VerifyError as exc:
            raise _fail(str(exc), EXIT_BAD_INPUT) from None
        label = f"routing matrix {out / ROUTING_MATRIX} ({count} alerts)"
        typer.echo(f"PASS {label}" if not problems else f"FAIL {label}")
        for problem in problems:
            typer.echo(f"  {problem}")
        failed += bool(problems)
        files = [*files, out / ROUTING_MATRIX]
    typer.echo(f"{len(files) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(EXIT_FOUND)


@app.command("preview")
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
    from stackgen.render import RenderError
    from stackgen.review.preview import DASHBOARDS, PreviewError, read_dashboards, render_pages

    if not (out / MANIFEST).is_file():
        message = f"{out} is not a rendered stack (no {MANIFEST}): run `stackgen render`"
        raise _fail(message, EXIT_BAD_INPUT)
    if directory.resolve().is_relative_to(out.resolve()):
        message = f"{directory} is inside {out}, which `render --check` compares: choose another -o"
        raise _fail(message, EXIT_BAD_INPUT)
    try:
        pages = render_pages(read_dashboards(out))
    except PreviewError as exc:
        raise _fail(f"{out / exc.file}: {exc.message}; nothing written", EXIT_BAD_INPUT) from None
    except RenderError as exc:
        raise _fail(f"stackgen bug: {exc}", EXIT_BUG) from None
    if len(pages) == 1:  # the index alone
        raise _fail(f"no dashboards in {out / DASHBOARDS}; nothing written", EXIT_BAD_INPUT)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, html in pages.items():
            (directory / name).write_text(html, encoding="utf-8")
            typer.echo(f"wrote {directory / name}")
    except OSError as exc:
        raise _fail(f"cannot write {directory}: {exc}", EXIT_BAD_INPUT) from None
    typer.echo(f"{len(pages) - 1} dashboards previewed; open {directory / 'index.html'}")


def schema_text() -> str:
    from stackgen.spec import Stack

    schema = Stack.model_json_schema(by_alias=True)
    schema["title"] = "stackgen spec"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


@app.command()
def schema() -> None:
    """Print the spec's JSON Schema (for editor completion and CI validation).

    Example: stackgen schema > stackgen.schema.json
    """
    sys.stdout.write(schema_text())


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new spec.")] = Path("specs"),
) -> None:
    """Write a small working spec to start from (and its JSON Schema, for editors).

    Example: stackgen init monitoring/
    """
    from stackgen.render.engine import template_dir

    target = directory / INIT_SPEC
    if target.exists():
        raise _fail(f"{target} exists; init writes only into a folder without it", EXIT_BAD_INPUT)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        starter = (template_dir() / "init.yml").read_text(encoding="utf-8")
        target.write_text(starter, encoding="utf-8")
        (directory / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {directory}: {exc}", EXIT_BAD_INPUT) from None
    typer.echo(f"wrote {target}; next: stackgen render {directory}")


def _rendered_tree(stack: Stack, spec: Path) -> dict[str, bytes]:
    """The files `stackgen render SPEC` writes: the plain files and the spec's targets'."""
    from stackgen.plan import build_plan
    from stackgen.render import render_all
    from stackgen.spec.templates import template_folders
    from stackgen.targets import target_files

    targets = _chosen(stack, None)
    with _render_failures(""):
        plain = render_all(build_plan(stack), template_folders(stack, spec, []))
        return target_files(stack, plain, targets)


def _current(out: Path) -> dict[str, bytes]:
    """What stackgen wrote into OUT last time, as it is now."""
    from stackgen.review.diff import read_rendered

    try:
        return read_rendered(out)
    except (WriteError, OSError) as exc:
        raise _fail(f"cannot compare with {out}: {exc}", EXIT_BAD_INPUT) from None


OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="The rendered stack to compare with (default out/)."),
]


@app.command("diff")
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
    from stackgen.review.diff import FORMATS, as_document, compare

    if output_format.lower() not in FORMATS:
        raise _fail(f"--format is one of {', '.join(FORMATS)}", EXIT_BAD_INPUT)
    out = _out_for(out, env)
    stack = _load(spec, writes=False, env=env)
    files = _rendered_tree(stack, spec)
    current = _current(out)
    if not current:
        typer.echo(f"{out} holds no render of stackgen: every file is new", err=True)
    changes = compare(current, files)
    sys.stdout.write(as_document(changes, output_format.lower()))
    if changes:
        raise typer.Exit(EXIT_FOUND)


@app.command("report")
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
    import os

    from stackgen.render import RenderError
    from stackgen.review.diff import compare, summary
    from stackgen.review.report import REPORT, as_markdown, build_report

    out = _out_for(out, env)
    stack = _load(spec, writes=False, env=env)
    files = _rendered_tree(stack, spec)
    current = _current(out)
    changes = compare(current, files)
    try:
        text = as_markdown(build_report(stack, files, changes, out.as_posix(), not current))
    except RenderError as exc:
        raise _fail(f"stackgen bug: {exc}", EXIT_BUG) from None
    target = out / REPORT
    partial = out / f".{REPORT}.{os.getpid()}.tmp"
    try:
        out.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)  # a reader sees the old report or the new one, never half
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise _fail(f"cannot write {target}: {exc}", EXIT_BAD_INPUT) from None
    since = f"{summary(changes)} since the last render" if current else "a first render"
    typer.echo(f"wrote {target}: {since}")
