"""Reading spec YAML: positions, merging a folder, and the errors of malformed files."""

import pytest

from stackgen.spec import Stack, load_stack
from stackgen.spec.errors import SpecErrors
from stackgen.spec.loader import load_data, load_spec
from tests.helpers import MINIMAL, SPECS, write


def errors_of(path) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_spec(path)
    return [str(e) for e in caught.value.errors]


def test_positions_point_at_values_and_keys(tmp_path):
    spec = write(tmp_path, "s.yml", MINIMAL)
    loaded = load_spec(spec)
    assert loaded.source.locate(("services", 0, "kind")).line == 6
    assert loaded.source.locate(("stack", "name"), key=True).column == 3
    # a path that was never written points at its nearest written ancestor
    assert loaded.source.locate(("services", 0, "metrics", "x")).line == 4


def test_a_folder_merges_list_sections_and_keeps_each_files_positions(tmp_path):
    write(tmp_path, "a-stack.yml", MINIMAL)
    write(
        tmp_path,
        "teams/b.yml",
        """\
        services:
          - name: db
            team: data
            kind: database
            targets: {static: ["db:9187"]}
        """,
    )
    loaded = load_spec(tmp_path)
    assert [s["name"] for s in loaded.data["services"]] == ["api", "db"]
    position = loaded.source.locate(("services", 1, "kind"))
    assert (position.file.endswith("teams/b.yml"), position.line) == (True, 4)
    assert loaded.source.names[("services", 1)] == "db"


def test_a_section_defined_in_two_files_names_both_places(tmp_path):
    write(tmp_path, "a.yml", MINIMAL)
    write(tmp_path, "b.yml", "routing:\n  default_channel: ops\n")
    (error,) = errors_of(tmp_path)
    assert error.startswith(f"{tmp_path / 'b.yml'}:1:1: routing: `routing` is already defined at ")
    assert f"{tmp_path / 'a.yml'}:14:1" in error


def test_duplicate_keys_are_errors_not_silently_dropped(tmp_path):
    spec = write(tmp_path, "s.yml", "stack:\n  name: a\n  name: b\n")
    (error,) = errors_of(spec)
    assert (
        error
        == f"{spec}:3:3: stack.name: duplicate key `name` (first at line 2); YAML would silently keep only the last one"
    )


def test_yaml_syntax_error_has_line_and_column_and_where_the_construct_began(tmp_path):
    spec = write(tmp_path, "s.yml", "stack:\n  name: [a, b\nchannels: []\n")
    (error,) = errors_of(spec)
    assert error.startswith(f"{spec}:3:")
    assert "YAML syntax error" in error
    assert "(while parsing a flow sequence at line 2, column 9)" in error


def test_empty_file_is_an_error(tmp_path):
    spec = write(tmp_path, "s.yml", "# only a comment\n")
    assert errors_of(spec) == [
        f"{spec}:1:1: (document): the file is empty: a spec file is a mapping of sections such "
        "as `stack:`, `services:` or `channels:` (run `stackgen init` for an example)"
    ]


def test_top_level_list_is_an_error(tmp_path):
    spec = write(tmp_path, "s.yml", "- stack\n- services\n")
    (error,) = errors_of(spec)
    assert error.startswith(f"{spec}:1:1: (document): the top level is a list")


def test_errors_of_every_file_are_reported_together(tmp_path):
    write(tmp_path, "a.yml", "")
    write(tmp_path, "b.yml", "key: [\n")
    write(tmp_path, "c.yml", "- x\n")
    assert len(errors_of(tmp_path)) == 3


def test_merge_keys_and_anchors_are_resolved(tmp_path):
    spec = write(
        tmp_path,
        "s.yml",
        """\
        x-target: &target {static: ["a:1"]}
        defaults: &defaults {team: web, kind: http}
        services:
          - <<: *defaults
            name: api
            targets: *target
        """,
    )
    service = load_spec(spec).data["services"][0]
    assert service == {"team": "web", "kind": "http", "name": "api", "targets": {"static": ["a:1"]}}


