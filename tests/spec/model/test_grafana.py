"""Grafana datasources: their fields, addresses and passwords."""

import pytest

from tests.helpers import MINIMAL
from tests.spec.located import errors_of


def test_grafana_datasource_password_must_be_an_env_reference(tmp_path):
    text = MINIMAL + (
        "grafana:\n  datasources:\n    - {name: pg, type: postgres, url: 'db:5432', "
        "database: d, user: u, password: hunter2}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert "grafana.datasources[pg].password: inline secrets are not allowed" in error
    assert "${POSTGRES_PASSWORD}" in error


@pytest.mark.parametrize(
    "url", ["http://admin:hunter2@loki:3100", "user:pw@db:5432", "http://loki:3100/?token=abc"]
)
def test_credentials_in_a_datasource_address_are_refused(tmp_path, url):
    text = MINIMAL + f"grafana:\n  datasources: [{{name: l, type: loki, url: '{url}'}}]\n"
    (error,) = errors_of(tmp_path, text)
    assert "grafana.datasources[l].url: `" in error and "would be written into out/" in error
    assert "hunter2" not in error and "abc" not in error and ":pw@" not in error


def test_each_datasource_type_takes_only_its_own_fields(tmp_path):
    text = MINIMAL + (
        "grafana:\n  datasources:\n"
        "    - {name: logs, type: loki, url: 'http://loki:3100', database: x}\n"
        "    - {name: pg, type: postgres, url: 'db:5432', user: u}\n"
    )
    errors = errors_of(tmp_path, text)
    assert any("datasources[logs].database: unknown key `database`" in e for e in errors)
    assert any("datasources[pg].database: missing required field `database`" in e for e in errors)
    assert len(errors) == 2


@pytest.mark.parametrize(
    ("source", "field", "hint"),
    [
        ("{type: prometheus, http_method: PUT}", "http_method", "'POST' or 'GET'"),
        ("{type: prometheus, query_timeout: 1 minute}", "query_timeout", "5m"),
        ("{type: loki, url: 'http://l:3100', max_lines: 0}", "max_lines", "greater than or"),
        (
            "{type: postgres, url: 'db:5432', database: d, user: u, postgres_version: '16'}",
            "postgres_version",
            "'15'",
        ),
        (
            "{type: postgres, url: 'db:5432', database: d, user: u, sslmode: prefer}",
            "sslmode",
            "'verify-full'",
        ),
    ],
)
def test_datasource_options_take_only_what_grafana_knows(tmp_path, source, field, hint):
    text = MINIMAL + f"grafana:\n  datasources:\n    - {{name: s, {source[1:]}\n"
    (error,) = errors_of(tmp_path, text)
    assert f"grafana.datasources[s].{field}: " in error
    assert hint in error


def test_an_option_of_another_datasource_type_is_an_unknown_key(tmp_path):
    text = MINIMAL + (
        "grafana:\n  datasources:\n    - {name: j, type: jaeger, url: 'http://j:16686', "
        "max_lines: 10}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert "grafana.datasources[j].max_lines: unknown key `max_lines`" in error
