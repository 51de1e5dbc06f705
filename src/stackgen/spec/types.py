"""Constrained scalar types of the spec, each with an error message that says how to fix it."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Annotated

import promql_parser
from pydantic import AfterValidator, BeforeValidator, Field

from stackgen.alertmanager.time_intervals import (
    parse_day_of_month_range,
    parse_location,
    parse_month_range,
    parse_time_of_day,
    parse_weekday_range,
    parse_year_range,
)
from stackgen.common.urls import credential_problem, redact
from stackgen.common.values import parse_duration
from stackgen.prometheus.gotemplate import check_template
from stackgen.prometheus.names import ALERT_NAME, LABEL_NAME, METRIC_NAME
from stackgen.prometheus.promql import parse

_SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
HOST_PORT = re.compile(r"^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$")
_URL = re.compile(r"^https?://[^\s/?#@]+([/?#][^\s]*)?$")
_ENV_REF = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
_EMAIL = re.compile(r"^[^@\s\"<>{}]+@[^@\s\"<>{}]+\.[^@\s\"<>{}]+$")
# Prometheus's own pattern for file_sd_configs files (discovery/file).
_SD_FILE = re.compile(r"^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$")
K8S_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_ACTION = re.compile(r"\{\{-?(.*?)-?\}\}")
_LABEL_ACTION = re.compile(r"\$labels\.[A-Za-z_][A-Za-z0-9_]*")


def _duration(value: str) -> str:
    parse_duration(value)
    return value


def _positive_duration(value: str) -> str:
    if parse_duration(value) <= 0:
        raise ValueError(f"{value!r} must be longer than zero, for example 5m")
    return value


def _sd_file(value: str) -> str:
    if not _SD_FILE.match(value):
        raise ValueError(
            f"{value!r} is not a file discovery path Prometheus accepts: end it in .json, .yml "
            "or .yaml, with a `*` only in the file name (for example `targets/*.json`)"
        )
    return value


def check_promql(value: str) -> str:
    """`value` if Prometheus 2.42 can parse it; ValueError saying why not."""
    parse(value)
    return value


def check_selector(value: str) -> str:
    """`value` if it is a plain series selector (what goes inside `rate(...[5m])`), such as
    `http_requests_total{code=~"5.."}`; ValueError saying why not."""
    node = parse(value)
    if not isinstance(node, promql_parser.VectorSelector):
        kind = type(node).__name__
        raise ValueError(
            f"is not a plain series selector but a {_KINDS.get(kind, kind)}: stackgen puts it "
            'inside `rate(...[window])`, so write `metric{label="value"}` only, and an '
            "expression of your own as a `ratio` SLI"
        )
    if node.offset is not None or node.at is not None:
        raise ValueError(
            "has an `offset` or `@` modifier, which cannot go inside `rate(...[window])`: remove it"
        )
    return value


_KINDS = {
    "BinaryExpr": "binary expression (`or`, `+`, `>`, ...)",
    "AggregateExpr": "aggregation",
    "Call": "function call",
    "MatrixSelector": "range selector (`[5m]`): stackgen adds the range itself",
    "ParenExpr": "parenthesised expression",
    "SubqueryExpr": "subquery",
    "NumberLiteral": "number",
    "StringLiteral": "string",
    "UnaryExpr": "negation",
}


def _no_credentials(value: str) -> str:
    problem = credential_problem(
        value, "give the user and a ${ENV} password reference in their own fields"
    )
    if problem:
        raise ValueError(problem)
    return value


def _go_template(value: str) -> str:
    return check_template(value)


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use 1-63 lowercase letters, digits and dashes, "
            "starting and ending with a letter or digit (for example `payments-api`)"
        )
    return value


def _label_name(value: str) -> str:
    if not LABEL_NAME.match(value) or value.startswith("__"):
        raise ValueError(
            f"{value!r} is not a valid Prometheus label name: use letters, digits and "
            "underscores, not starting with a digit or with `__`"
        )
    return value


def _any_label_name(value: str) -> str:
    if not LABEL_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a Prometheus label name: use letters, digits and underscores, "
            "not starting with a digit"
        )
    return value


def _external_label_name(value: str) -> str:
    if value in ("stack", "environment"):
        raise ValueError(
            f"`{value}` is set from `stack.{'name' if value == 'stack' else value}`; "
            "set it there or pick another label name"
        )
    return _label_name(value)


def _kubernetes_label(value: str) -> str:
    if not K8S_LABEL_KEY.match(value):
        raise ValueError(
            f"{value!r} is not a Kubernetes label key such as `app` or `app.kubernetes.io/name`"
        )
    return value


K8S_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")


def _kubernetes_label_value(value: str) -> str:
    if not K8S_LABEL_VALUE.match(value):
        raise ValueError(
            f"{value!r} is not a Kubernetes label value: at most 63 letters, digits, `-`, `_` "
            "and `.`, starting and ending with a letter or digit"
        )
    return value


def _metric_name(value: str) -> str:
    if not METRIC_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid Prometheus metric name: use letters, digits, `_` and `:`, "
            "not starting with a digit"
        )
    return value


# Names that become file names (runbooks/NAME.md, a folder per dashboard folder) stay far
# below the 255 bytes a file name may have.
MAX_ALERT_NAME = 200
MAX_FOLDER = 100


def _alert_name(value: str) -> str:
    if len(value) > MAX_ALERT_NAME:
        raise ValueError(
            f"is {len(value)} characters long, more than {MAX_ALERT_NAME}: it names the "
            "runbook file runbooks/NAME.md, so shorten it"
        )
    if not ALERT_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid alert name: use CamelCase letters and digits, "
            "starting with a capital (for example `HighErrorRate`)"
        )
    return value


def _host_port(value: str) -> str:
    if not HOST_PORT.match(value) or not 0 < int(value.rsplit(":", 1)[1]) < 65536:
        raise ValueError(
            f"{value!r} is not a host:port address: write it as `host:port`, "
            "for example `api.internal:8080`"
        )
    return value


def _url(instead: str) -> AfterValidator:
    """An http(s) address without credentials (common/urls.py); `instead`: where the field's
    credential goes."""

    def check(value: str) -> str:
        problem = credential_problem(value, instead)
        if problem:
            raise ValueError(problem)
        if not _URL.match(value):
            raise ValueError(
                f"`{redact(value)}` is not an http(s) URL: write it as `https://host/path`"
            )
        return value

    return AfterValidator(check)


def is_env_reference(value: str) -> bool:
    """Whether `value` is a whole `${NAME}` reference, which Grafana expands on reading."""
    return bool(_ENV_REF.match(value))


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


# The folders the servers stackgen starts keep their own files in (compose's config mounts,
# the data folders in compose and Kubernetes): a secret mounted there would sit on top of them.
SERVER_FOLDERS = {
    "/stackgen": "compose mounts the rendered configs",
    "/prometheus": "Prometheus keeps its data",
    "/alertmanager": "Alertmanager keeps its data",
}


def _file_path(value: str) -> str:
    if not value.strip() or any(c in value for c in "\n\r\0"):
        raise ValueError("a file path must be a non-empty single line, such as `/etc/secrets/key`")
    # A relative path names a different file in each form stackgen writes: Prometheus reads it
    # beside its config file (another folder for a shard, inside OUT for the plain files);
    # Alertmanager 0.25 reads an http_config file beside its config and every other `*_file`
    # in its working directory (the image's data volume).
    if not value.startswith("/"):
        raise ValueError(
            f"{value!r} is relative, which the servers resolve against different folders "
            "(the config file's or the working directory, each deployment form its own): give "
            "the absolute path the server reads it at, such as `/etc/secrets/key`"
        )
    normal = "/" + posixpath.normpath(value).lstrip("/")
    if normal != value or value == "/":
        raise ValueError(
            f"{value!r} is not a plain path to a file: write it as {normal!r}"
            if normal != "/"
            else "`/` is a folder: give the path of the file holding the secret"
        )
    for folder, what in SERVER_FOLDERS.items():
        if value == folder or value.startswith(f"{folder}/"):
            raise ValueError(
                f"{value!r} is in {folder}, where {what}: keep the secret elsewhere, such as "
                f"`/run/secrets/{posixpath.basename(value)}`"
            )
    return value


def _folder(value: str) -> str:
    if len(value) > MAX_FOLDER:
        raise ValueError(
            f"is {len(value)} characters long, more than {MAX_FOLDER}: it names a folder "
            "in Grafana and in out/grafana/dashboards/, so shorten it"
        )
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line of text")
    return value


def ratio_template(value: str) -> str:
    """PromQL with `${window}` where each window's range goes."""
    if "${window}" not in value:
        raise ValueError(
            "the expression must use `${window}` where each window's range goes, "
            "as in `rate(errors[${window}])`"
        )
    check_promql(value.replace("${window}", "5m"))
    return value


