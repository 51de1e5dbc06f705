"""Constrained scalar types of the spec, each with an error message that says how to fix it."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from stackgen.values import parse_duration

_SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_HOST_PORT = re.compile(r"^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$")
_URL = re.compile(r"^https?://[^\s/?#@]+(/[^\s]*)?$")
_ENV_REF = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
_EMAIL = re.compile(r"^[^@\s\"<>]+@[^@\s\"<>]+\.[^@\s\"<>]+$")


def _duration(value: str) -> str:
    parse_duration(value)
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use 1-63 lowercase letters, digits and dashes, "
            "starting and ending with a letter or digit (for example `payments-api`)"
        )
    return value


def _label_name(value: str) -> str:
    if not _LABEL_NAME.match(value) or value.startswith("__"):
        raise ValueError(
            f"{value!r} is not a valid Prometheus label name: use letters, digits and "
            "underscores, not starting with a digit or with `__`"
        )
    return value


def _metric_name(value: str) -> str:
    if not _METRIC_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid Prometheus metric name: use letters, digits, `_` and `:`, "
            "not starting with a digit"
        )
    return value


def _alert_name(value: str) -> str:
    if not _ALERT_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid alert name: use CamelCase letters and digits, "
            "starting with a capital (for example `HighErrorRate`)"
        )
    return value


def _host_port(value: str) -> str:
    if not _HOST_PORT.match(value) or not 0 < int(value.rsplit(":", 1)[1]) < 65536:
        raise ValueError(
            f"{value!r} is not a host:port address: write it as `host:port`, "
            "for example `api.internal:8080`"
        )
    return value


def _url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(
            f"{value!r} is not an http(s) URL without credentials: write it as "
            "`https://host/path`; credentials belong in a `*_file` field"
        )
    return value


def _env_ref(value: str) -> str:
    if not _ENV_REF.match(value):
        raise ValueError(
            "inline secrets are not allowed: write a reference to an environment variable "
            "that holds it, such as `${POSTGRES_PASSWORD}`"
        )
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address such as `oncall@example.com`")
    return value


def _file_path(value: str) -> str:
    if not value.strip() or any(c in value for c in "\n\r\0"):
        raise ValueError("a file path must be a non-empty single line, such as `/etc/secrets/key`")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line of text")
    return value


Duration = Annotated[
    str,
    AfterValidator(_duration),
    Field(description="Prometheus duration, for example 30s, 5m, 1h30m", examples=["5m"]),
]
Slug = Annotated[str, AfterValidator(_slug), Field(description="lowercase-dashed name")]
LabelName = Annotated[str, AfterValidator(_label_name)]
MetricName = Annotated[str, AfterValidator(_metric_name)]
AlertName = Annotated[str, AfterValidator(_alert_name)]
HostPort = Annotated[str, AfterValidator(_host_port), Field(examples=["localhost:9090"])]
Url = Annotated[str, AfterValidator(_url)]
EnvRef = Annotated[str, AfterValidator(_env_ref), Field(examples=["${POSTGRES_PASSWORD}"])]
Email = Annotated[str, AfterValidator(_email)]
FilePath = Annotated[
    str, AfterValidator(_file_path), Field(description="path of a file holding the secret")
]
OneLine = Annotated[str, AfterValidator(_one_line)]
