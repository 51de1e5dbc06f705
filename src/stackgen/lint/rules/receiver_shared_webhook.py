"""Slack receivers that post to different channels use different webhooks. A Slack app's
incoming webhook posts to the one channel it was made for and ignores the `channel` field, so
receivers sharing its URL (or URL file) all post there: the alerts meant for `#db` land in
`#critical`.

Bad:

    - {name: slack-critical, slack_configs: [{api_url_file: /s/slack, channel: "#critical"}]}
    - {name: slack-db, slack_configs: [{api_url_file: /s/slack, channel: "#db"}]}

Good:

    - {name: slack-critical, slack_configs: [{api_url_file: /s/critical, channel: "#critical"}]}
    - {name: slack-db, slack_configs: [{api_url_file: /s/db, channel: "#db"}]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope
from stackgen.lint.sources import Document

if TYPE_CHECKING:  # the checks of alertmanager.yml import the routing when they run
    from stackgen.alertmanager.routing import Route

ID = "receiver/shared-webhook"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = "Make a webhook per Slack channel and give each receiver its own URL file."


def _global_webhook(data: dict[str, Any]) -> str | None:
    """The webhook a Slack config without its own uses: global `slack_api_url(_file)`."""
    settings = data.get("global")
    if not isinstance(settings, dict):
        return None
    for key in ("slack_api_url_file", "slack_api_url"):
        if isinstance(settings.get(key), str) and settings[key]:
            return f"global {key} {settings[key]}" if key.endswith("_file") else f"global {key}"
    return None


def _webhooks(data: object) -> Iterator[tuple[Keys, str, str]]:
    """(where: the config's URL, or its channel when it uses the global one; which webhook;
    the channel) of every Slack config that names a channel."""
    if not isinstance(data, dict):
        return
    fallback = _global_webhook(data)
    receivers = data.get("receivers")
    for index, receiver in enumerate(receivers if isinstance(receivers, list) else []):
        slacks = receiver.get("slack_configs") if isinstance(receiver, dict) else None
        for number, slack in enumerate(slacks if isinstance(slacks, list) else []):
            if not isinstance(slack, dict) or not slack.get("channel"):
                continue
            place: Keys = ("receivers", index, "slack_configs", number)
            channel = str(slack["channel"])
            if isinstance(slack.get("api_url_file"), str) and slack["api_url_file"]:
                yield (*place, "api_url_file"), f"api_url_file {slack['api_url_file']}", channel
            elif isinstance(slack.get("api_url"), str) and slack["api_url"]:
                yield (*place, "api_url"), f"api_url {slack['api_url']}", channel
            elif fallback is not None:
                yield (*place, "channel"), fallback, channel


def check(document: Document, tree: Route) -> Iterator[Hit]:
    """`document`: alertmanager.yml. Every config after the first of a webhook whose channel
    differs from the first's is reported."""
    del tree  # the receivers alone tell
    first: dict[str, str] = {}
    for place, webhook, channel in _webhooks(document.data):
        seen = first.setdefault(webhook, channel)
        if seen != channel:
            # an inline URL is a secret: it is not repeated in the message
            shown = "the same api_url" if webhook.startswith("api_url ") else webhook
            yield (
                place,
                f"{shown} also serves channel {seen}: a Slack app's webhook ignores `channel` "
                f"and posts to the one channel it was made for, so what is meant for {channel} "
                "lands there too",
            )