def _labels_only_template(value: str) -> str:
    _one_line(value)
    check_template(value)
    for action in _ACTION.findall(value):
        if not _LABEL_ACTION.fullmatch(action.strip()):
            raise ValueError(
                f"may use only `{{{{ $labels.NAME }}}}` template actions, not `{{{{{action}}}}}`"
            )
    return value


LabelsOnlyTemplate = Annotated[str, AfterValidator(_labels_only_template)]
RatioTemplate = Annotated[str, AfterValidator(ratio_template), Field(min_length=1)]
PromQL = Annotated[str, AfterValidator(check_promql), Field(min_length=1, examples=["up == 0"])]
Selector = Annotated[
    str,
    AfterValidator(check_selector),
    Field(min_length=1, examples=['http_requests_total{code=~"5.."}']),
]
Address = Annotated[str, AfterValidator(_one_line), AfterValidator(_no_credentials)]
PositiveDuration = Annotated[
    str,
    AfterValidator(_positive_duration),
    Field(description="Prometheus duration longer than zero, for example 5m", examples=["5m"]),
]
SdFile = Annotated[str, AfterValidator(_sd_file), Field(examples=["targets/*.json"])]
TemplateText = Annotated[str, AfterValidator(_go_template)]
OneLineTemplate = Annotated[str, AfterValidator(_one_line), AfterValidator(_go_template)]
Duration = Annotated[
    str,
    AfterValidator(_duration),
    Field(description="Prometheus duration, for example 30s, 5m, 1h30m", examples=["5m"]),
]
Slug = Annotated[str, AfterValidator(_slug), Field(description="lowercase-dashed name")]
LabelName = Annotated[str, AfterValidator(_label_name)]
# Relabelling also reads and writes the internal labels (__name__, __address__, ...).
RelabelLabel = Annotated[str, AfterValidator(_any_label_name)]
ExternalLabelName = Annotated[str, AfterValidator(_external_label_name)]
KubernetesLabel = Annotated[str, AfterValidator(_kubernetes_label)]
KubernetesLabelValue = Annotated[str, AfterValidator(_kubernetes_label_value)]
MetricName = Annotated[str, AfterValidator(_metric_name)]
AlertName = Annotated[str, AfterValidator(_alert_name)]
HostPort = Annotated[str, AfterValidator(_host_port), Field(examples=["localhost:9090"])]
Url = Annotated[
    str,
    _url("give a credential in the field's `*_file` form or a `${ENV}` reference, not here"),
]
WebhookUrl = Annotated[
    str, _url("put the address in a file readable by Alertmanager and give its path as `url_file`")
]
PushUrl = Annotated[
    str,
    _url(
        "give the credential as `bearer_token_file`, or as `basic_auth_username` and "
        "`basic_auth_password_file`"
    ),
]
PagerDutyUrl = Annotated[str, _url("give the integration key as `routing_key_file`")]
RunbookUrl = Annotated[
    str,
    _url(
        "a runbook link is shown to everyone who sees the alert: link to a page that needs "
        "no credential"
    ),
]
EnvRef = Annotated[str, AfterValidator(_env_ref), Field(examples=["${POSTGRES_PASSWORD}"])]
Email = Annotated[str, AfterValidator(_email)]
FilePath = Annotated[
    str,
    AfterValidator(_file_path),
    Field(description="absolute path of the file holding the secret, where the server reads it"),
]
OneLine = Annotated[str, AfterValidator(_one_line)]
# Grafana expands `${NAME}` anywhere in a provisioning file: a whole reference is kept for it to
# expand, any other `$` is written literally (plan.grafana.provisioning_text).
OneLineOrEnv = Annotated[
    str,
    AfterValidator(_one_line),
    Field(
        description="Text, or a whole `${NAME}` reference that Grafana expands from its "
        "environment.",
        examples=["${POSTGRES_USER}"],
    ),
]
FolderName = Annotated[str, AfterValidator(_one_line), AfterValidator(_folder), Field(min_length=1)]


