"""A project's own templates: file-by-file overrides, rendered sandboxed, errors at FILE:LINE."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.plan import build_plan
from stackgen.render import RenderError, TemplateInputError
from stackgen.render.engine import template_dir
from stackgen.spec import SpecErrors, load_stack
from tests.helpers import MINIMAL, SPECS, render_all, write

MANIFEST_FREE = "runbooks/"


@pytest.fixture(scope="module")
def example_plan():
    return build_plan(load_stack(SPECS))


@pytest.fixture(scope="module")
def builtin_render(example_plan):
    return render_all(example_plan)


def project(tmp_path: Path, name: str, text: str) -> tuple[Path, ...]:
    write(tmp_path / "templates", name, text)
    return (tmp_path / "templates",)


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    assert before.keys() == after.keys()
    return {path for path in before if before[path] != after[path]}


def test_an_override_changes_only_the_outputs_of_its_template(
    tmp_path, example_plan, builtin_render
):
    text = (template_dir() / "runbook.md.j2").read_text(encoding="utf-8")
    templates = project(tmp_path, "runbook.md.j2", text.replace("## Mitigation", "## Stop it"))
    after = render_all(example_plan, templates)
    runbooks = {a.path for a in example_plan if a.template == "runbook.md.j2"}
    assert runbooks and changed(builtin_render, after) == runbooks
    assert all(b"## Stop it" in after[path] for path in runbooks)


def test_an_override_of_notifications_changes_only_the_notification_templates(
    tmp_path, example_plan, builtin_render
):
    text = (template_dir() / "notifications.tmpl.j2").read_text(encoding="utf-8")
    templates = project(
        tmp_path, "notifications.tmpl.j2", "{% raw %}{{/* house style */}}{% endraw %}\n" + text
    )
    assert changed(builtin_render, render_all(example_plan, templates)) == {
        "alertmanager/templates/stackgen.tmpl"
    }


def test_an_unchanged_copy_of_a_template_renders_the_same_bytes(
    tmp_path, example_plan, builtin_render
):
    """The sandbox, the filters and the whitespace settings are the built-in environment's."""
    for name in ("dashboard.json.j2", "rules.yml.j2", "alertmanager.yml.j2"):
        write(tmp_path / "templates", name, (template_dir() / name).read_text(encoding="utf-8"))
    assert render_all(example_plan, (tmp_path / "templates",)) == builtin_render


def test_an_undefined_variable_fails_with_its_file_and_line(tmp_path, example_plan):
    templates = project(tmp_path, "runbook.md.j2", "# {{ name }}\n\n{{ owner.email }}\n")
    with pytest.raises(TemplateInputError) as caught:
        render_all(example_plan, templates)
    error = caught.value
    assert (error.file, error.line) == (str(templates[0] / "runbook.md.j2"), 3)
    assert "'owner' is undefined" in str(error)


def test_a_syntax_error_fails_with_its_file_and_line(tmp_path, example_plan):
    templates = project(tmp_path, "runbook.md.j2", "# {{ name }}\n{% if %}\n")
    with pytest.raises(TemplateInputError) as caught:
        render_all(example_plan, templates)
    assert str(caught.value).startswith(f"{templates[0] / 'runbook.md.j2'}:2: ")


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ name.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_a_sandbox_escape_is_refused(tmp_path, example_plan, escape):
    templates = project(tmp_path, "runbook.md.j2", f"# {{{{ name }}}}\n{escape}\n")
    with pytest.raises(TemplateInputError) as caught:
        render_all(example_plan, templates)
    assert caught.value.line == 2
    assert "unsafe" in caught.value.message or "undefined" in caught.value.message


def test_an_overridden_include_is_used_by_the_built_in_template_including_it(tmp_path):
    """A built-in template that includes a project's file renders in the sandbox too, and an
    error inside the project's file is located there."""
    stack = load_stack(write(tmp_path, "spec.yml", MINIMAL))
    plan = build_plan(stack)
    including = {a.template for a in plan if "imported-groups.yml.j2" in _source(a.template)}
    if not including:
        pytest.skip("no built-in template includes imported-groups.yml.j2")
    templates = project(tmp_path, "imported-groups.yml.j2", "{{ nothing_here }}\n")
    with pytest.raises(TemplateInputError) as caught:
        render_all(plan, templates)
    assert caught.value.file == str(templates[0] / "imported-groups.yml.j2")


def _source(name: str) -> str:
    return (template_dir() / name).read_text(encoding="utf-8")


def test_output_that_does_not_parse_is_the_templates_fault(tmp_path, example_plan):
    templates = project(tmp_path, "alertmanager.yml.j2", "route: [unclosed\n")
    with pytest.raises(TemplateInputError) as caught:
        render_all(example_plan, templates)
    assert caught.value.file == str(templates[0] / "alertmanager.yml.j2")
    assert "not valid" in caught.value.message


def test_a_built_in_failure_stays_a_stackgen_bug(tmp_path):
    """An override in the search path does not turn errors of built-in templates into the
    user's: a template the project does not touch still raises a plain RenderError."""
    from stackgen.plan.artifact import Artifact

    broken = Artifact("prometheus/prometheus.yml", "prometheus.yml.j2", {})
    templates = project(tmp_path, "runbook.md.j2", "x\n")
    with pytest.raises(RenderError) as caught:
        render_all([broken], templates)
    assert not isinstance(caught.value, TemplateInputError)


# --- the spec's output.templates and the command line ---------------------------------------


def spec_with_templates(tmp_path: Path, folder: str) -> Path:
    return write(tmp_path, "spec.yml", MINIMAL + f"output:\n  templates: [{folder}]\n")


def test_output_templates_must_name_a_folder_beside_the_spec(tmp_path):
    spec = spec_with_templates(tmp_path, "mine")
    with pytest.raises(SpecErrors) as caught:
        load_stack(spec)
    (error,) = caught.value.errors
    assert str(error).startswith(f"{spec}:")
    assert error.field == "output.templates[0]"
    assert f"no folder {tmp_path / 'mine'}" in error.message


def test_render_uses_the_specs_templates_folder(tmp_path):
    spec = spec_with_templates(tmp_path, "mine")
    write(tmp_path / "mine", "runbook.md.j2", "# {{ name }} (ours)\n")
    result = CliRunner().invoke(app, ["render", str(spec), "-o", str(tmp_path / "out"),
                                      "--no-tools"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/runbooks/ServiceDown.md").read_text() == "# ServiceDown (ours)\n"


def test_render_with_a_broken_template_exits_2_naming_file_and_line(tmp_path):
    spec = write(tmp_path, "spec.yml", MINIMAL)
    write(tmp_path / "t", "runbook.md.j2", "# {{ name }}\n{{ undefined_thing }}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(spec), "-o", str(out), "--no-tools", "--templates", str(tmp_path / "t")]
    )
    assert result.exit_code == 2
    assert f"{tmp_path / 't' / 'runbook.md.j2'}:2: 'undefined_thing' is undefined" in result.output
    assert not out.exists()


def test_render_refuses_a_missing_templates_folder(tmp_path):
    spec = write(tmp_path, "spec.yml", MINIMAL)
    result = CliRunner().invoke(
        app, ["render", str(spec), "-o", str(tmp_path / "out"), "--templates", "nowhere"]
    )
    assert result.exit_code == 2
    assert "--templates: no folder nowhere" in result.output
