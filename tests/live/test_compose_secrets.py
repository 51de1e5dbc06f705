"""Compose's secret files reach the real servers: a container of docker-compose.yml (a
Prometheus shard, Alertmanager) run with exactly its mounts, and the credentials it sends are
the ones written to the host's secrets folder, each under the path the config names.

No Docker daemon runs here, so the container is laid out as Docker would lay it out: a private
mount namespace (`unshare`) and a root in tmp_path holding only /usr and the service's own
volumes, each bind at its target (read-only where the file says so), the named volumes as empty
folders; the real binary then runs chrooted there with the service's command. A file the
service does not mount does not exist for it."""

from __future__ import annotations

import base64
import shlex
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from stackgen.cli import app
from tests.helpers import MINIMAL, require_tool, write
from tests.live.processes import LOOPBACK, free_port, http_json, running

pytestmark = [pytest.mark.slow, pytest.mark.tools]

HOST_SECRETS = "${STACKGEN_SECRETS:-../secrets}"  # the default: secrets/ beside OUT
PASSWORD, TOKEN, HOOK_TOKEN = "s3cret-pw", "t0ken", "h00k-token"
WAIT = 60.0  # seconds until the first sends arrive, however loaded the machine


class Received:
    """What a local HTTP receiver got: (path, Authorization header) per POST."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def wait_for(self, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
        with self.changed:
            self.changed.wait_for(lambda: wanted <= set(self.requests), timeout=WAIT)
            return set(self.requests)


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with received.changed:
                received.requests.append((self.path, self.headers.get("Authorization", "")))
                received.changed.notify_all()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    yield f"http://{LOOPBACK}:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def _render(tmp_path: Path, text: str) -> Path:
    out = tmp_path / "out"
    spec = write(tmp_path, "spec.yml", text + "output: {targets: [prometheus, compose]}\n")
    result = CliRunner().invoke(app, ["render", str(spec), "-o", str(out), "--no-tools"])
    assert result.exit_code == 0, result.output
    return out


def _host_path(source: str, out: Path) -> Path:
    """A bind's source as Compose reads it: relative to the compose file's folder, the
    secrets folder's variable unset (its default)."""
    return (out / source.replace(HOST_SECRETS, "../secrets")).resolve()


def container(out: Path, service: str, root: Path, address: str) -> list[str]:
    """The command that runs `service` of OUT's docker-compose.yml with its mounts alone,
    listening on `address` (the file's port may be taken by another test)."""
    spec = yaml.safe_load((out / "docker-compose.yml").read_text())["services"][service]
    binary = {"prometheus": "prometheus", "alertmanager": "prometheus-alertmanager"}
    name = next(b for b in binary if spec["image"].startswith(f"prom/{b}:"))
    tool = require_tool(binary[name])
    steps = [
        f"mkdir -p {root}/usr {root}/tmp",
        f"mount --rbind {shlex.quote('/usr')} {root}/usr",
        f"mount -o remount,bind,ro {root}/usr",
        *(f"ln -s usr/{d} {root}/{d}" for d in ("bin", "lib", "lib64", "sbin")),
    ]
    for index, volume in enumerate(spec["volumes"]):
        target = f"{root}{volume['target']}"
        if volume["type"] == "volume":  # a named volume: empty at first, writable
            source = root.parent / f"volume-{index}"
            source.mkdir(parents=True)
        else:
            source = _host_path(volume["source"], out)
        make = (
            f"mkdir -p {shlex.quote(target)}"
            if source.is_dir()
            else (
                f"mkdir -p {shlex.quote(str(Path(target).parent))} && touch {shlex.quote(target)}"
            )
        )
        steps += [make, f"mount --bind {shlex.quote(str(source))} {shlex.quote(target)}"]
        if volume.get("read_only"):
            steps.append(f"mount -o remount,bind,ro {shlex.quote(target)}")
    command = [
        f"--web.listen-address={address}" if arg.startswith("--web.listen-address=") else arg
        for arg in spec["command"]
    ]
    if name == "alertmanager":
        command.append("--cluster.listen-address=")  # alone: no gossip port to share
    steps.append(f"exec chroot {root} {shlex.quote(tool)} {shlex.join(command)}")
    return ["unshare", "--mount", "--map-root-user", "sh", "-ec", " && ".join(steps)]


