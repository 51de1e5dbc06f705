"""Property: any valid spec renders output that parses back and passes the real tools.

Specs are generated as YAML text and go through the whole CLI path (load, validate, plan,
render, write). Free-text values carry quotes, colons, `{{`, `#`, unicode and control
characters, so a value pasted into a template instead of serialized would break a file.
"""

import json
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import dashboard_errors, render_into
from tests.prometheus.test_tools import check_with_tools

pytestmark = [pytest.mark.tools, pytest.mark.slow]

slugs = st.from_regex(r"\A[a-z][a-z0-9-]{0,10}[a-z0-9]\Z")
one_line = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x85\u2028\u2029"),
    max_size=30,
)
nasty = st.sampled_from(
    ["a: b", "{{ $labels.x }}", "'q'", '"dq"', "#c", "- x", "é😀", "x\\y", "1e3"]
)
free_text = nasty | one_line
# Not the labels stackgen sets, nor labels of scraped series that the kinds' queries read.
TAKEN_LABELS = {"job", "instance", "service", "team", "severity", "alertname", "slo", "stack",
                "environment", "le", "quantile", "status", "datname", "model", "mode", "fstype",
                "mountpoint"}  # fmt: skip
label_names = st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z").filter(lambda n: n not in TAKEN_LABELS)
host_ports = st.builds("{}:{}".format, slugs, st.integers(1, 65535))
durations = st.sampled_from(["15s", "30s", "1m", "2m", "5m", "90s"])
kinds = st.sampled_from(["http", "database", "ai-inference", "node", "custom"])
RATIO_ALERTS = {
    "http": "HighHTTPErrorRate",
    "database": "ConnectionPoolExhausted",
    "ai-inference": "HighInferenceErrors",
    "node": "HighMemory",
}


@st.composite
def services(draw, name: str):
    kind = draw(kinds)
    service = {
        "name": name,
        "team": draw(slugs),
        "kind": kind,
        "description": draw(free_text),
        "targets": {"static": draw(st.lists(host_ports, min_size=1, max_size=3))},
        "labels": draw(st.dictionaries(label_names, free_text, max_size=3)),
        "scrape_interval": draw(durations),
    }
    if kind in RATIO_ALERTS:
        alert = RATIO_ALERTS[kind]
        service["alerts"] = {
            alert: {
                "threshold": draw(st.floats(0.001, 0.999).map(lambda x: round(x, 4))),
                "for": draw(durations),
                "severity": draw(st.sampled_from(["critical", "warning", "info"])),
            },
            "InstanceDown": {"enabled": draw(st.booleans())},
        }
        sli = "requests" if kind in ("http", "ai-inference") else "uptime"
        # Default tiers over 28-30 days need windows of 4 scrapes (so at most 1m between
        # scrapes) and, for uptime, more downtime than one failed scrape.
        service["scrape_interval"] = draw(st.sampled_from(["15s", "30s", "1m"]))
        service["slos"] = [
            {
                "name": "slo",
                "objective": draw(
                    st.sampled_from([99, 99.5, 99.9] if sli == "requests" else [99, 99.5])
                ),
                "sli": {"type": sli},
                "period": draw(st.sampled_from(["28d", "30d"])),
                "group_by": draw(st.lists(label_names, max_size=1)),
                "tiers": {"ticket": {"enabled": draw(st.booleans())}},
            }
        ]
    else:
        label_value = draw(free_text)
        service["custom_alerts"] = [
            {
                "name": "CustomThing",
                "expr": f"up{{job={json.dumps(name)}}} == 0",
                "summary": draw(free_text.filter(lambda s: s.strip())),
                "description": draw(free_text.filter(lambda s: s.strip())),
                "labels": {"extra": label_value},
            }
        ]
    return service


@st.composite
def specs(draw):
    names = draw(
        st.lists(slugs, min_size=1, max_size=4, unique=True).filter(
            lambda ns: not {"prometheus", "alertmanager"} & set(ns)
        )
    )
    stack_name = draw(slugs.filter(lambda s: f"{s}-overview" not in names))
    channels = [
        {
            "name": "slack",
            "type": "slack",
            # an absolute path to any file name (the validator refuses empty, multi-line,
            # NUL, relative and unnormalised paths)
            "api_url_file": "/run/"
            + draw(
                free_text.filter(
                    lambda s: s.strip() and not set(s) & set("\n\r\0/") and s not in (".", "..")
                )
            ),
            "channel": "#" + draw(st.text(string.ascii_lowercase, min_size=1, max_size=10)),
        },
        {"name": "pager", "type": "pagerduty", "routing_key_file": "/run/secrets/pd key"},
        {
            "name": "mail",
            "type": "email",
            "to": ["a@b.example"],
            "from": "am@b.example",
            "smarthost": "smtp:587",
        },
        {"name": "hook", "type": "webhook", "url": "https://hooks.example/x?ref=1#f"},
    ]
    service_list = [draw(services(name)) for name in names]
    teams = sorted({s["team"] for s in service_list})
    return {
        "stack": {
            "name": stack_name,
            "external_labels": draw(st.dictionaries(label_names, free_text, max_size=3)),
        },
        "prometheus": {"scrape_interval": "1m", "scrape_timeout": "10s"},
        "services": service_list,
        "channels": channels,
        "routing": {
            "default_channel": draw(st.sampled_from([c["name"] for c in channels])),
            "routes": [
                {"severity": ["critical"], "channel": "pager", "continue": True},
                {
                    "team": draw(st.sampled_from(teams)),
                    "channel": "slack",
                    "match": draw(st.dictionaries(label_names, free_text, max_size=2)),
                },
            ],
            "inhibit": [
                {
                    "source": {"alertname": "ServiceDown"},
                    "target": {"slo": draw(free_text)},
                    "equal": ["service"],
                }
            ],
        },
        "grafana": {
            "default_folder": draw(free_text.filter(lambda s: s.strip())),
            "datasources": [
                {"name": draw(free_text.filter(lambda s: s.strip())), "type": "prometheus"},
                {"name": "logs", "type": "loki", "url": "http://loki:3100"},
            ],
        },
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=specs())
def test_any_valid_spec_renders_files_that_parse_and_pass_the_tools(tmp_path_factory, spec):
    folder = tmp_path_factory.mktemp("prop")
    spec_file = folder / "spec.yml"
    spec_file.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    out = render_into(spec_file, folder / "out")
    for path in out.rglob("*"):
        if path.suffix == ".yml":
            assert yaml.safe_load(path.read_text()) is not None, path
        elif path.suffix == ".json":
            document = json.loads(path.read_text())
            if "grafana/dashboards" in path.as_posix():
                assert dashboard_errors(document) == [], path
    check_with_tools(out)
    # Spec values come back out unchanged where they are written.
    rules = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())
    assert rules["global"]["external_labels"] == {
        "stack": spec["stack"]["name"],
        "environment": "production",
        **spec["stack"]["external_labels"],
    }
    datasources = yaml.safe_load(
        (out / "grafana/provisioning/datasources/datasources.yml").read_text()
    )
    name = spec["grafana"]["datasources"][0]["name"]
    assert datasources["datasources"][0]["name"] == name.replace("$", "$$")  # Grafana's escape
    assert Path(out / ".stackgen-manifest.json").is_file()
