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
from stackgen.spec.model import Stack
from stackgen.spec.types import SERVER_FOLDERS
from stackgen.targets import compose
from tests.helpers import MINIMAL, SPECS, render_files, stack_from, write
from tests.targets.secret_class import (
    SECRETS_SPEC,
    file_fields,
    read_secret_files,
    set_file_fields,
)

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


# --- secret files: every one a config reads, in the container that reads it ---------------------

HOST_SECRETS = "${STACKGEN_SECRETS:-../secrets}"  # as the header documents it


@pytest.fixture(scope="module")
def secret_class(tmp_path_factory):
    spec = SECRETS_SPEC + "output: {targets: [prometheus, compose]}\n"
    stack = stack_from(tmp_path_factory.mktemp("spec"), spec)
    plain = render_files(stack)
    return stack, plain, compose.files(stack, plain)


def _in_render(service: dict, path: str) -> str | None:
    """The render's file a container sees at `path`, through the service's bind mounts."""
    for bind in service["volumes"]:
        target = bind["target"].rstrip("/") + "/"
        if bind["type"] == "bind" and bind["source"].startswith("./") and path.startswith(target):
            return str(PurePosixPath(bind["source"]) / path.removeprefix(target))
    return None


def unmounted(plain: dict[str, bytes], files: dict[str, bytes]) -> list[str]:
    """What each service gets wrong: a secret file its config reads that is not mounted
    read-only at that path from the same path under the secrets folder, or a secret file
    mounted that its config does not read."""
    wrong = []
    for name, service in _document(files)["services"].items():
        read: set[str] = set()
        for arg in service.get("command", []):
            if arg.startswith("--config.file="):
                config = _in_render(service, arg.removeprefix("--config.file="))
                assert config in plain, f"{name}: {arg} is no file of the render"
                read |= read_secret_files(yaml.safe_load(plain[config]))
        mounted = {
            v["target"]: v for v in service["volumes"] if v["source"].startswith(HOST_SECRETS)
        }
        for path in sorted(read):
            expected = {
                "type": "bind",
                "source": HOST_SECRETS + path,
                "target": path,
                "read_only": True,
                "bind": {"create_host_path": False},
            }
            if path not in mounted:
                wrong.append(f"{name}: {path} is not mounted")
            elif mounted[path] != expected:
                wrong.append(f"{name}: {path} is mounted as {mounted[path]}")
        wrong += [f"{name}: {p} is mounted but never read" for p in sorted(set(mounted) - read)]
    return wrong


def test_the_secret_class_spec_sets_every_secret_file_field_the_spec_has(secret_class):
    stack, _, _ = secret_class
    assert set_file_fields(stack) == file_fields(Stack.model_json_schema())


def test_every_secret_file_a_config_reads_is_mounted_read_only_where_it_reads_it(secret_class):
    _, plain, files = secret_class
    assert unmounted(plain, files) == []
    services = _document(files)["services"]
    secrets = {
        name: sorted(v["target"] for v in s["volumes"] if v["source"].startswith(HOST_SECRETS))
        for name, s in services.items()
    }
    remote_write = [
        "/etc/prometheus/secrets/mimir-password",
        "/etc/prometheus/secrets/near-token",
        "/run/secrets/remote-token",  # two targets, one file: mounted once
    ]
    assert secrets == {
        "prometheus": [],  # the global server sends no remote_write
        "prometheus-shard-0": remote_write,
        "prometheus-shard-1": remote_write,
        "alertmanager": [
            "/etc/alertmanager/config/hook-url",
            "/etc/alertmanager/secrets/discord",
            "/etc/alertmanager/secrets/genie/key",
            "/etc/alertmanager/secrets/pd/key",
            "/etc/alertmanager/secrets/slack",
            "/etc/alertmanager/secrets/teams",
            "/etc/alertmanager/secrets/tg",
            "/run/secrets/smtp-password",
            "/var/run/am/hook-token",
        ],
        "grafana": [],
    }
    header = files[compose.COMPOSE_FILE].decode().split("\nname:", 1)[0]
    assert "prometheus.yml and alertmanager.yml name (`*_file`)" in header


def test_the_secret_class_render_passes_the_compose_schema_and_the_checks(secret_class):
    _, plain, files = secret_class
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(_document(files))
    assert compose.problems({**plain, **files}) == []


def test_the_mount_check_sees_a_file_left_out_a_file_too_many_and_a_writable_one(secret_class):
    _, plain, files = secret_class
    document = _document(files)
    services = document["services"]
    shard = services["prometheus-shard-1"]
    shard["volumes"] = [v for v in shard["volumes"] if "/run/secrets/" not in v["target"]]
    services["grafana"]["volumes"].append(services["alertmanager"]["volumes"][-1])
    services["alertmanager"]["volumes"][-1] = {
        **services["alertmanager"]["volumes"][-1],
        "read_only": False,
    }
    broken = {compose.COMPOSE_FILE: yaml.safe_dump(document).encode()}
    writable, *found = sorted(unmounted(plain, broken))
    assert writable.startswith("alertmanager: /var/run/am/hook-token is mounted as {")
    assert "'read_only': False" in writable
    assert found == [
        "grafana: /var/run/am/hook-token is mounted but never read",
        "prometheus-shard-1: /run/secrets/remote-token is not mounted",
    ]


def test_the_checks_refuse_a_secret_mounted_from_another_path(secret_class):
    _, plain, files = secret_class
    document = _document(files)
    mount = document["services"]["alertmanager"]["volumes"][-1]
    mount["source"] = HOST_SECRETS + "/elsewhere"
    broken = {compose.COMPOSE_FILE: yaml.safe_dump(document).encode()}
    assert compose.problems({**plain, **broken}) == [
        f"docker-compose.yml: alertmanager: mounts {HOST_SECRETS}/elsewhere "
        "at /var/run/am/hook-token"
    ]


def test_the_servers_own_mounts_lie_where_the_spec_keeps_secrets_out(secret_class):
    """The spec refuses a secret file in SERVER_FOLDERS, so that no secret mount can land on
    or inside a config folder or a data volume of Prometheus or Alertmanager."""
    _, _, files = secret_class
    for name, service in _document(files)["services"].items():
        if name == "grafana":  # it reads no secret file
            continue
        for volume in service["volumes"]:
            if not volume["source"].startswith(HOST_SECRETS):
                target = volume["target"]
                assert any(
                    target == folder or target.startswith(f"{folder}/") for folder in SERVER_FOLDERS
                ), (name, target)