def _trouble(got: set[tuple[str, str]], log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return f"received {sorted(got)}; the server logged:\n" + "\n".join(
        line for line in lines if "level=error" in line or "level=warn" in line
    )


def _secret(tmp_path: Path, path: str, value: str) -> None:
    host = tmp_path / "secrets" / path.lstrip("/")
    host.parent.mkdir(parents=True, exist_ok=True)
    host.write_text(value, encoding="utf-8")  # no trailing newline


def test_a_shard_sends_remote_write_with_the_credentials_compose_mounts(tmp_path, receiver):
    require_tool("unshare")
    url, received = receiver
    spec = MINIMAL + (
        "prometheus:\n"
        "  address: prom:9090\n  shards: 2\n  rule_evaluation: federation\n"
        "  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "  remote_write:\n"
        f"    - {{name: mimir, url: '{url}/mimir', basic_auth_username: writer,\n"
        "       basic_auth_password_file: /etc/prometheus/secrets/mimir-password,\n"
        "       queue: {batch_send_deadline: 1s}}\n"
        f"    - {{name: thanos, url: '{url}/thanos', store: thanos,\n"
        "       bearer_token_file: /run/secrets/remote-token, queue: {batch_send_deadline: 1s}}\n"
    )
    out = _render(tmp_path, spec)
    _secret(tmp_path, "/etc/prometheus/secrets/mimir-password", PASSWORD)
    _secret(tmp_path, "/run/secrets/remote-token", TOKEN)
    address = f"{LOOPBACK}:{free_port()}"
    command = container(out, "prometheus-shard-0", tmp_path / "shard" / "root", address)
    with running("prometheus-shard-0", command, tmp_path / "shard.log", f"http://{address}"):
        basic = "Basic " + base64.b64encode(f"writer:{PASSWORD}".encode()).decode()
        wanted = {("/mimir", basic), ("/thanos", f"Bearer {TOKEN}")}
        got = received.wait_for(wanted)
    assert got == wanted, _trouble(got, tmp_path / "shard.log")


def test_alertmanager_notifies_with_the_files_compose_mounts(tmp_path, receiver):
    """Alertmanager 0.25 reads a Slack api_url_file at each notification and a webhook's
    bearer_token_file through its http_config: both from the files compose mounts."""
    require_tool("unshare")
    url, received = receiver
    channels = (
        "channels:\n"
        "  - {name: slack, type: slack, channel: '#ops',\n"
        "     api_url_file: /etc/alertmanager/secrets/slack-url}\n"
        f"  - {{name: hook, type: webhook, url: '{url}/hook',\n"
        "     bearer_token_file: /run/secrets/hook-token}\n"
    )
    spec = (
        MINIMAL.replace("channels:\n", channels)
        .replace("  - name: ops\n    type: webhook\n    url: http://hooks.internal/alerts\n", "")
        .replace("default_channel: ops", "default_channel: slack")
    )
    spec += (
        "  group_wait: 0s\n  routes:\n"
        "    - {channel: hook, team: web, continue: true}\n    - {channel: slack, team: web}\n"
    )
    out = _render(tmp_path, spec)
    _secret(tmp_path, "/etc/alertmanager/secrets/slack-url", f"{url}/slack")
    _secret(tmp_path, "/run/secrets/hook-token", HOOK_TOKEN)
    address = f"{LOOPBACK}:{free_port()}"
    command = container(out, "alertmanager", tmp_path / "am" / "root", address)
    with running("alertmanager", command, tmp_path / "am.log", f"http://{address}"):
        alert = {"labels": {"alertname": "Down", "service": "api", "team": "web"}}
        http_json(f"http://{address}/api/v2/alerts", [alert])
        wanted = {("/slack", ""), ("/hook", f"Bearer {HOOK_TOKEN}")}
        got = received.wait_for(wanted)
    assert got == wanted, _trouble(got, tmp_path / "am.log")
