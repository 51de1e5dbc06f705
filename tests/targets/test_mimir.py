"""The mimir target: the plain rule groups as Mimir ruler namespaces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.plan.meta import META
from stackgen.spec import load_stack
from stackgen.targets import mimir
from stackgen.write import MANIFEST
from tests.helpers import MINIMAL, SPECS, render_files, stack_from


def _with_output(tmp_path: Path, output: str):
    return stack_from(tmp_path, MINIMAL + output)


def _documents(files: dict[str, bytes]) -> dict[str, dict]:
    return {path: yaml.safe_load(data) for path, data in files.items()}


def _groups(documents: dict[str, dict]) -> list[dict]:
    return [group for document in documents.values() for group in document["groups"]]


@pytest.fixture(scope="module")
def example():
    stack = load_stack(SPECS)
    plain = render_files(stack)
    return stack, plain


def _big_stack(tmp_path: Path, output: str):
    """Three teams of six services: enough groups to split under the smallest cap."""
    services = "".join(
        f"""
  - name: svc-{team}-{n}
    team: team-{team}
    kind: http
    targets: {{static: ["svc-{team}-{n}:8080"]}}
"""
        for team in "abc"
        for n in range(6)
    )
    text = MINIMAL.replace("services:\n", "services:" + services + "\n", 1) + output
    return stack_from(tmp_path, text)


def test_groups_are_exactly_the_plain_groups_once_each(example):
    stack, plain = example
    files = mimir.files(stack, plain)
    plain_groups = [
        group
        for path, data in plain.items()
        if re.fullmatch(r"prometheus/rules/[^/]+\.yml", path)
        for group in yaml.safe_load(data)["groups"]
    ]
    mimir_groups = _groups(_documents(files))
    key = lambda group: group["name"]  # noqa: E731
    assert sorted(mimir_groups, key=key) == sorted(plain_groups, key=key)
    assert all(path.startswith("mimir/") for path in files)
    assert len(mimir_groups) == len({g["name"] for g in mimir_groups})


def test_one_namespace_per_team_by_default(example):
    stack, plain = example
    documents = _documents(mimir.files(stack, plain))
    teams = {service.team for service in stack.services} | {stack.meta_monitoring.team}
    team_of = {service.name: service.team for service in stack.services}
    team_of[META] = stack.meta_monitoring.team  # the stack's own alerts, in its team's file
    assert {d["namespace"] for d in documents.values()} == teams
    for path, document in documents.items():
        assert path == f"mimir/{document['namespace']}.yml"
        for group in document["groups"]:
            owner = group["name"].rsplit(".", 1)[0]
            assert team_of[owner] == document["namespace"]


def test_namespace_by_service(tmp_path):
    stack = _big_stack(tmp_path, "output: {mimir: {namespace_by: service}}\n")
    documents = _documents(mimir.files(stack, render_files(stack)))
    names = [d["namespace"] for d in documents.values()]
    assert sorted(names) == sorted(s.name for s in stack.services)
    for document in documents.values():
        assert {g["name"].rsplit(".", 1)[0] for g in document["groups"]} == {document["namespace"]}


def test_recording_rule_names_all_have_a_colon(example):
    stack, plain = example
    records = [
        rule["record"]
        for group in _groups(_documents(mimir.files(stack, plain)))
        for rule in group["rules"]
        if "record" in rule
    ]
    assert records and all(":" in record for record in records)


@pytest.mark.parametrize("namespace_by", ["team", "service"])
def test_a_tiny_cap_splits_namespaces_each_under_the_cap_and_named_once(tmp_path, namespace_by):
    cap = 4096
    stack = _big_stack(
        tmp_path, f"output: {{max_file_bytes: {cap}, mimir: {{namespace_by: {namespace_by}}}}}\n"
    )
    plain = render_files(stack)
    files = mimir.files(stack, plain)
    documents = _documents(files)
    names = [d["namespace"] for d in documents.values()]
    assert len(names) == len(set(names))
    if namespace_by == "team":  # a team's six services are over the cap; one service is not
        assert any("." in name for name in names)
    assert all(len(data) <= cap for data in files.values())
    group_names = [g["name"] for g in _groups(documents)]
    plain_names = [
        g["name"]
        for path, data in plain.items()
        if path.startswith("prometheus/rules/")
        for g in yaml.safe_load(data)["groups"]
    ]
    assert sorted(group_names) == sorted(plain_names)
    assert mimir.problems(files) == []


def test_source_tenants_on_every_group_when_set(tmp_path):
    stack = _with_output(tmp_path, "output: {mimir: {source_tenants: [tenant-1, tenant-2]}}\n")
    groups = _groups(_documents(mimir.files(stack, render_files(stack))))
    assert groups and all(g["source_tenants"] == ["tenant-1", "tenant-2"] for g in groups)


def test_no_source_tenants_by_default(example):
    stack, plain = example
    assert all("source_tenants" not in g for g in _groups(_documents(mimir.files(stack, plain))))


@pytest.mark.parametrize("tenant", [".", "..", "a/b", "x" * 151, "__mimir_cluster"])
def test_tenant_ids_mimir_refuses_are_spec_errors(tmp_path, tenant):
    from stackgen.spec import SpecErrors

    with pytest.raises(SpecErrors) as caught:
        _with_output(tmp_path, f'output: {{mimir: {{source_tenants: ["{tenant}"]}}}}\n')
    assert "source_tenants" in str(caught.value)


def test_deterministic(example):
    stack, plain = example
    assert mimir.files(stack, plain) == mimir.files(stack, render_files(stack))


def test_the_rendered_files_have_no_problems(example):
    stack, plain = example
    assert mimir.problems(mimir.files(stack, plain)) == []


def _one_file(text: str) -> dict[str, bytes]:
    header = "# Split to stay under output.max_file_bytes: 4096 bytes.\n"
    return {"mimir/a.yml": (header + text).encode()}


def test_problems_finds_a_recording_rule_without_a_colon():
    files = _one_file(
        "namespace: a\ngroups:\n- name: g\n  rules:\n  - {record: plain_name, expr: up}\n"
    )
    assert any("plain_name" in p and "`:`" in p for p in mimir.problems(files))


def test_problems_finds_a_namespace_used_twice():
    text = "namespace: a\ngroups: []\n"
    files = {**_one_file(text), "mimir/b.yml": _one_file(text)["mimir/a.yml"]}
    assert any("namespace a is also" in p for p in mimir.problems(files))


def test_problems_finds_a_file_over_the_cap():
    files = _one_file(
        "namespace: a\ngroups:\n" + "".join(f"- name: g{i}\n  rules: []\n" for i in range(400))
    )
    assert any("over the cap" in p for p in mimir.problems(files))


def test_problems_finds_a_group_twice_and_unknown_keys():
    text = "namespace: a\ngroups:\n- {name: g, rules: []}\n- {name: g, rules: [], tenants: [x]}\n"
    found = mimir.problems(_one_file(text))
    assert any("group g twice" in p for p in found)
    assert any("tenants" in p for p in found)


def test_cli_renders_only_mimir_files(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(SPECS), "--target", "mimir", "-o", str(out), "--no-tools"]
    )
    assert result.exit_code == 0, result.output
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written and all(p.startswith("mimir/") or p == MANIFEST for p in written)
    assert any(p.startswith("mimir/") for p in written)


def test_lint_passes_on_the_mimir_files(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    render = runner.invoke(app, ["render", str(SPECS), "-t", "mimir", "-o", str(out), "--no-tools"])
    assert render.exit_code == 0, render.output
    lint = runner.invoke(app, ["lint", str(out / "mimir"), "--no-color"])
    assert lint.exit_code == 0, lint.output


def test_imported_groups_of_no_service_get_a_legacy_namespace_of_their_own(tmp_path):
    legacy = """\
rule_groups:
  - name: old
    rules:
      - {record: "job:up:sum", expr: sum by (job) (up)}
"""
    stack = stack_from(tmp_path, MINIMAL + legacy)
    documents = _documents(mimir.files(stack, render_files(stack)))
    assert documents["mimir/legacy.yml"]["namespace"] == "legacy"
    assert [g["name"] for g in documents["mimir/legacy.yml"]["groups"]] == ["old"]
    assert mimir.problems(mimir.files(stack, render_files(stack))) == []
