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

from stackgen.alertmanager.routing import Route
from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Keys, Scope
from stackgen.lint.sources import Document

ID = "receiver/shared-webhook"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = "Make a webhook per Slack channel and give each receiver its own URL file."


def _webhooks(data: object) -> Iterator[tuple[Keys, str, str]]:
    """(place of the URL, the URL or its file, the channel) of every Slack config."""
    receivers = data.get("receivers") if isinstance(data, dict) else None
    for index, receiver in enumerate(receivers if isinstance(receivers, list) else []):
        slacks = receiver.get("slack_configs") if isinstance(receiver, dict) else None
        for number, slack in enumerate(slacks if isinstance(slacks, list) else []):
            if not isinstance(slack, dict) or not slack.get("channel"):
                continue
            for key in ("api_url_file", "api_url"):
                if isinstance(slack.get(key), str) and slack[key]:
                    place = ("receivers", index, "slack_configs", number, key)
                    yield place, f"{key} {slack[key]}", str(slack["channel"])
                    break


def check(document: Document, tree: Route) -> Iterator[Hit]:
    """`document`: alertmanager.yml. Every config after the first of a webhook whose channel
    differs from the first's is reported, at its URL."""
    del tree  # the receivers alone tell
    first: dict[str, str] = {}
    for place, webhook, channel in _webhooks(document.data):
        seen = first.setdefault(webhook, channel)
        if seen != channel:
            # the URL itself is a secret: only a file's path is named
            shown = webhook if webhook.startswith("api_url_file") else "api_url"
            yield (
                place,
                f"{shown} also serves channel {seen}: a Slack app's webhook ignores `channel` "
                f"and posts to the one channel it was made for, so what is meant for {channel} "
                "lands there too",
            )
