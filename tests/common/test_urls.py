"""Credentials in addresses, found by structure, and addresses shown redacted."""

import pytest

from stackgen.common.urls import credential_problem, redact, redact_text

S = "s3cr3tV4lue"  # a credential: it must never be shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://am:s3cret@host/x", "https://am:***@host/x"),
        ("https://tok3n@host", "https://***@host"),
        ("user:pw@db:5432", "user:***@db:5432"),
        ("https://h/x?access_token=s3cret&ref=main", "https://h/x?access_token=***&ref=***"),
        ("https://hooks.slack.com/services/T0/B0/s3cret", "https://hooks.slack.com/***"),
        ("https://discord.com/api/webhooks/1/s3cret", "https://discord.com/api/webhooks/***"),
        ("https://h/x#sig=s3cret", "https://h/x#sig=***"),
        ("https://h/runbooks#step-2", "https://h/runbooks#step-2"),
    ],
)
def test_redact_hides_every_credential_and_keeps_the_rest(url, shown):
    assert redact(url) == shown


def test_redact_text_redacts_the_addresses_inside_a_message():
    text = "got 'https://a:b1@h/x' and http://h/y?token=zz, fine"
    assert redact_text(text) == "got 'https://a:***@h/x' and http://h/y?token=***, fine"


@pytest.mark.parametrize(
    "url",
    [
        f"https://h/hook?access_token={S}",
        f"https://h/hook?X-Auth-Token={S}",
        f"https://gitlab/api?private_token={S}",
        f"https://h/oauth?client_secret={S}",
        f"https://h/hook?%74oken={S}",  # `token`, percent-encoded
        f"https://h/hook?ref=main&sig={S}",
        f"https://h/hook#access_token={S}",
        f"https://u:{S}@h/hook",
        f"https://h/hook?{S}",  # a bare parameter: a token itself
        f"https://hooks.slack.com/services/T0/B0/{S}",
        f"https://acme.webhook.office.com/webhookb2/{S}",
        f"https://prod-1.westeurope.logic.azure.com:443/workflows/{S}/triggers",
        f"https://discordapp.com/api/webhooks/1/{S}",
        f"https://api.telegram.org/bot{S}/sendMessage",
        f"https://events.pagerduty.com/integration/{S}/enqueue",
    ],
)
def test_credential_forms_are_found_and_never_shown(url):
    problem = credential_problem(url, "use `url_file`")
    assert problem is not None and "would be written into out/" in problem
    assert S not in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://git.example.com/ops/runbooks/blob/main",
        "https://wiki/runbooks?ref=main&lang=en",
        "https://wiki/runbooks#on-call",
        "http://mimir:9009/api/v1/push",
        "https://events.pagerduty.com/v2/enqueue",
    ],
)
def test_addresses_without_credentials_pass(url):
    assert credential_problem(url, "") is None
