"""Render stage: artifacts -> file bytes, each parsed back before anything is written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import yaml

from stackgen.plan.artifact import Artifact
from stackgen.render.errors import RenderError
from stackgen.render.filters import FILTERS
from stackgen.render.jsontext import canonical_json
from stackgen.render.options import TEMPLATE_OPTIONS
from stackgen.render.parse import check_yaml, load_yaml
from stackgen.render.project import SearchPath, project_environment, render_project


def template_dir() -> Path:
    packaged = Path(str(files("stackgen"))) / "templates"
    if packaged.is_dir():
        return packaged
    # A source checkout (editable install): the top-level templates/ folder.
    return Path(__file__).resolve().parents[3] / "templates"


class _Environment(jinja2.Environment):
    """Jinja's environment, reading `mapping.key` of a dict as the item at once. Jinja tries
    the attribute first, and raises and catches an AttributeError for every key read from a
    context's dicts. The same result: a dict has no attributes but its type's."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


@cache
def environment() -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        **TEMPLATE_OPTIONS,
    )
    env.filters.update(FILTERS)
    return env


def render_artifact(
    artifact: Artifact, templates: SearchPath = (), parsed: MutableMapping[str, Any] | None = None
) -> bytes:
    """The artifact's bytes; `templates`: the project's template folders, searched first.
    `parsed`: gets the output's document by its path (see `render_each`); without it, YAML
    output is only checked (cheaper than building its document)."""
    documents: list[Any] = []

    def check(text: str) -> str:
        text, document = _checked(artifact, text, keep=parsed is not None)
        if document is not UNSHARED:
            documents.append(document)
        return text

    if templates and (sandbox := project_environment(artifact.template, templates, template_dir())):
        text = render_project(sandbox, artifact.template, artifact.context, templates, check)
    else:
        try:
            text = environment().get_template(artifact.template).render(artifact.context)
        except jinja2.TemplateError as exc:
            raise RenderError(
                f"template {artifact.template} failed for {artifact.path}: {exc}"
            ) from exc
        text = check(text)
    if parsed is not None and documents:
        parsed[artifact.path] = documents[0]
    return text.encode("utf-8")


# `_checked`'s document for outputs that are not handed on: not JSON, nor one plain YAML one.
UNSHARED: Any = object()


def _checked(artifact: Artifact, text: str, keep: bool = True) -> tuple[str, Any]:
    """Parse the output back; JSON is re-indented canonically so layout never depends on Jinja.
    Also the parsed document (`keep`: for YAML, wanted), or UNSHARED."""
    where = f"template {artifact.template} rendered invalid"
    if artifact.path.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RenderError(f"{where} JSON for {artifact.path}: {exc}") from exc
        text, data = canonical_json(data)
        return text + "\n", data
    if artifact.path.endswith((".yml", ".yaml")):
        try:
            if not keep:
                check_yaml(text)
                return text, UNSHARED
            document, plain = load_yaml(text)
        except yaml.YAMLError as exc:
            raise RenderError(f"{where} YAML for {artifact.path}: {exc}") from exc
        return text, document if plain else UNSHARED
    return text, UNSHARED


def render_each(
    artifacts: Iterable[Artifact],
    templates: SearchPath = (),
    wanted: Callable[[str], bool] = lambda _: True,
) -> Iterator[tuple[str, bytes, Any]]:
    """(path, bytes, document) of each artifact as it is rendered, so that a caller can use
    each output and let it go; two artifacts claiming one path is a bug. `document`, for the
    paths `wanted`, is what json.loads or yaml.safe_load makes of the bytes of every JSON output
    and of each YAML output that is one plain document (no anchors, string keys only, none
    twice, no merge keys); else UNSHARED."""
    seen: set[str] = set()
    for artifact in artifacts:
        if artifact.path in seen:
            raise RenderError(f"two outputs would be written to {artifact.path}")
        seen.add(artifact.path)
        found: dict[str, Any] | None = {} if wanted(artifact.path) else None
        data = render_artifact(artifact, templates, found)
        yield artifact.path, data, (found or {}).get(artifact.path, UNSHARED)
