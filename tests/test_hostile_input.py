"""Fuzz: hostile specs, OUT folders and rule files, as a pull request could bring them.

Whatever the input, every command exits 0, 1 or 2 (never a traceback, never 3), touches no
file outside the temporary OUT, and prints no secret the input carried, nor any file from
outside OUT. Hypothesis runs with a fixed seed and a bounded number of examples, so CI runs
the same cases every time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.write import MANIFEST
from tests.helpers import MINIMAL

pytestmark = pytest.mark.slow

SEED = 16  # the number: any fixed seed will do
EXAMPLES = 40
SECRET = "s3cr3tV4lue"  # in the input's addresses: never in an output or a message
CANARY = "canary-2b7c4e-from-outside-out"  # in a file beside OUT and in the environment
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # the same examples every run, none remembered from an earlier one
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), env={"CI_TOKEN": CANARY})


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every path below root: a file's bytes, a link's target (never followed)."""
    found: dict[str, bytes | str] = {}
    for folder, dirs, names in os.walk(root):
        for name in [*names, *dirs]:
            path = Path(folder) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = f"-> {os.readlink(path)}"
            elif path.is_file():
                found[key] = path.read_bytes()
    return found


def assert_clean(result, *, codes=(0, 1, 2)) -> None:
    assert result.exit_code in codes, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert CANARY not in result.output
    assert SECRET not in result.output


# --- Hostile specs --------------------------------------------------------------------------

odd_text = st.text(
    st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40
) | st.sampled_from(
    ["{{", "}}", "{{ .x }", "'", '"', "\\", "*a", "&a", "\x00", "\ufeff", "é", "😀", "- - -"]
)
secret_urls = st.sampled_from(
    [
        f"https://h/x?access_token={SECRET}",
        f"https://h/x?X-Auth-Token={SECRET}",
        f"https://h/x?private_token={SECRET}",
        f"https://h/x?client_secret={SECRET}",
        f"https://h/x?%74oken={SECRET}",
        f"https://am:{SECRET}@h/x",
        f"https://{SECRET}@h/x",
        f"https://hooks.slack.com/services/T0/B0/{SECRET}",
        f"https://discord.com/api/webhooks/1/{SECRET}",
        f"https://h/x#access_token={SECRET}",
        f"https://h/x?{SECRET}",
    ]
)


def _laughs(levels: int, width: int) -> str:
    text = f"l0: &l0 [{', '.join(['lol'] * width)}]\n"
    for level in range(1, levels):
        text += f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]\n"
    return text


def _deep(kind: str, levels: int) -> str:
    if kind == "flow":
        return "x: " + "[" * levels + "]" * levels + "\n"
    if kind == "block":
        return "x:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels))
    route = "{channel: ops}"
    for _ in range(levels):
        route = f"{{channel: ops, routes: [{route}]}}"
    return f"  routes: [{route}]\n"


@st.composite
def hostile_specs(draw) -> bytes:
    text = MINIMAL
    attacks = draw(
        st.lists(
            st.sampled_from(
                ["url", "runbooks", "laughs", "deep", "promql", "name", "text", "bytes", "number"]
            ),
            min_size=1,
            max_size=3,
        )
    )
    for attack in attacks:
        if attack == "url":
            text = text.replace("http://hooks.internal/alerts", f"'{draw(secret_urls)}'")
        elif attack == "runbooks":
            url = draw(secret_urls)
            text = text.replace("  name: demo\n", f"  name: demo\n  runbooks_url: '{url}'\n")
        elif attack == "laughs":
            text += _laughs(draw(st.integers(2, 12)), draw(st.integers(2, 12)))
        elif attack == "deep":
            kind = draw(st.sampled_from(["flow", "block", "routes"]))
            text += _deep(kind, draw(st.sampled_from([50, 101, 300, 3000])))
        elif attack == "promql":
            levels = draw(st.sampled_from([10, 201, 1000, 10_000]))
            shape = draw(st.sampled_from(["(", "abs(", "+"]))
            expr = (
                " + ".join(["up"] * levels)
                if shape == "+"
                else shape * levels + "up" + ")" * levels
            )
            text = text.replace(
                "      static: [api:8080]\n",
                "      static: [api:8080]\n    custom_alerts:\n      - name: Deep\n"
                f"        expr: '{expr}'\n        summary: s\n        description: d\n",
            )
        elif attack == "name":
            name = draw(odd_text | st.just("a" * draw(st.sampled_from([63, 64, 300]))))
            text = text.replace("name: api", f"name: {json.dumps(name)}")
        elif attack == "text":
            value = json.dumps(draw(odd_text))
            text = text.replace("team: web", f"team: web\n    description: {value}")
        elif attack == "number":
            number = draw(st.sampled_from(["100.0001", "1e309", "-0", "99.99999999999999999"]))
            text = text.replace(
                "      static: [api:8080]\n",
                "      static: [api:8080]\n"
                f"    slos: [{{name: a, objective: {number}, sli: {{type: uptime}}}}]\n",
            )
    data = text.encode("utf-8")
    if "bytes" in attacks:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