def test_missing_path_and_empty_folder(tmp_path):
    assert errors_of(tmp_path / "nope.yml")[0].endswith("(document): no such file or folder")
    (tmp_path / "empty").mkdir()
    assert errors_of(tmp_path / "empty")[0].endswith(
        "the folder holds no .yml or .yaml spec file; write a first one with "
        f"`stackgen init {tmp_path / 'empty'}`"
    )
    assert errors_of(tmp_path / "specs")[0].endswith(  # a missing folder, as SPEC's default
        f"no such file or folder; write a first spec with `stackgen init {tmp_path / 'specs'}`"
    )


def test_a_billion_laughs_is_refused_at_the_alias_that_passes_the_budget(tmp_path):
    """Each level ten aliases of the one before: 10^9 nodes, refused at once, not built."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    spec = write(tmp_path, "bomb.yml", "\n".join(lines) + "\n")
    (error,) = errors_of(spec)
    assert error.startswith(f"{spec}:5:")
    assert "aliases expand to 101,218 nodes by here, past the budget of" in error


def test_aliases_within_the_budget_are_built_once(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 4)]
    loaded = load_spec(write(tmp_path, "shared.yml", "\n".join(lines) + "\n"))
    assert loaded.data["a3"][0][0][0] == ["x"] * 10
    assert loaded.data["a3"][0] is loaded.data["a3"][1]  # shared, not copied


def test_a_self_referring_alias_is_an_error(tmp_path):
    spec = write(tmp_path, "s.yml", "services: &a [*a]\n")
    (error,) = errors_of(spec)
    assert error == (
        f"{spec}:1:15: (document): YAML syntax error: the alias *a is inside the node it "
        "refers to; fix the YAML at this spot"
    )


def test_a_list_section_that_is_not_a_list_is_an_error(tmp_path):
    write(tmp_path, "a.yml", "services:\n")
    write(tmp_path, "b.yml", MINIMAL)
    (error,) = errors_of(tmp_path)
    assert error.endswith(
        "a.yml:1:10: services: `services` must be a list (found null value); write `services: []` for none"
    )


def test_hidden_folders_and_files_are_not_read_as_spec(tmp_path):
    write(tmp_path, "stack.yml", MINIMAL)
    write(tmp_path, ".github/workflows/ci.yml", "on: push\n")
    write(tmp_path, ".pre-commit-config.yaml", "repos: []\n")
    assert set(load_spec(tmp_path).data) == {
        *("stack", "services", "channels", "routing"),
        "meta_monitoring",  # MINIMAL turns it off
    }


def test_a_regular_spec_reads_the_same_without_positions(tmp_path):
    # load_stack reads a valid spec without positions first; they only locate mistakes
    write(tmp_path, "a.yml", MINIMAL)
    write(tmp_path, "b.yml", "services:\n  - {name: db, team: data, kind: database, "
                             "targets: {static: ['db:9187']}}\n")  # fmt: skip
    for spec in (SPECS, tmp_path, tmp_path / "a.yml"):
        assert load_data(spec) == load_spec(spec).data


@pytest.mark.parametrize(
    "text",
    [
        MINIMAL + "stack:\n  name: again\n",  # a section twice: load_spec says where
        MINIMAL.replace("team: web", "team: web\n    team: ops"),  # a key twice
        MINIMAL + "x: &a {}\ny: *a\n",  # anchors
        MINIMAL + "services: {}\n",  # a list section that is no list
        "",  # an empty file
        "stack: [\n",  # not YAML
    ],
)
def test_anything_irregular_is_left_to_the_reader_that_locates_it(tmp_path, text):
    assert load_data(write(tmp_path, "spec.yml", text)) is None


def test_a_valid_stack_is_the_same_read_either_way():
    with_positions = Stack.model_validate(load_spec(SPECS).data)
    assert load_stack(SPECS) == with_positions
