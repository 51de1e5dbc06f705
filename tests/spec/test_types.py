"""The field types: durations, names and labels, each error located with a fix."""

import pytest
from typer.testing import CliRunner

from stackgen.cli import app
from stackgen.plan.alerts import runbook_link
from tests.helpers import MINIMAL, minimal_with_slos, stack_from, write
from tests.spec.located import errors_of


@pytest.mark.parametrize("bad", ["5 minutes", "5", "1.5h", "'-1m'"])
def test_bad_duration_is_located(tmp_path, bad):
    text = MINIMAL.replace(
        "  name: demo\n", f"  name: demo\nprometheus:\n  scrape_interval: {bad}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert error.startswith("4:20: prometheus.scrape_interval: ")
    assert "Prometheus duration" in error or "valid string" in error


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ('"api\\nx"', "is not a valid name"),
        ('"Api"', "is not a valid name"),
        ('"a:b"', "is not a valid name"),
        ('"{{ x }}"', "is not a valid name"),
        ('"it\'s"', "is not a valid name"),
    ],
)
def test_names_that_would_break_outputs_are_rejected_clearly(tmp_path, name, fragment):
    (error,) = errors_of(tmp_path, MINIMAL.replace("  - name: api", f"  - name: {name}"))
    assert fragment in error and "lowercase letters, digits and dashes" in error


def test_label_names_and_values_are_checked(tmp_path):
    text = MINIMAL.replace(
        "  name: demo\n", "  name: demo\n  external_labels: {'bad-label': x, ok: \"two\\nlines\"}\n"
    )
    errors = errors_of(tmp_path, text)
    assert any(
        "stack.external_labels.bad-label: 'bad-label' is not a valid Prometheus label name" in e
        for e in errors
    )
    assert any("stack.external_labels.ok: must be a single line of text" in e for e in errors)


# --- Addresses that carry credentials: refused at their line, shown redacted ---------------

SECRET = "s3cr3tV4lue"
SECRET_FORMS = {
    "access_token": (f"https://h/hook?access_token={SECRET}", "?access_token=***"),
    "X-Auth-Token": (f"https://h/hook?X-Auth-Token={SECRET}", "?X-Auth-Token=***"),
    "private_token": (f"https://h/hook?private_token={SECRET}", "?private_token=***"),
    "client_secret": (f"https://h/hook?client_secret={SECRET}", "?client_secret=***"),
    "percent-encoded": (f"https://h/hook?%74oken={SECRET}", "?%74oken=***"),
    "userinfo": (f"https://am:{SECRET}@h/hook", "https://am:***@h/hook"),
    "slack-webhook": (f"https://hooks.slack.com/services/T0/B0/{SECRET}", "hooks.slack.com/***"),
}
# Where an address goes: (YAML added to MINIMAL with {url}, the field's path).
URL_FIELDS = {
    "webhook": (None, "channels[ops].url"),
    "remote_write": ("prometheus:\n  remote_write: [{{name: m, url: '{url}'}}]\n",
                     "prometheus.remote_write[m].url"),
    "runbooks_url": ("  runbooks_url: '{url}'\n", "stack.runbooks_url"),
    "pagerduty": ("  - {{name: pd, type: pagerduty, routing_key_file: /k, url: '{url}'}}\n",
                  "channels[pd].url"),
}  # fmt: skip


def _with_url(field: str, url: str) -> str:
    extra = URL_FIELDS[field][0]
    if extra is None:
        return MINIMAL.replace("http://hooks.internal/alerts", url)
    if field == "runbooks_url":
        return MINIMAL.replace("  name: demo\n", "  name: demo\n" + extra.format(url=url))
    if field == "pagerduty":
        return MINIMAL.replace("channels:\n", "channels:\n" + extra.format(url=url))
    return MINIMAL + extra.format(url=url)


@pytest.mark.parametrize("form", sorted(SECRET_FORMS))
@pytest.mark.parametrize("field", sorted(URL_FIELDS))
def test_an_address_carrying_a_credential_is_refused_at_its_line_redacted(tmp_path, field, form):
    url, shown = SECRET_FORMS[form]
    text = _with_url(field, url)
    errors = errors_of(tmp_path, text)
    line, path = 1 + text[: text.index(url)].count("\n"), URL_FIELDS[field][1]
    (error,) = [e for e in errors if path in e]
    assert error.startswith(f"{line}:"), error
    assert shown in error and "would be written into out/" in error
    assert all(SECRET not in e for e in errors)


def test_a_runbooks_url_with_a_query_keeps_the_file_name_before_it(tmp_path):
    text = MINIMAL.replace(
        "  name: demo\n", "  name: demo\n  runbooks_url: https://wiki/runbooks?ref=main#top\n"
    )
    stack = stack_from(tmp_path, text)
    assert runbook_link(stack, "ServiceDown") == "https://wiki/runbooks/ServiceDown.md?ref=main#top"


