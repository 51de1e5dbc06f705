"""The fakes on their own, so that a live test's failure is never theirs."""

from __future__ import annotations

import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from stackgen.spec import load_stack
from tests.helpers import SPECS
from tests.live.fakes import Exporter, HttpReceiver, Mail, Post, Received, Recorder, SmtpServer
from tests.live.processes import http_json


@pytest.fixture
def recorder() -> Recorder[Received]:
    return Recorder()


@pytest.fixture
def exporter() -> Iterator[Exporter]:
    example = load_stack(SPECS)
    exporter = Exporter(example.services, example.packs)
    yield exporter
    exporter.close()


def scrape(address: str) -> dict[str, float]:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples = (line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    return {series: float(value) for series, value in samples}


def test_the_http_receiver_records_each_post(recorder: Recorder[Received]) -> None:
    receiver = HttpReceiver(recorder)
    try:
        assert http_json(f"{receiver.url}/slack/team", body={"text": "hi"}) == {"status": "success"}
        (post,) = recorder.wait_for(lambda items: len(items) == 1, timeout=5)
        assert isinstance(post, Post)
        assert (post.path, post.body) == ("/slack/team", {"text": "hi"})
    finally:
        receiver.close()


def test_the_smtp_server_accepts_mail_without_tls_or_auth(recorder: Recorder[Received]) -> None:
    server = SmtpServer(recorder)
    try:
        host, port = server.address.split(":")
        with smtplib.SMTP(host, int(port), timeout=5) as client:
            client.ehlo()
            assert not client.has_extn("starttls")
            assert not client.has_extn("auth")
            client.sendmail(
                "am@example.com",
                ["ops@example.com", "dev@example.com"],
                "Subject: [FIRING:1] Test\r\n\r\n.a line starting with a dot\r\nend\r\n",
            )
        (mail,) = recorder.wait_for(lambda items: len(items) == 1, timeout=5)
        assert isinstance(mail, Mail)
        assert (mail.sender, mail.recipients) == (
            "am@example.com",
            ("ops@example.com", "dev@example.com"),
        )
        assert mail.message["Subject"] == "[FIRING:1] Test"
        assert mail.message.get_content().splitlines() == [".a line starting with a dot", "end"]
    finally:
        server.close()


def test_the_recorder_times_out_naming_what_it_waited_for(recorder: Recorder[Received]) -> None:
    with pytest.raises(AssertionError, match="waiting for a page; received:\n  nothing"):
        recorder.wait_for(bool, timeout=0.1, what="a page")


def test_the_web_api_fails_the_share_of_requests_it_is_told(exporter: Exporter) -> None:
    (address,) = exporter.addresses()["aion-web-api"]
    traffic = exporter.traffic["aion-web-api"]
    traffic.set(error_ratio=0.5)
    before = scrape(address)
    time.sleep(0.2)
    after = scrape(address)
    # labelled as the app labels them: method, path and the status code
    route = 'http_requests_total{method="POST",path="/api/v1/chat",status='
    ok = after[route + '"200"}'] - before[route + '"200"}']
    failed = after[route + '"500"}'] - before[route + '"500"}']
    assert ok > 0
    assert failed == pytest.approx(ok, rel=0.01)


def test_every_target_answers_and_a_stopped_one_refuses(exporter: Exporter) -> None:
    addresses = exporter.addresses()
    spec = {s.name: len(s.targets.static or ()) for s in load_stack(SPECS).services}
    assert {name: len(targets) for name, targets in addresses.items()} == spec
    assert all(scrape(a) for targets in addresses.values() for a in targets)
    (web_api,) = addresses["aion-web-api"]
    exporter.stop("aion-web-api")
    with pytest.raises(urllib.error.URLError):
        scrape(web_api)
    exporter.start("aion-web-api")
    assert exporter.addresses()["aion-web-api"] == [web_api]  # the same port again
    assert scrape(web_api)
