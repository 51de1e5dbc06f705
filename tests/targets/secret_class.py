"""The spec every deployment form's secret-file test renders, and the oracle's pieces: which
fields of the spec name a secret file, and which files a rendered config reads (worked out
here, independently of the targets)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tests.helpers import MINIMAL

# Every field of the spec that names a secret file, set: remote_write's basic auth and bearer
# token; each channel type's files; two shards and a global server. Some files lie inside a
# server's config folder in Kubernetes (/etc/prometheus/..., /etc/alertmanager/config/...),
# two share a name, two remote_writes share a token. Each deployment form's test adds its
# `output:`.
SECRETS_SPEC = (
    MINIMAL.replace(
        "channels:\n",
        """\
channels:
  - {name: slack, type: slack, api_url_file: /etc/alertmanager/secrets/slack, channel: '#ops'}
  - {name: pd, type: pagerduty, routing_key_file: /etc/alertmanager/secrets/pd/key}
  - {name: mail, type: email, to: [a@example.com], from: am@example.com,
     smarthost: 'smtp.example.com:587', auth_username: am,
     auth_password_file: /run/secrets/smtp-password}
  - {name: hook, type: webhook, url_file: /etc/alertmanager/config/hook-url,
     bearer_token_file: /var/run/am/hook-token}
  - {name: genie, type: opsgenie, api_key_file: /etc/alertmanager/secrets/genie/key}
  - {name: teams, type: msteams, webhook_url_file: /etc/alertmanager/secrets/teams}
  - {name: tg, type: telegram, bot_token_file: /etc/alertmanager/secrets/tg, chat_id: 42}
  - {name: discord, type: discord, webhook_url_file: /etc/alertmanager/secrets/discord}
""",
    )
    + """\
alertmanager: {version: "0.27"}
prometheus:
  address: prom:9090
  shards: 2
  rule_evaluation: federation
  remote_write:
    - {name: mimir, url: 'https://mimir/api/v1/push', tenant: aion,
       basic_auth_username: writer,
       basic_auth_password_file: /etc/prometheus/secrets/mimir-password}
    - {name: thanos, url: 'https://thanos/api/v1/receive', store: thanos,
       bearer_token_file: /run/secrets/remote-token}
    - {name: backup, url: 'https://backup/api/v1/push', bearer_token_file: /run/secrets/remote-token}
    - {name: near, url: 'https://near/api/v1/push',
       bearer_token_file: /etc/prometheus/secrets/near-token}
"""
)


def read_secret_files(config: Any) -> set[str]:
    """The value of every `*_file` field of a config, at any depth."""
    if isinstance(config, list):
        return set().union(*map(read_secret_files, config)) if config else set()
    if not isinstance(config, dict):
        return set()
    own = {v for k, v in config.items() if k.endswith("_file") and isinstance(v, str)}
    return own.union(*map(read_secret_files, config.values()))


def file_fields(schema: dict) -> set[tuple[str, str]]:
    """(model, field) of every `*_file` field the spec's JSON Schema declares."""
    return {
        (name, field)
        for name, definition in schema["$defs"].items()
        for field in definition.get("properties", {})
        if field.endswith("_file")
    }


def set_file_fields(value: Any) -> set[tuple[str, str]]:
    """(model, field) of every `*_file` field a loaded stack sets, at any depth."""
    if isinstance(value, BaseModel):
        own = {
            (type(value).__name__, name)
            for name in type(value).model_fields
            if name.endswith("_file") and getattr(value, name) is not None
        }
        return own.union(*(set_file_fields(getattr(value, n)) for n in type(value).model_fields))
    if isinstance(value, list | tuple):
        return set().union(*map(set_file_fields, value)) if value else set()
    if isinstance(value, dict):
        return set().union(*map(set_file_fields, value.values())) if value else set()
    return set()