@pytest.mark.parametrize(
    ("objective", "shown"), [("100.0001", "100.0001%"), ("100", "100%"), ("1e3", "1000%")]
)
def test_an_objective_is_quoted_as_written(tmp_path, objective, shown):
    slo = f"{{name: a, objective: {objective}, sli: {{type: uptime}}}}"
    (error,) = errors_of(tmp_path, minimal_with_slos(slo))
    assert f"an objective of {shown} leaves no error budget" in error


@pytest.mark.parametrize(
    "selector",
    ["http_requests_total or vector(1)", "sum(x)", "x[5m]", "rate(x[5m])", "x offset 5m"],
)
def test_an_sli_selector_must_be_a_plain_selector(tmp_path, selector):
    slo = f"{{name: a, objective: 99, sli: {{type: requests, errors: '{selector}', total: t}}}}"
    (error,) = errors_of(tmp_path, minimal_with_slos(slo))
    assert "slos[a].sli.errors" in error or "sli.requests.errors" in error, error
    assert "plain series selector" in error or "`offset` or `@`" in error


def test_names_that_become_file_names_are_bounded(tmp_path):
    text = MINIMAL.replace(
        "    kind: http\n", f"    kind: http\n    dashboard_folder: {'f' * 101}\n"
    )
    (error,) = errors_of(tmp_path, text)
    assert "services[api].dashboard_folder: is 101 characters long, more than 100" in error


SECRET_FIELDS = (
    "channels:\n"
    "  - {name: hook, type: webhook, url_file: hook/url, bearer_token_file: ./token}\n"
    "  - {name: pd, type: pagerduty, routing_key_file: /etc/am/../pd-key}\n"
)
REMOTE_WRITE = (
    "prometheus:\n  remote_write:\n"
    "    - {name: mimir, url: 'https://mimir/push', basic_auth_username: w,\n"
    "       basic_auth_password_file: secrets/mimir}\n"
)


def test_a_secret_file_path_must_be_absolute_and_plain(tmp_path):
    """A relative path would be read from a different folder by each server and deployment
    form (Alertmanager 0.25 even by field: http_config beside its config, the rest from its
    working directory), so every `*_file` of the spec is absolute, each error at its value."""
    text = MINIMAL.replace("channels:\n", SECRET_FIELDS) + 'alertmanager: {version: "0.26"}\n'
    errors = errors_of(tmp_path, text + REMOTE_WRITE)
    assert [e.split(": ", 2)[:2] for e in errors] == [
        ["10:43", "channels[hook].url_file"],
        ["10:72", "channels[hook].bearer_token_file"],
        ["11:51", "channels[pd].routing_key_file"],
        ["22:34", "prometheus.remote_write[mimir].basic_auth_password_file"],
    ]
    assert errors[0].endswith(
        "'hook/url' is relative, which the servers resolve against different folders (the "
        "config file's or the working directory, each deployment form its own): give the "
        "absolute path the server reads it at, such as `/etc/secrets/key`"
    )
    assert errors[2].endswith(
        "'/etc/am/../pd-key' is not a plain path to a file: write it as '/etc/pd-key'"
    )


@pytest.mark.parametrize(
    ("path", "fix"),
    [("/run/secrets/", "'/run/secrets'"), ("//run//x", "'/run/x'"), ("/", "`/` is a folder")],
)
def test_a_secret_file_path_names_one_file_one_way(tmp_path, path, fix):
    text = MINIMAL.replace("    url: http://hooks.internal/alerts\n", f"    url_file: '{path}'\n")
    (error,) = errors_of(tmp_path, text + 'alertmanager: {version: "0.26"}\n')
    assert error.startswith("12:15: channels[ops].url_file: ") and fix in error


def test_a_relative_secret_file_exits_2_and_writes_nothing(tmp_path):
    spec = write(tmp_path, "spec.yml", MINIMAL + REMOTE_WRITE)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(spec), "-o", str(out), "--no-tools"])
    assert result.exit_code == 2
    assert f"{spec}:19:34: prometheus.remote_write[mimir].basic_auth_password_file: " in (
        result.output
    )
    assert "Traceback" not in result.output and not out.exists()


def test_an_absolute_secret_file_is_kept_as_written(tmp_path):
    stack = stack_from(tmp_path, MINIMAL + REMOTE_WRITE.replace("secrets/mimir", "/run/s/mimir"))
    assert stack.prometheus.remote_write[0].basic_auth_password_file == "/run/s/mimir"


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("/stackgen/alertmanager/slack", "/stackgen, where compose mounts the rendered configs"),
        ("/prometheus/token", "/prometheus, where Prometheus keeps its data"),
        ("/alertmanager", "/alertmanager, where Alertmanager keeps its data"),
    ],
)
def test_a_secret_file_is_not_in_a_folder_the_servers_keep_their_own_files_in(
    tmp_path, path, folder
):
    text = MINIMAL.replace("    url: http://hooks.internal/alerts\n", f"    url_file: '{path}'\n")
    (error,) = errors_of(tmp_path, text + 'alertmanager: {version: "0.26"}\n')
    name = path.rsplit("/", 1)[1]
    assert error == (
        f"12:15: channels[ops].url_file: {path!r} is in {folder}: keep the secret elsewhere, "
        f"such as `/run/secrets/{name}`"
    )
