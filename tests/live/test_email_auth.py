"""Email over STARTTLS with AUTH, in the real Alertmanager the spec targets (0.25), with the
SMTP password in a file (issue 18, item 8d).

A local mail server offers STARTTLS (a certificate made for the test, trusted through
SSL_CERT_FILE) and AUTH PLAIN/LOGIN after it, and records every password it is given.
Alertmanager 0.25 sends the file's bytes as they are (alertmanager#3549, fixed in 0.27): a
file ending in a newline (`echo secret > file`) fails to authenticate, which Alertmanager
counts in alertmanager_notification_requests_failed_total{integration="email"} (and, once
it gives up, in alertmanager_notifications_failed_total, which the meta-monitoring alert
AlertmanagerFailedToSendAlerts reads) and `stackgen lint` warns of at
render (receiver/password-newline). The same file written without it (`printf '%s'`, as the
README and the Secret template say) delivers.
"""

from __future__ import annotations

import base64
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackgen.lint import lint
from tests.helpers import MINIMAL, render_into, require_tool, write
from tests.live import processes
from tests.live.harness import poll
from tests.live.processes import free_port, http_json

pytestmark = [pytest.mark.slow, pytest.mark.tools]

PASSWORD = "s3cret"
USER = "alertmanager@example.com"


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.passwords: list[str] = []  # every password a client gave, as given
        self.messages: list[bytes] = []  # every message accepted after a good AUTH


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def line(self) -> str:
        return self.rfile.readline().decode().rstrip("\r\n")

    def check(self, password: str) -> None:
        self.server.passwords.append(password)
        self.authed = password == PASSWORD
        self.reply("235 authenticated" if self.authed else "535 authentication failed")

    def handle(self) -> None:
        self.authed, tls = False, False
        self.reply("220 localhost STARTTLS and AUTH")
        while raw := self.line():
            verb, _, argument = raw.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                extension = "AUTH PLAIN LOGIN" if tls else "STARTTLS"
                self.reply(f"250-localhost\r\n250 {extension}")
            elif verb == "STARTTLS" and not tls:
                self.reply("220 go ahead")
                self.connection = self.server.context.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                tls = True
            elif verb == "AUTH" and tls:
                mechanism, _, initial = argument.partition(" ")
                if mechanism.upper() == "PLAIN":
                    if not initial:
                        self.reply("334 ")
                        initial = self.line()
                    self.check(base64.b64decode(initial).split(b"\0")[2].decode())
                else:  # LOGIN
                    self.reply("334 VXNlcm5hbWU6")
                    self.line()
                    self.reply("334 UGFzc3dvcmQ6")
                    self.check(base64.b64decode(self.line()).decode())
            elif verb in ("MAIL", "RCPT") and self.authed:
                self.reply("250 OK")
            elif verb == "DATA" and self.authed:
                self.reply("354 go ahead")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.messages.append(b"".join(lines))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("530 authenticate first" if not self.authed else "502 no")


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[_Server]:
    require_tool("openssl")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = _Server(context)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    server.cert = cert  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


def _email_spec(tmp_path: Path, smarthost: str, password_file: Path) -> Path:
    channel = (
        "  - name: mail\n    type: email\n    to: [oncall@example.com]\n"
        f"    from: {USER}\n    smarthost: {smarthost}\n    auth_username: {USER}\n"
        f"    auth_password_file: {password_file}\n"
    )
    text = MINIMAL.replace("channels:\n", "channels:\n" + channel).replace(
        "default_channel: ops", "default_channel: mail"
    )
    return write(tmp_path, "spec.yml", text + '  group_wait: 0s\nalertmanager: {version: "0.25"}\n')


def test_email_over_starttls_with_auth_on_alertmanager_0_25(tmp_path, mail_server, monkeypatch):
    binary = require_tool("prometheus-alertmanager")
    password_file = tmp_path / "smtp-password"
    password_file.write_text(PASSWORD + "\n")  # as `echo s3cret > smtp-password` writes it
    host, port = mail_server.server_address
    out = render_into(_email_spec(tmp_path, f"{host}:{port}", password_file), tmp_path / "out")
    found = lint([out], alertmanager_version="0.25")
    (warning,) = [f for f in found if f.check == "receiver/password-newline"]
    assert str(password_file) in warning.message

    monkeypatch.setenv("SSL_CERT_FILE", str(mail_server.cert))  # Alertmanager trusts the server
    address = f"127.0.0.1:{free_port()}"
    config = out / "alertmanager" / "alertmanager.yml"
    with processes.alertmanager(binary, config, address, tmp_path / "am") as alertmanager:

        def post(name: str) -> None:
            alert = {"labels": {"alertname": name, "severity": "critical", "service": "api"},
                     "annotations": {"summary": f"{name} over STARTTLS"}}  # fmt: skip
            http_json(f"http://{address}/api/v2/alerts", body=[alert])

        def failed() -> float:
            # each refused attempt; Alertmanager retries until the notification times out
            metrics = http_json_text(f"http://{address}/metrics")
            return sum(
                float(line.rsplit(" ", 1)[1])
                for line in metrics.splitlines()
                if line.startswith("alertmanager_notification_requests_failed_total{")
                and 'integration="email"' in line
            )

        post("WithNewline")
        poll(lambda: failed() >= 1, 60, "the email to fail", every=0.5)
        assert mail_server.passwords and mail_server.passwords[0] == PASSWORD + "\n"
        assert mail_server.messages == [], alertmanager.tail()
        assert "535 authentication failed" in alertmanager.tail()

        password_file.write_text(PASSWORD)  # printf '%s' s3cret > smtp-password
        post("WithoutNewline")
        poll(lambda: mail_server.messages, 60, "the email to be delivered", every=0.5)
    assert PASSWORD in mail_server.passwords
    assert b"WithoutNewline over STARTTLS" in b"".join(mail_server.messages)


def http_json_text(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())
