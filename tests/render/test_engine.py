"""The render stage hands on what it parsed back, one output at a time if asked."""

import gc
import json

import pytest
import yaml

from stackgen.plan import build_plan
from stackgen.plan.artifact import Artifact
from stackgen.render import UNSHARED, RenderError, render_each
from stackgen.spec import load_stack
from tests.helpers import SPECS, render_all, write


@pytest.fixture(scope="module")
def example_plan():
    return build_plan(load_stack(SPECS))


def test_parsed_holds_what_json_and_yaml_make_of_each_output(example_plan):
    parsed: dict = {}
    files = render_all(example_plan, parsed=parsed)
    assert files == render_all(example_plan)  # asking for the documents changes no byte
    structured = [p for p in files if p.endswith((".json", ".yml", ".yaml"))]
    assert structured and set(parsed) <= set(structured)
    assert {p for p in files if p.endswith(".json")} <= set(parsed)
    for path, document in parsed.items():
        text = files[path].decode()
        assert document == (json.loads(text) if path.endswith(".json") else yaml.safe_load(text))
    # here every YAML output is one plain document
    assert set(parsed) == set(structured)


def test_a_yaml_output_that_is_not_plain_is_checked_but_not_handed_on(tmp_path):
    write(tmp_path / "t", "anchored.yml.j2", "a: &x {b: 1}\nc: *x\n")
    write(tmp_path / "t", "broken.yml.j2", "a: [1\n")
    anchored = Artifact("anchored.yml", "anchored.yml.j2")
    parsed: dict = {}
    assert render_all([anchored], (tmp_path / "t",), parsed) == {
        "anchored.yml": b"a: &x {b: 1}\nc: *x\n"
    }
    assert parsed == {}
    with pytest.raises(RenderError, match=r"invalid YAML for broken\.yml"):
        render_all([Artifact("broken.yml", "broken.yml.j2")], (tmp_path / "t",), parsed)


def test_render_each_yields_outputs_in_plan_order(example_plan):
    each = list(render_each(example_plan))
    assert [path for path, _, _ in each] == [a.path for a in example_plan]
    assert {path: data for path, data, _ in each} == render_all(example_plan)
    assert all(doc is UNSHARED for path, _, doc in each if path.endswith(".md"))


def test_two_outputs_at_one_path_are_a_bug_and_the_collector_is_as_it_was(example_plan):
    threshold = gc.get_threshold()
    with pytest.raises(RenderError, match="two outputs would be written to"):
        render_all([example_plan[0], example_plan[0]])
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0  # what the render froze is collectable again


def test_the_render_thaws_only_what_it_froze(example_plan):
    gc.freeze()  # the caller's own frozen objects
    try:
        frozen = gc.get_freeze_count()
        render_all(example_plan[:3])
        # still frozen (less what was freed meanwhile), and nothing more left frozen
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
