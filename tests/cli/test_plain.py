"""Commands that must start fast read their plain options without pydantic: `stackgen lint` on
a rule file imports neither pydantic, jinja2 nor the spec model, nor another command's module,
the writer or multiprocessing, and gets the same values as typer's own conversion would give."""

import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

from stackgen.cli.plain import PlainCommand, plain_conversion

# The console script's path through the CLI, in a fresh interpreter; prints what it imported.
RUN_CLI = """
import sys
from stackgen.cli import main
sys.argv = ["stackgen", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
first = ("pydantic", "jinja2", "multiprocessing")
heavy = sorted(
    {name.split(".")[0] for name in sys.modules if name.split(".")[0] in first}
    | {name for name in sys.modules if name.startswith(("stackgen.spec.model", "stackgen.plan"))}
    | {name for name in sys.modules if name == "stackgen.write"}
    | {name for name in sys.modules if name.startswith("stackgen.cli.")}
    - {"stackgen.cli.lint", "stackgen.cli.plain", "stackgen.cli.exits"}
)
print("exit", code, "imported", heavy)
"""

RULES = """groups:
  - name: api
    rules:
      - alert: ApiDown
        expr: up{job="api"} == 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} is down"}
"""


def run_cli(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args], cwd=cwd, capture_output=True, text=True
    )
    assert result.stderr == ""
    return result.stdout


def test_linting_a_rule_file_imports_no_pydantic_jinja2_or_spec_model(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    out = run_cli("lint", "rules.yml", "--format", "json", "--fail-on", "warning", cwd=tmp_path)
    assert out.endswith("exit 1 imported []\n")  # findings (runbook_url missing), nothing heavy
    assert '"annotations/required"' in out


def test_a_lint_config_still_loads_through_the_spec_model(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    (tmp_path / ".stackgen-lint.yml").write_text("disable: [annotations/required]\n")
    out = run_cli("lint", "rules.yml", "--format", "json", cwd=tmp_path)
    imported = out.rsplit("imported ", 1)[1]
    assert "'pydantic'" in imported and "'stackgen.spec.model'" in imported
    assert "annotations/required" not in out


class Shade(str, Enum):
    light = "light"
    dark = "dark"


def command(
    paths: Annotated[list[Path] | None, typer.Argument()] = None,
    name: Annotated[str, typer.Option()] = "x",
    shade: Annotated[Shade, typer.Option(case_sensitive=False)] = Shade.light,
    where: Annotated[Path | None, typer.Option()] = None,
    count: Annotated[int, typer.Option()] = 1,
    loud: Annotated[bool, typer.Option("--loud/--quiet")] = False,
) -> None:
    typer.echo(repr((paths, name, shade, where, count, loud)))


def both(*args: str) -> tuple[str, str]:
    """What the command receives through PlainCommand and through typer's own conversion."""
    outputs = []
    for cls in (PlainCommand, None):
        app = typer.Typer()
        app.command(cls=cls)(command)
        result = CliRunner().invoke(app, list(args))
        outputs.append(f"{result.exit_code} {result.output}")
    return outputs[0], outputs[1]


def test_plain_values_are_those_typer_gives():
    for args in (
        (),
        ("a.yml", "b/c.yml", "--name", "y", "--shade", "DARK", "--where", "w", "--loud"),
        ("--count", "3", "--quiet", "--shade", "light"),
    ):
        plain, typers = both(*args)
        assert plain == typers
        assert plain.startswith("0 (")


def test_a_value_it_cannot_convert_gets_typers_message():
    plain, typers = both("--shade", "purple")
    assert plain == typers
    assert plain.startswith("2 ") and "Invalid value for '--shade'" in plain


def test_what_needs_typers_checks_is_left_to_typer():
    info = typer.models.OptionInfo(exists=True)
    assert plain_conversion(Path, info) is None  # typer checks the path exists
    assert plain_conversion(int, typer.models.OptionInfo()) is None  # numbers, ranges
    assert plain_conversion(str | int, typer.models.OptionInfo()) is None
    convert = plain_conversion(list[Path] | None, typer.models.ArgumentInfo())
    assert convert is not None and convert(("a", "b")) == [Path("a"), Path("b")]