def _shard_address(value: str) -> str:
    if value.count("{shard}") != 1 or "{" in value.replace("{shard}", ""):
        raise ValueError(
            f"{value!r} needs `{{shard}}` once, where the shard's number goes: "
            "for example `prometheus-shard-{shard}:9090`"
        )
    _host_port(value.replace("{shard}", "0"))
    return value


ShardAddress = Annotated[
    str, AfterValidator(_shard_address), Field(examples=["prometheus-shard-{shard}:9090"])
]


# --- Alertmanager time intervals: kept as written, checked with Alertmanager's own rules ------


def _checked_by(parse: Callable[[str], object]) -> AfterValidator:
    def check(value: str) -> str:
        parse(value)
        return value

    return AfterValidator(check)


def _time_text(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            "quote times of day, such as '09:00': unquoted, YAML reads 09:00 as a number"
        )
    return value


def _number_text(value: object) -> object:
    """Days and years may be written as plain numbers."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


TimeOfDay = Annotated[str, BeforeValidator(_time_text), _checked_by(parse_time_of_day)]
WeekdayRange = Annotated[str, _checked_by(parse_weekday_range)]
DayOfMonthRange = Annotated[
    str, BeforeValidator(_number_text), _checked_by(parse_day_of_month_range)
]
MonthRange = Annotated[str, BeforeValidator(_number_text), _checked_by(parse_month_range)]
YearRange = Annotated[str, BeforeValidator(_number_text), _checked_by(parse_year_range)]
TimeZoneName = Annotated[str, _checked_by(parse_location)]
