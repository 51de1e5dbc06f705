"""The live test's profile (tests/live/profile.py) changes addresses, intervals and group waits of
the example, and nothing else: not a threshold, matcher, label, receiver nor SLO window. So what
the live test proves about routing and alerting, it proves about the example as written."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from stackgen.spec import Stack, load_stack
from stackgen.spec.model import AlertOverride
from tests.helpers import SPECS, render_files
from tests.live.profile import Endpoints, live_profile, pending

# Every kind of setting the profile may change, as patterns over the paths of the spec's leaves
# (`services.3.targets.static.0`).
ALLOWED: dict[str, tuple[str, ...]] = {
    "addresses": (
        r"prometheus\.address",
        r"grafana\.(url|address)",  # a stand-in that answers /metrics
        r"alertmanager\.addresses\.\d+",
        r"services\.\d+\.targets\.static\.\d+",
        r"channels\.\d+\.(url|smarthost|require_tls)",
        r"channels\.\d+\.\w+_file",  # files holding an address or a secret
    ),
    "intervals": (
        r"prometheus\.(scrape_interval|scrape_timeout|evaluation_interval)",
        r"services\.\d+\.alerts\.\w+\.for",
    ),
    "group waits": (r"routing(\.routes\.\d+)*\.(group_wait|group_interval|repeat_interval)",),
}


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every scalar of a dumped spec by its dotted path; an empty list or mapping is a leaf."""
    if isinstance(value, dict) and value:
        items = value.items()
    elif isinstance(value, list) and value:
        items = enumerate(value)
    else:
        return {path: value}
    return {
        k: v for key, item in items for k, v in leaves(item, f"{path}.{key}".lstrip(".")).items()
    }


def dump(stack: Stack) -> dict[str, Any]:
    """The spec as data. An alert without an override is dumped as the override that changes
    nothing, so that giving one just a `for` shows as that one change."""
    data = stack.model_dump(mode="json", by_alias=True)
    no_override = AlertOverride().model_dump(mode="json", by_alias=True)
    for service in data["services"]:
        service["alerts"] = {k: v or no_override for k, v in service["alerts"].items()}
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    old, new = leaves(before), leaves(after)
    return {path for path in old.keys() | new.keys() if old.get(path, ...) != new.get(path, ...)}


def not_allowed(paths: set[str]) -> list[str]:
    patterns = [p for kind in ALLOWED.values() for p in kind]
    return sorted(path for path in paths if not any(re.fullmatch(p, path) for p in patterns))


@pytest.fixture(scope="module")
def example() -> Stack:
    return load_stack(SPECS)


@pytest.fixture(scope="module")
def profiled(example: Stack, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    ports = iter(range(20000, 21000))
    endpoints = Endpoints(
        prometheus=f"127.0.0.1:{next(ports)}",
        alertmanager=f"127.0.0.1:{next(ports)}",
        targets={
            s.name: [f"127.0.0.1:{next(ports)}" for _ in s.targets.static or ()]
            for s in example.services
        },
        receivers_url=f"http://127.0.0.1:{next(ports)}",
        smtp=f"127.0.0.1:{next(ports)}",
    )
    return live_profile(example, endpoints, tmp_path_factory.mktemp("profile") / "secrets")


def test_the_profile_changes_only_addresses_intervals_and_group_waits(
    example: Stack, profiled: Stack
) -> None:
    paths = changed(dump(example), dump(profiled))
    assert not_allowed(paths) == []
    # Each kind is used: the allowlist is not wider than the profile needs.
    for kind, patterns in ALLOWED.items():
        assert any(re.fullmatch(p, path) for p in patterns for path in paths), kind


def _web_api(data: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in data["services"] if s["name"] == "aion-web-api")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(
            lambda d: _web_api(d)["alerts"]["HighHTTPErrorRate"].update(threshold=0.5),
            id="threshold",
        ),
        pytest.param(
            lambda d: _web_api(d)["alerts"]["InstanceDown"].update(severity="critical"),
            id="severity",
        ),
        pytest.param(lambda d: _web_api(d)["labels"].update(tier="backend"), id="target label"),
        pytest.param(_set("routing.routes.0.severity", ["warning"]), id="route matcher"),
        pytest.param(_set("routing.routes.1.channel", "slack-alerts"), id="route receiver"),
        pytest.param(_set("routing.routes.0.continue", False), id="route continue"),
        pytest.param(_set("routing.default_inhibitions", False), id="inhibitions"),
        pytest.param(_set("channels.1.channel", "#elsewhere"), id="slack channel"),
        pytest.param(_set("channels.1.send_resolved", False), id="send_resolved"),
        pytest.param(
            lambda d: _web_api(d)["slos"][1]["tiers"]["page"].update({"for": "1s"}),
            id="SLO tier for",
        ),
        pytest.param(
            lambda d: _web_api(d)["slos"][1].update(period="7d"), id="SLO window (period)"
        ),
        pytest.param(_set("stack.external_labels.cluster", "test"), id="external label"),
    ],
)
def test_any_other_change_is_caught(
    example: Stack, profiled: Stack, mutate: Callable[[dict[str, Any]], None]
) -> None:
    """The check above is not blind: a profile that changed any of these would fail it."""
    data = dump(profiled)
    mutate(data)
    assert not_allowed(changed(dump(example), data)) != []


