"""`lint_documents`, the linter a render calls on the files it holds in memory, finds what
`lint` finds once they are written, every check included, without reading the disk, and
with or without the documents the render has parsed already."""

import contextlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from stackgen.lint import lint, lint_documents
from stackgen.lint.sources import load_plain
from tests.helpers import OUT, example_lint

RULES = Path("prometheus") / "rules" / "aion-web-api.yml"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _parsed(files: dict[str, bytes]) -> dict[str, object]:
    parsed = {}
    for rel, data in files.items():
        if rel.endswith((".yml", ".json")):
            with contextlib.suppress(ValueError):  # else linted from its text
                parsed[rel] = load_plain(data.decode())
    return parsed


@pytest.fixture
def broken(tmp_path) -> Path:
    """The example with a finding of every kind a stack can have."""
    root = tmp_path / "out"
    shutil.copytree(OUT, root)
    config_path = root / "alertmanager" / "alertmanager.yml"
    config = yaml.safe_load(config_path.read_text())
    config["route"]["routes"] = [
        r for r in config["route"]["routes"] if r["matchers"] != ['severity="info"']
    ]
    config["route"]["routes"][0]["repeat_interval"] = "1m"
    config["route"]["routes"][0]["group_by"] = ["taem"]
    config["receivers"].append({"name": "forgotten"})
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    dashboard = root / "grafana" / "dashboards" / "platform" / "aion-web-api.json"
    data = json.loads(dashboard.read_text())
    panel = next(p for p in data["panels"] if p.get("targets"))
    panel["targets"][0]["expr"] = 'sum(rate(x_total{job="a"}[5m])) + job:nope:rate1h'
    dashboard.write_text(json.dumps(data, indent=2))
    text = (root / RULES).read_text()
    text = text.replace("rate5m{job=", "rate1m{job=", 1)  # an undefined recording rule
    text = text.replace("[5m]))\n", "[1m]))  # stackgen-lint disable=promql/rate-range\n", 1)
    text += (
        "  - name: extra\n    rules:\n"
        "      - alert: lower_case\n        expr: rate(node_memory_bytes[1m])\n"
        '        labels: {severity: page, x: "{{ $value }}"}\n'
        "  - name: extra\n    rules: []\n    rules: []\n"  # a duplicate key
    )
    (root / RULES).write_text(text)
    return root


def test_the_same_findings_as_on_disk(broken):
    on_disk = lint([broken])
    assert len({f.check for f in on_disk}) >= 12  # the fixture trips most checks
    files = _files(broken)
    assert lint_documents(broken, files) == on_disk
    parsed = _parsed(files)
    assert RULES.as_posix() not in parsed  # the duplicate key: read with positions
    assert lint_documents(broken, files, parsed) == on_disk


def test_the_disk_is_not_read(broken, tmp_path):
    files = _files(broken)
    elsewhere = tmp_path / "never-written"
    found = lint_documents(elsewhere, files, _parsed(files))
    assert found and all(f.file.startswith(str(elsewhere)) for f in found)
    assert not elsewhere.exists()
    assert [(f.check, f.line, f.message) for f in found] == [
        (f.check, f.line, f.message) for f in lint([broken])
    ]


def test_the_example_is_clean_in_memory():
    files = _files(OUT)
    assert lint_documents(OUT, files, _parsed(files), config=example_lint()) == []


def test_files_out_keeps_are_linted_from_disk_with_kept(broken):
    """A render's staging folder also holds the files OUT keeps that stackgen did not write."""
    files = _files(broken)
    foreign = "grafana/dashboards/platform/aion-web-api.json"  # the broken dashboard
    del files[foreign]
    assert not any(f.file.endswith(foreign) for f in lint_documents(broken, files))
    assert lint_documents(broken, files, _parsed(files), kept=True) == lint([broken])
