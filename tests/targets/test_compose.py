"""The compose target: a docker-compose.yml running the plain files beside it."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.spec import load_stack
from stackgen.targets import compose
from tests.helpers import MINIMAL, SPECS, render_files, stack_from, write

SCHEMA = Path(compose.__file__).parents[1] / "schemas" / "compose" / "compose-spec.json"


@pytest.fixture(scope="module")
def example():
    stack = load_stack(SPECS)
    plain = render_files(stack)
    return stack, plain, compose.files(stack, plain)


def _document(files: dict[str, bytes]) -> dict:
    return yaml.safe_load(files[compose.COMPOSE_FILE])


def _binds(document: dict) -> list[dict]:
    return [
        volume
        for service in document["services"].values()
        for volume in service["volumes"]
        if volume["type"] == "bind"
    ]


def test_validates_against_the_compose_specification(example):
    _, _, files = example
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(_document(files))


def test_the_vendored_schema_refuses_what_compose_refuses():
    schema = json.loads(SCHEMA.read_text())
    bad = {"services": {"x": {"image": "a", "volumes": [{"source": "./a"}]}}}
    assert list(jsonschema.Draft201909Validator(schema).iter_errors(bad))


def test_mounts_only_paths_the_render_holds_apart_from_the_secrets(example):
    _, plain, files = example
    for bind in _binds(_document(files)):
        if bind["source"].startswith(compose.SECRETS + "/"):
            continue
        assert bind["source"].startswith("./")  # inside OUT
        source = str(PurePosixPath(bind["source"]))
        assert source in plain or any(p.startswith(source + "/") for p in plain), source


def test_grafana_mounts_agree_with_the_provisioning_files(example):
    _, plain, files = example
    grafana = _document(files)["services"]["grafana"]
    targets = {b["source"]: b["target"] for b in grafana["volumes"] if b["type"] == "bind"}
    assert targets["./grafana/provisioning"] == "/etc/grafana/provisioning"
    providers = yaml.safe_load(plain["grafana/provisioning/dashboards/dashboards.yml"])
    for provider in providers["providers"]:
        path = PurePosixPath(provider["options"]["path"])
        mounted = PurePosixPath(targets["./grafana/dashboards"])
        folder = path.relative_to(mounted)  # the provider's folder is inside the mount
        assert any(p.startswith(f"grafana/dashboards/{folder}/") for p in plain)


def test_services_images_ports_and_health_checks(example):
    _, _, files = example
    services = _document(files)["services"]
    assert services["prometheus"]["image"] == "prom/prometheus:v2.42.0"
    assert services["alertmanager"]["image"] == "prom/alertmanager:v0.25.0"
    assert services["grafana"]["image"] == "grafana/grafana:10.4.16"
    # the example spec's addresses: prometheus:9091, alertmanager:9093, grafana.address grafana:3000
    assert services["prometheus"]["ports"] == ["9091:9091"]
    assert services["alertmanager"]["ports"] == ["9093:9093"]
    assert services["grafana"]["ports"] == ["3000:3000"]
    assert "--web.listen-address=:9091" in services["prometheus"]["command"]
    assert services["prometheus"]["healthcheck"]["test"][-1] == "http://localhost:9091/-/healthy"
    assert services["alertmanager"]["healthcheck"]["test"][-1] == "http://localhost:9093/-/healthy"
    assert services["grafana"]["healthcheck"]["test"][-1] == "http://localhost:3000/api/health"


def test_config_paths_name_files_of_the_render(example):
    _, plain, files = example
    services = _document(files)["services"]
    for name in ("prometheus", "alertmanager"):
        config = next(a for a in services[name]["command"] if a.startswith("--config.file="))
        assert config.removeprefix("--config.file=/stackgen/") in plain


def test_every_alertmanager_secret_file_is_mounted_and_no_value_written(example):
    _, plain, files = example
    config = plain["alertmanager/alertmanager.yml"].decode()
    secret_paths = {
        line.split(":", 1)[1].strip()
        for line in config.splitlines()
        if line.strip().split(":", 1)[0].endswith("_file")
    }
    assert secret_paths
    mounted = {b["target"]: b["source"] for b in _binds(_document(files))}
    for path in secret_paths:
        assert mounted[path] == "${STACKGEN_SECRETS:-../secrets}" + path  # outside OUT
    assert "$STACKGEN_SECRETS" in files[compose.COMPOSE_FILE].decode().split("name:", 1)[0]
    assert not any("secrets/" in p for p in files if not p.startswith("alertmanager/"))


def test_grafana_env_references_pass_through_without_values(example):
    _, _, files = example
    environment = _document(files)["services"]["grafana"]["environment"]
    assert "POSTGRES_PASSWORD" in environment  # a name alone: the value comes from the host


def test_one_prometheus_per_config_in_the_plain_files(example):
    stack, plain, _ = example
    shard = plain["prometheus/prometheus.yml"]
    more = {**plain, "prometheus/shards/shard-0.yml": shard, "prometheus/shards/shard-1.yml": shard}
    shards = 2
    stack = stack.model_copy(
        update={"prometheus": stack.prometheus.model_copy(update={"shards": shards})}
    )
    services = _document(compose.files(stack, more))["services"]
    prometheus = sorted(name for name in services if name.startswith("prometheus"))
    assert prometheus == ["prometheus", "prometheus-shard-0", "prometheus-shard-1"]
    without_global = {k: v for k, v in more.items() if k != "prometheus/prometheus.yml"}
    services = _document(compose.files(stack, without_global))["services"]
    assert sorted(n for n in services if n.startswith("prometheus")) == [
        "prometheus-shard-0",
        "prometheus-shard-1",
    ]
    assert compose.problems({**without_global, **compose.files(stack, without_global)}) == []


def test_problems_finds_a_mount_the_render_lacks(example):
    _, plain, files = example
    lacking = {k: v for k, v in plain.items() if not k.startswith("grafana/dashboards/")}
    found = compose.problems({**lacking, **files})
    assert any("./grafana/dashboards" in p for p in found)
    assert compose.problems({**plain, **files}) == []


def test_problems_finds_a_file_the_schema_refuses(example):
    _, plain, files = example
    document = _document(files)
    document["services"]["grafana"]["ports"] = "3000"
    broken = {compose.COMPOSE_FILE: yaml.safe_dump(document).encode()}
    assert any("grafana" in p for p in compose.problems({**plain, **broken}))


def test_a_dollar_in_a_spec_value_is_escaped_for_compose(tmp_path):
    stack = stack_from(
        tmp_path, MINIMAL + "grafana: {dashboards_path: /var/lib/grafana/dash$board}\n"
    )
    plain = render_files(stack)
    document = _document(compose.files(stack, plain))
    targets = [b["target"] for b in document["services"]["grafana"]["volumes"]]
    assert "/var/lib/grafana/dash$$board" in targets


def test_deterministic(example):
    stack, _, files = example
    assert compose.files(stack, render_files(stack)) == files


def test_cli_compose_alone_exits_2(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(SPECS), "--target", "compose", "-o", str(out), "--no-tools"]
    )
    assert result.exit_code == 2
    assert not out.exists()


def test_cli_compose_with_the_plain_files(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["render", str(SPECS), "-t", "prometheus", "-t", "compose", "-o", str(out), "--no-tools"],
    )
    assert result.exit_code == 0, result.output
    document = yaml.safe_load((out / compose.COMPOSE_FILE).read_text())
    for bind in _binds(document):
        if not bind["source"].startswith(compose.SECRETS):
            assert (out / bind["source"]).exists(), bind["source"]


def test_grafana_is_reached_at_its_address_and_linked_at_its_url(tmp_path):
    extra = "grafana: {url: 'https://grafana.example.com', address: 'dash:3001'}\n"
    extra += "output: {targets: [prometheus, compose]}\n"
    spec, out = write(tmp_path, "s.yml", MINIMAL + extra), tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    grafana = yaml.safe_load((out / "docker-compose.yml").read_text())["services"]["grafana"]
    assert grafana["ports"] == ["3001:3001"]
    assert "GF_SERVER_HTTP_PORT=3001" in grafana["environment"]
    scrape = (out / "prometheus/prometheus.yml").read_text()
    assert "dash:3001" in scrape and "grafana.example.com" not in scrape
    rules = (out / "prometheus/rules/api.yml").read_text()
    assert "https://grafana.example.com/d/" in rules