def test_the_profile_points_everything_at_loopback(profiled: Stack) -> None:
    """The live test can reach no real server, nor page anyone."""
    local = re.compile(r"(http://)?127\.0\.0\.1:\d+(/.*)?")
    assert local.fullmatch(profiled.prometheus.address)
    assert all(local.fullmatch(a) for a in profiled.alertmanager.addresses)
    assert all(local.fullmatch(t) for s in profiled.services for t in s.targets.static or ())
    for channel in profiled.channels:
        data = channel.model_dump()
        endpoint = (
            Path(data["api_url_file"]).read_text()
            if channel.type == "slack"
            else data["smarthost"]
            if channel.type == "email"
            else data["url"]
        )
        assert local.fullmatch(endpoint), f"{channel.name}: {endpoint}"
        for key, value in data.items():
            if key.endswith("_file") and value is not None:
                assert Path(value).is_file(), f"{channel.name}.{key}: {value}"


def test_alerts_pend_a_second_for_each_minute_of_the_spec(profiled: Stack) -> None:
    assert (pending("5m"), pending("2m"), pending("30s"), pending("0s")) == ("5s", "2s", "1s", "0s")
    web_api = next(s for s in profiled.services if s.name == "aion-web-api")
    node = next(s for s in profiled.services if s.name == "node-exporter")
    assert web_api.alert_overrides["HighHTTPErrorRate"].for_ == "5s"  # 5m in the spec
    assert web_api.alert_overrides["ServiceDown"].for_ == "2s"  # the pack's 2m
    assert web_api.alert_overrides["InstanceDown"].for_ == "5s"  # the pack's 5m
    # CPU use is idle over all CPU time, right from a fresh node's first scrapes: no alert
    # needs its spec's pending period to outlast a filling rate window.
    assert node.alert_overrides["HighCPU"].for_ == "15s"


def test_the_profiled_render_alerts_and_routes_as_the_example_does(
    example: Stack, profiled: Stack
) -> None:
    """Rendered, the profile changes no query, label, summary, runbook link, route, inhibition
    nor receiver: the routing matrix is the example's, alert for alert."""
    original, live = render_files(example), render_files(profiled)

    def rules(files: dict[str, bytes]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for path, data in files.items():
            if path.startswith("prometheus/rules/"):
                for group in yaml.safe_load(data)["groups"]:
                    found[group["name"]] = [
                        {
                            "name": rule.get("alert") or rule["record"],
                            "expr": rule["expr"],
                            "labels": rule.get("labels"),
                            "summary": rule.get("annotations", {}).get("summary"),
                            "runbook_url": rule.get("annotations", {}).get("runbook_url"),
                        }
                        for rule in group["rules"]
                    ]
        return found

    assert rules(live) == rules(original)

    def routing(files: dict[str, bytes]) -> dict[str, Any]:
        config = yaml.safe_load(files["alertmanager/alertmanager.yml"])

        def route(node: dict[str, Any]) -> dict[str, Any]:
            kept = {k: v for k, v in node.items() if k not in ("group_wait", "group_interval")}
            return {**kept, "routes": [route(child) for child in node.get("routes", [])]}

        return {
            "route": route(config["route"]),
            "inhibit_rules": config["inhibit_rules"],
            "receivers": [r["name"] for r in config["receivers"]],
            "matrix": yaml.safe_load(files["alertmanager/tests/routing.yml"]),
        }

    assert routing(live) == routing(original)
