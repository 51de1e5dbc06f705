"""The test profile: the example stack pointed at local fakes, and run fast enough for a test.

A live test can neither page a real on-call nor wait five minutes for an alert. The profile
changes three kinds of settings and nothing else (tests/live/test_profile.py holds it to that):

- addresses: where Prometheus and Alertmanager listen, every scrape target, every channel's
  endpoint (the local SMTP server has no TLS, so `require_tls: false`), and the secret files
  Alertmanager reads (dummies here);
- intervals: scrape and evaluation intervals, and the alerts' pending periods (`for`), a
  minute of the spec becoming a second; SLO windows and rate() ranges stay as they are;
- group waits: how long Alertmanager holds a group before its first and later notifications.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackgen.common.values import format_duration, parse_duration
from stackgen.packs.service import service_alert_defs
from stackgen.spec.checks import check_stack, parts_of
from stackgen.spec.errors import SpecErrors
from stackgen.spec.loader import SourceMap
from stackgen.spec.model import Stack

SCRAPE_INTERVAL = "1s"
SCRAPE_TIMEOUT = "1s"
EVALUATION_INTERVAL = "1s"
GROUP_WAIT = "1s"
GROUP_INTERVAL = "1s"
SPEEDUP = 60  # pending periods: a minute of the spec is a second of the test


# Dummy secrets, written into files the channels' *_file fields point at.
DUMMY_SECRET = "live-test-dummy-secret"


@dataclass(frozen=True)
class Endpoints:
    """Where the profiled stack's servers listen and its notifications go."""

    prometheus: str  # host:port
    alertmanager: str  # host:port
    targets: Mapping[str, Sequence[str]]  # service -> host:port of each of its static targets
    receivers_url: str  # the HTTP fake: http://host:port
    smtp: str  # the SMTP fake: host:port


def receiver_path(channel_type: str, name: str) -> str:
    """The HTTP fake's path for one receiver: the request path tells who was notified."""
    return f"/{channel_type}/{name}"


def pending(for_: str) -> str:
    """A pending period of the spec, SPEEDUP times shorter (a second at the least)."""
    seconds = parse_duration(for_)
    return format_duration(max(1, round(seconds / SPEEDUP))) if seconds else for_


def live_profile(
    stack: Stack, endpoints: Endpoints, secrets: Path, *, compress: bool = True
) -> Stack:
    """A copy of `stack` with the test profile applied, validated as `stackgen` validates a
    spec. Files the channels read (addresses, dummy secrets) are written into `secrets`.
    `compress=False`: addresses only, the example's own intervals and waits (real time)."""
    data = stack.model_dump(mode="json", by_alias=True)
    secrets.mkdir(parents=True, exist_ok=True)

    data["prometheus"]["address"] = endpoints.prometheus
    if compress:
        data["prometheus"].update(
            scrape_interval=SCRAPE_INTERVAL,
            scrape_timeout=SCRAPE_TIMEOUT,
            evaluation_interval=EVALUATION_INTERVAL,
        )
    data["alertmanager"]["addresses"] = [endpoints.alertmanager]
    # No Grafana runs: Prometheus's own /metrics stands in for Grafana's, so the meta-monitoring
    # scrape of Grafana finds it up.
    data["grafana"]["url"] = f"http://{endpoints.prometheus}"
    data["grafana"]["address"] = endpoints.prometheus

    for model, service in zip(stack.services, data["services"], strict=True):
        targets = endpoints.targets[service["name"]]
        if len(targets) != len(service["targets"]["static"] or ()):
            raise ValueError(f"{service['name']}: give one local address per static target")
        service["targets"]["static"] = list(targets)
        # the kind's pack, or the spec's own pack a `custom` service names
        for alert in service_alert_defs(stack.packs, model) if compress else ():
            override = service["alerts"][alert.name] or {}
            override["for"] = pending(override.get("for") or alert.for_)
            service["alerts"][alert.name] = override

    for channel in data["channels"]:
        _point_at_fakes(channel, endpoints, secrets)

    if compress:
        _shorten_group_waits(data["routing"])
        for route in _routes(data["routing"]["routes"]):
            _shorten_group_waits(route)

    profiled = Stack.model_validate(data)
    errors = check_stack(parts_of(profiled), SourceMap())
    if errors:
        raise SpecErrors(errors)
    return profiled


def _point_at_fakes(channel: dict[str, Any], endpoints: Endpoints, secrets: Path) -> None:
    def file(suffix: str, text: str) -> str:
        path = secrets / f"{channel['name']}.{suffix}"
        path.write_text(text, encoding="utf-8")
        return str(path)

    url = endpoints.receivers_url + receiver_path(channel["type"], channel["name"])
    kind = channel["type"]
    if kind == "slack":
        channel["api_url_file"] = file("api-url", url)
    elif kind == "pagerduty":
        channel["url"] = url
        channel["routing_key_file"] = file("routing-key", DUMMY_SECRET)
    elif kind == "webhook":
        if channel["url_file"] is not None:
            channel["url_file"] = file("url", url)
        else:
            channel["url"] = url
        if channel["bearer_token_file"] is not None:
            channel["bearer_token_file"] = file("bearer-token", DUMMY_SECRET)
    elif kind == "email":
        channel["smarthost"] = endpoints.smtp
        channel["require_tls"] = False
        if channel["auth_password_file"] is not None:
            channel["auth_password_file"] = file("password", DUMMY_SECRET)
    else:
        raise NotImplementedError(f"channel {channel['name']}: no local fake for `{kind}`")


def _routes(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for route in routes for r in (route, *_routes(route["routes"]))]


def _shorten_group_waits(route: dict[str, Any]) -> None:
    """Set on the root route; on a child route only where it sets its own."""
    for key, value in (("group_wait", GROUP_WAIT), ("group_interval", GROUP_INTERVAL)):
        if route.get(key) is not None:
            route[key] = value
