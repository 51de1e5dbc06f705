"""Render stage: artifacts -> file bytes, each parsed back before anything is written."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import yaml

from stackgen.plan.artifact import Artifact
from stackgen.render.errors import RenderError
from stackgen.render.filters import FILTERS
from stackgen.render.project import SearchPath, project_environment, render_project
from stackgen.values import clean_number

# libyaml's parser when PyYAML has it: parsing every output back is most of a render's time.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def template_dir() -> Path:
    packaged = Path(str(files("stackgen"))) / "templates"
    if packaged.is_dir():
        return packaged
    # A source checkout (editable install): the top-level templates/ folder.
    return Path(__file__).resolve().parents[3] / "templates"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_artifact(artifact: Artifact, templates: SearchPath = ()) -> bytes:
    """The artifact's bytes; `templates`: the project's template folders, searched first."""
    if templates and (sandbox := project_environment(artifact.template, templates, template_dir())):
        text = render_project(
            sandbox, artifact.template, artifact.context, templates, lambda t: _checked(artifact, t)
        )
        return text.encode("utf-8")
    try:
        text = environment().get_template(artifact.template).render(artifact.context)
    except jinja2.TemplateError as exc:
        raise RenderError(
            f"template {artifact.template} failed for {artifact.path}: {exc}"
        ) from exc
    return _checked(artifact, text).encode("utf-8")


def _checked(artifact: Artifact, text: str) -> str:
    """Parse the output back; JSON is re-indented canonically so layout never depends on Jinja."""
    where = f"template {artifact.template} rendered invalid"
    if artifact.path.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RenderError(f"{where} JSON for {artifact.path}: {exc}") from exc
        return json.dumps(_clean_numbers(data), indent=2, ensure_ascii=False) + "\n"
    if artifact.path.endswith((".yml", ".yaml")):
        try:
            yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            raise RenderError(f"{where} YAML for {artifact.path}: {exc}") from exc
    return text


def _clean_numbers(value: Any) -> Any:
    """Floats as a person writes them in JSON: 2.0 -> 2, 0.30000000000000004 -> 0.3."""
    if isinstance(value, float):
        number = Decimal(clean_number(value))
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, dict):
        return {k: _clean_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_numbers(v) for v in value]
    return value


def render_all(artifacts: list[Artifact], templates: SearchPath = ()) -> dict[str, bytes]:
    """Every artifact's bytes by path; two artifacts claiming one path is a bug."""
    rendered: dict[str, bytes] = {}
    for artifact in artifacts:
        if artifact.path in rendered:
            raise RenderError(f"two outputs would be written to {artifact.path}")
        rendered[artifact.path] = render_artifact(artifact, templates)
    return rendered
