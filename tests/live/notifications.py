"""What Alertmanager sent, read back from what the fakes received: which receiver, firing or
resolved, which alert group, and the fields a person reads (summary, runbook link, severity).

Each receiver type carries them in its own payload, filled from stackgen's notification
templates (out/alertmanager/templates/stackgen.tmpl):

- Slack: `attachments[0].title` is stackgen.title (`[FIRING:1] Alert on service (severity)`),
  `title_link` the runbook, `text` every alert's summary and description;
- PagerDuty (events API v2): `event_action` trigger or resolve, `payload.summary` the title,
  `payload.severity`, and `payload.custom_details` with `summary` and `runbook`;
- webhook: Alertmanager's own JSON, every alert with its labels and annotations;
- email: the Subject is the title, the HTML body every alert's summary and a runbook link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.live.fakes import Mail, Post, Received

# stackgen.title: [FIRING:2] HighHTTPErrorRate on aion-web-api (critical), parts left out when
# the group's alerts do not share them.
TITLE = re.compile(
    r"^\[(?P<status>FIRING|RESOLVED)(?::\d+)?\]"
    r"(?: (?P<alertname>[A-Za-z0-9_]+))?(?: on (?P<service>\S+))?(?: \((?P<severity>\w+)\))?$"
)


@dataclass(frozen=True)
class Delivery:
    """One notification, as its receiver shows it."""

    receiver: str
    status: str  # firing | resolved
    alertname: str | None
    service: str | None
    severity: str | None  # as the receiver shows it: PagerDuty's own field, else the title's
    summary: str  # the text in which each alert's summary must appear
    runbook: str  # the runbook link
    raw: Any
    dashboard: str = ""  # the dashboard link, where the receiver shows one

    @property
    def group(self) -> tuple[str | None, str | None, str | None]:
        return self.alertname, self.service, self.severity

    def __repr__(self) -> str:
        return (
            f"Delivery({self.receiver}: {self.status} {self.alertname} on {self.service} "
            f"({self.severity}))"
        )


def _title(receiver: str, title: str, raw: Any) -> dict[str, str | None]:
    match = TITLE.match(title.strip())
    if match is None:
        raise AssertionError(f"{receiver}: {title!r} is not a stackgen.title; payload: {raw!r}")
    return {
        "status": match["status"].lower(),
        "alertname": match["alertname"],
        "service": match["service"],
        "severity": match["severity"],
    }


def _slack(receiver: str, body: dict[str, Any]) -> Delivery:
    (attachment,) = body["attachments"]
    return Delivery(
        receiver,
        **_title(receiver, attachment["title"], body),  # type: ignore[arg-type]
        summary=attachment["text"],
        runbook=attachment["title_link"],
        raw=body,
        dashboard=_first(r"<([^|>]+)\|Dashboard>", attachment["text"]),
    )


def _pagerduty(receiver: str, body: dict[str, Any]) -> Delivery:
    payload = body["payload"]
    title = _title(receiver, payload["summary"], body)
    status = {"trigger": "firing", "resolve": "resolved"}[body["event_action"]]
    assert title["status"] == status, f"{receiver}: title and event_action disagree: {body!r}"
    return Delivery(
        receiver,
        status=status,
        alertname=title["alertname"],
        service=title["service"],
        severity=payload["severity"],
        summary=payload["custom_details"]["summary"],
        runbook=payload["custom_details"]["runbook"],
        raw=body,
        dashboard=payload["custom_details"].get("dashboard", ""),
    )


def _webhook(receiver: str, body: dict[str, Any]) -> Delivery:
    assert body["receiver"] == receiver, f"posted to {receiver}'s path: {body!r}"
    common = body["commonLabels"]
    alerts = body["alerts"]
    runbooks = {a["annotations"].get("runbook_url", "") for a in alerts}
    dashboards = {a["annotations"].get("dashboard_url", "") for a in alerts}
    return Delivery(
        receiver,
        status=body["status"],
        alertname=common.get("alertname"),
        service=common.get("service"),
        severity=common.get("severity"),
        summary="\n".join(a["annotations"].get("summary", "") for a in alerts),
        runbook=runbooks.pop() if len(runbooks) == 1 else "",
        raw=body,
        dashboard=dashboards.pop() if len(dashboards) == 1 else "",
    )


def _email(receiver: str, mail: Mail) -> Delivery:
    html = mail.message.get_body(("html",))
    text = html.get_content() if html is not None else ""
    links = re.findall(r'<a href="([^"]+)">Runbook</a>', text)
    return Delivery(
        receiver,
        **_title(receiver, str(mail.message["Subject"]), mail),  # type: ignore[arg-type]
        summary=text,
        runbook=links[0] if links else "",
        raw=mail,
        dashboard=_first(r'<a href="([^"]+)">Dashboard</a>', text),
    )


def _first(pattern: str, text: str) -> str:
    found = re.findall(pattern, text)
    return str(found[0]) if found else ""


def payload_text(delivery: Delivery) -> str:
    """Everything the receiver got, as text: a mail's whole message, a post's JSON body."""
    if isinstance(delivery.raw, Mail):
        return delivery.raw.message.as_string()
    return json.dumps(delivery.raw)


HTTP_DECODERS = {"slack": _slack, "pagerduty": _pagerduty, "webhook": _webhook}


def decode(received: Received, email_receivers: Mapping[frozenset[str], str]) -> Delivery:
    """The delivery one fake received. HTTP receivers are told apart by the path the profile
    gave them (/<type>/<receiver>), email receivers by their recipients."""
    if isinstance(received, Post):
        _, kind, receiver = received.path.split("/", 2)
        return HTTP_DECODERS[kind](receiver, received.body)
    receiver = email_receivers.get(frozenset(received.recipients))
    if receiver is None:
        raise AssertionError(f"mail to no email channel: {received!r}")
    return _email(receiver, received)