@seed(SEED)
@FUZZ
@given(spec=hostile_specs(), command=st.sampled_from(["validate", "render"]))
def test_hostile_specs_exit_0_1_or_2_and_leak_nothing(tmp_path_factory, spec, command):
    root = tmp_path_factory.mktemp("spec")
    (root / "beside.txt").write_text(CANARY)
    (root / "spec.yml").write_bytes(spec)
    before = snapshot(root)
    out = root / "out"
    args = ["-o", str(out), "--no-tools", "-j", "1"] if command == "render" else []
    result = run(command, str(root / "spec.yml"), *args)
    assert_clean(result)
    after = snapshot(root)
    assert {k: v for k, v in after.items() if not k.startswith("out")} == before
    for data in snapshot(out).values() if out.exists() else ():
        assert SECRET.encode() not in (data if isinstance(data, bytes) else data.encode())


# --- Hostile OUT folders: manifests and links -----------------------------------------------

entries = st.sampled_from(
    ["../beside.txt", "/proc/self/environ", "a/../../beside.txt", "./x", "", "x//y", "x\\..\\y"]
) | st.text(st.sampled_from("./a\\\x00é"), min_size=1, max_size=12)
link_targets = st.sampled_from(["/proc/self/environ", "../beside.txt", "/", "..", "beside.txt"])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, dict[str, bytes | str]]:
    """MINIMAL rendered once: each example attacks a copy."""
    root = tmp_path_factory.mktemp("rendered")
    spec = root / "spec.yml"
    spec.write_text(MINIMAL)
    assert run("render", str(spec), "-o", str(root / "out"), "--no-tools").exit_code == 0
    return spec, snapshot(root / "out")


def _restore(out: Path, files: dict[str, bytes | str]) -> None:
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)


@seed(SEED)
@FUZZ
@given(
    added=st.lists(entries, max_size=3),
    links=st.lists(st.tuples(st.integers(0, 50), link_targets), max_size=3),
    manifest_link=st.booleans(),
    command=st.sampled_from(["render --check", "diff", "report", "render"]),
)
def test_hostile_out_prints_and_touches_nothing_outside_it(
    tmp_path_factory, rendered, added, links, manifest_link, command
):
    spec, files = rendered
    root = tmp_path_factory.mktemp("attack")
    (root / "beside.txt").write_text(f"{CANARY}\n")
    out = root / "out"
    _restore(out, files)
    manifest = json.loads((out / MANIFEST).read_text())
    for entry in added:
        manifest["files"][entry] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest))
    managed = sorted(manifest["files"])
    for index, target in links:
        victim = out / managed[index % len(managed)]
        if victim.is_file() and not victim.is_symlink() and victim.name != MANIFEST:
            victim.unlink()
            victim.symlink_to(target)
    if manifest_link:
        (root / "manifest.json").write_text((out / MANIFEST).read_text())
        (out / MANIFEST).unlink()
        (out / MANIFEST).symlink_to(root / "manifest.json")
    outside = {k: v for k, v in snapshot(root).items() if not k.startswith("out")}
    name, *flags = command.split()
    extra = ["--no-tools", "-j", "1"] if name == "render" else []
    result = run(name, str(spec), "-o", str(out), *flags, *extra)
    assert_clean(result)
    assert {k: v for k, v in snapshot(root).items() if not k.startswith("out")} == outside
    for data in snapshot(out).values():
        assert CANARY.encode() not in (data if isinstance(data, bytes) else data.encode())


# --- Hostile rule files for lint --------------------------------------------------------------


@st.composite
def hostile_rule_files(draw) -> bytes:
    attack = draw(st.sampled_from(["laughs", "deep", "promql", "bytes", "names"]))
    rule = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n"
    if attack == "laughs":
        rule = _laughs(draw(st.integers(2, 12)), draw(st.integers(2, 12))) + rule
    elif attack == "deep":
        rule += _deep(draw(st.sampled_from(["flow", "block"])), draw(st.sampled_from([101, 3000])))
    elif attack == "promql":
        levels = draw(st.sampled_from([201, 1000, 10_000]))
        expr = "(" * levels + "up" + ")" * levels
        rule = rule.replace("expr: up == 0", f"expr: '{expr}'")
    elif attack == "names":
        rule = rule.replace("alert: A", f"alert: {json.dumps(draw(odd_text))}")
    data = rule.encode("utf-8")
    if attack == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


@seed(SEED)
@FUZZ
@given(text=hostile_rule_files())
def test_hostile_rule_files_are_linted_without_a_crash(tmp_path_factory, text, monkeypatch):
    root = tmp_path_factory.mktemp("lint")
    (root / "rules.yml").write_bytes(text)
    monkeypatch.chdir(root)  # no .stackgen-lint.yml nor specs/ here
    result = run("lint", str(root / "rules.yml"))
    assert_clean(result)
