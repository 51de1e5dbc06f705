"""Local stand-ins for everything around the stack: the services Prometheus scrapes (an exporter
with a controllable error rate) and the endpoints Alertmanager notifies (Slack, PagerDuty and
webhooks over HTTP, email over SMTP). Each listens on 127.0.0.1 on a port of its own choosing and
records what it receives, for a test to wait on."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar

from stackgen.packs.service import pack_spec, service_metric_roles
from stackgen.spec.custom import AlertPack
from stackgen.spec.model import ServiceBase

T = TypeVar("T")
LOOPBACK = "127.0.0.1"
POLL = 0.05  # how often a server checks it is being shut down; stopping one takes this long


class Recorder(Generic[T]):
    """What the fakes received, in order; thread-safe, and a test can wait on it."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._times: list[float] = []  # time.monotonic() of each item's arrival
        self._changed = threading.Condition()

    def add(self, item: T) -> None:
        with self._changed:
            self._items.append(item)
            self._times.append(time.monotonic())
            self._changed.notify_all()

    @property
    def items(self) -> list[T]:
        with self._changed:
            return list(self._items)

    def arrivals(self) -> list[float]:
        """When each item arrived (time.monotonic()), in the order of `items`."""
        with self._changed:
            return list(self._times)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()
            self._times.clear()

    def wait_for(
        self, predicate: Callable[[list[T]], bool], timeout: float, what: str = "a condition"
    ) -> list[T]:
        """The items once `predicate(items)` holds; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(list(self._items)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    received = "\n".join(f"  {item!r}" for item in self._items) or "  nothing"
                    raise AssertionError(
                        f"timed out after {timeout:g}s waiting for {what}; received:\n{received}"
                    )
                self._changed.wait(remaining)
            return list(self._items)


class _QuietOnDisconnect(socketserver.BaseServer):
    """A client that hangs up mid-request (Prometheus stopping during a scrape, a scrape
    timing out) is no error of the fake's; anything else is still printed."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# --- the notification endpoints -------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """One HTTP POST to the receiver fake (a Slack, PagerDuty or webhook notification)."""

    path: str
    headers: Mapping[str, str]
    body: Any  # the parsed JSON, or the text when it is not JSON
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Mail:
    """One message the SMTP fake accepted."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage
    at: float = field(default_factory=time.monotonic)


Received = Post | Mail


class _RecordingHTTPServer(_QuietOnDisconnect, ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, recorder: Recorder[Received]) -> None:
        super().__init__((LOOPBACK, 0), _PostHandler)
        self.recorder = recorder


class _PostHandler(BaseHTTPRequestHandler):
    server: _RecordingHTTPServer

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        text = raw.decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(text)
        except json.JSONDecodeError:
            body = text
        self.server.recorder.add(Post(self.path, dict(self.headers.items()), body))
        reply = b'{"status": "success"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the recorder is the log
        pass


class HttpReceiver:
    """Answers every POST with 200 and records it: one server stands in for Slack, PagerDuty
    and webhooks, each receiver being told its own path (see profile.receiver_path)."""

    def __init__(self, recorder: Recorder[Received]) -> None:
        self._server = _RecordingHTTPServer(recorder)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL,), daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _RecordingSMTPServer(_QuietOnDisconnect, socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, recorder: Recorder[Received]) -> None:
        super().__init__((LOOPBACK, 0), _SmtpHandler)
        self.recorder = recorder


class _SmtpHandler(socketserver.StreamRequestHandler):
    """The least of RFC 5321 a client needs to hand over a message. EHLO advertises no
    extension: neither STARTTLS (the stack's email channels are told `require_tls: false`)
    nor AUTH (Alertmanager then sends without authenticating)."""

    server: _RecordingSMTPServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost live-test SMTP ready")
        sender, recipients = "", []
        while raw := self.rfile.readline():
            verb, _, argument = raw.decode("utf-8", errors="replace").rstrip("\r\n").partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = _address(argument), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(_address(argument))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end data with <CR><LF>.<CR><LF>")
                message = email.message_from_bytes(self._data(), policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                self.server.recorder.add(Mail(sender, tuple(recipients), message))
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
        return b"".join(lines)


def _address(argument: str) -> str:
    """`FROM:<a@b> BODY=8BITMIME` -> `a@b`."""
    _, _, rest = argument.partition(":")
    return rest.strip().split(" ")[0].strip("<>")


class SmtpServer:
    """A minimal SMTP server (no TLS, no AUTH) that accepts and records every message."""

    def __init__(self, recorder: Recorder[Received]) -> None:
        self._server = _RecordingSMTPServer(recorder)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL,), daemon=True
        )
        self._thread.start()

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# --- the scraped services --------------------------------------------------------------------


class Traffic:
    """The requests an HTTP service answers: a rate and the share that fail with a 5xx, read as
    two counters that grow with time (changing the rate changes only how they grow from now)."""

    def __init__(self, per_second: float, error_ratio: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._per_second, self._error_ratio = per_second, error_ratio
        self._ok = self._failed = 0.0
        self._since = time.monotonic()

    def _advance(self) -> None:
        now = time.monotonic()
        requests = self._per_second * (now - self._since)
        self._ok += requests * (1 - self._error_ratio)
        self._failed += requests * self._error_ratio
        self._since = now

    def set(self, *, per_second: float | None = None, error_ratio: float | None = None) -> None:
        with self._lock:
            self._advance()
            if per_second is not None:
                self._per_second = per_second
            if error_ratio is not None:
                self._error_ratio = error_ratio

    def counts(self) -> tuple[float, float]:
        """(answered well, failed with 5xx) since the start."""
        with self._lock:
            self._advance()
            return self._ok, self._failed


def _line(name: str, value: float, **labels: str) -> str:
    pairs = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{pairs}}} {value:.6f}" if pairs else f"{name} {value:.6f}"


def _histogram(name: str, count: float, buckets: Iterable[str], **labels: str) -> list[str]:
    """Every observation in the lowest bucket: fast, well under any latency threshold."""
    lines = [f"# TYPE {name} histogram"]
    lines += [_line(f"{name}_bucket", count, **labels, le=le) for le in (*buckets, "+Inf")]
    lines += [_line(f"{name}_sum", count * 0.01, **labels), _line(f"{name}_count", count, **labels)]
    return lines


def _http(m: Mapping[str, str], traffic: Traffic, elapsed: float) -> list[str]:
    ok, failed = traffic.counts()
    status = m["status_label"]
    return [
        f"# TYPE {m['requests_total']} counter",
        _line(m["requests_total"], ok, **{status: "200"}),
        _line(m["requests_total"], failed, **{status: "500"}),
        *_histogram(m["request_duration"], ok + failed, ("0.05", "0.1", "0.25", "0.5", "1")),
    ]


def _ai_inference(m: Mapping[str, str], traffic: Traffic, elapsed: float) -> list[str]:
    requests = 5 * elapsed
    return [
        f"# TYPE {m['requests_total']} counter",
        _line(m["requests_total"], requests),
        f"# TYPE {m['errors_total']} counter",
        _line(m["errors_total"], 0),
        *_histogram(m["duration"], requests, ("0.25", "0.5", "1", "2", "5"), model="default"),
        f"# TYPE {m['active_sessions']} gauge",
        _line(m["active_sessions"], 3),
    ]


def _database(m: Mapping[str, str], traffic: Traffic, elapsed: float) -> list[str]:
    return [
        f"# TYPE {m['connections']} gauge",
        _line(m["connections"], 5, datname="aion", state="active"),
        f"# TYPE {m['max_connections']} gauge",
        _line(m["max_connections"], 100),
        f"# TYPE {m['xact_commit']} counter",
        _line(m["xact_commit"], 50 * elapsed, datname="aion"),
        f"# TYPE {m['xact_rollback']} counter",
        _line(m["xact_rollback"], 0, datname="aion"),
        f"# TYPE {m['max_tx_duration']} gauge",
        _line(m["max_tx_duration"], 0.2, datname="aion"),
    ]


def _node(m: Mapping[str, str], traffic: Traffic, elapsed: float) -> list[str]:
    disk = {"device": "/dev/sda1", "fstype": "ext4", "mountpoint": "/"}
    return [
        f"# TYPE {m['cpu_seconds']} counter",
        _line(m["cpu_seconds"], 0.9 * elapsed, cpu="0", mode="idle"),  # 10% busy
        _line(m["cpu_seconds"], 0.1 * elapsed, cpu="0", mode="user"),
        f"# TYPE {m['memory_available']} gauge",
        _line(m["memory_available"], 6e9),
        f"# TYPE {m['memory_total']} gauge",
        _line(m["memory_total"], 8e9),
        f"# TYPE {m['fs_avail']} gauge",
        _line(m["fs_avail"], 60e9, **disk),
        f"# TYPE {m['fs_size']} gauge",
        _line(m["fs_size"], 100e9, **disk),
    ]


def _custom(m: Mapping[str, str], traffic: Traffic, elapsed: float) -> list[str]:
    # A custom service's metrics are its custom_alerts' business; it only needs to answer.
    return ["# TYPE live_test_target_info gauge", _line("live_test_target_info", 1)]


def _summary(name: str, count: float, seconds: float, **labels: str) -> list[str]:
    """A summary as the app's exporter writes it: quantiles, `_sum`, `_count`, no buckets."""
    lines = [f"# TYPE {name} summary"]
    lines += [_line(name, seconds, **labels, quantile=q) for q in ("0.5", "0.95", "0.99")]
    lines += [
        _line(f"{name}_sum", count * seconds, **labels),
        _line(f"{name}_count", count, **labels),
    ]
    return lines


def _aion_app(m: Mapping[str, str], traffic: Traffic, elapsed: float) -> list[str]:
    """The example's web API process (the `aion-app` pack): every application metric on one
    target, labelled as the app labels them, healthy and fast."""
    ok, failed = traffic.counts()
    status = m["status_label"]
    route = {"method": "POST", "path": "/api/v1/chat"}
    queries, inferences = 10 * elapsed, 2 * elapsed
    model = {"model": "gpt-4"}
    return [
        f"# TYPE {m['requests_total']} counter",
        _line(m["requests_total"], ok, **route, **{status: "200"}),
        _line(m["requests_total"], failed, **route, **{status: "500"}),
        *_summary(m["request_duration"], ok + failed, 0.05, **route),
        *_summary(m["db_query_duration"], queries, 0.01, query_type="select"),
        f"# TYPE {m['db_query_errors_total']} counter",
        _line(m["db_query_errors_total"], 0),
        f"# TYPE {m['db_connections_active']} gauge",
        _line(m["db_connections_active"], 5),
        f"# TYPE {m['db_connections_idle']} gauge",
        _line(m["db_connections_idle"], 5),
        f"# TYPE {m['ai_requests_total']} counter",
        _line(m["ai_requests_total"], inferences, **model, success="true"),
        f"# TYPE {m['ai_errors_total']} counter",
        _line(m["ai_errors_total"], 0, **model),
        *_summary(m["ai_duration"], inferences, 1.5, **model),
        f"# TYPE {m['ai_sessions']} gauge",
        _line(m["ai_sessions"], 3),
        f"# TYPE {m['memory']} gauge",
        _line(m["memory"], 512e6),
        f"# TYPE {m['cpu']} gauge",
        _line(m["cpu"], 10),
    ]


# Healthy metrics of each kind, by metric role (the names come from the service's spec).
KINDS: dict[str, Callable[[Mapping[str, str], Traffic, float], list[str]]] = {
    "http": _http,
    "ai-inference": _ai_inference,
    "database": _database,
    "node": _node,
    "custom": _custom,
}
# ... and of the spec's own packs a `custom` service names, by pack.
PACKS: dict[str, Callable[[Mapping[str, str], Traffic, float], list[str]]] = {
    "aion-app": _aion_app,
}


class _MetricsHandler(BaseHTTPRequestHandler):
    server: _MetricsHTTPServer

    def do_GET(self) -> None:
        if self.path.split("?")[0] != self.server.metrics_path:
            self.send_error(404)
            return
        body = self.server.exposition().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _MetricsHTTPServer(_QuietOnDisconnect, ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, metrics_path: str, exposition: Callable[[], str]) -> None:
        super().__init__((LOOPBACK, port), _MetricsHandler)
        self.metrics_path = metrics_path
        self.exposition = exposition


class Target:
    """One scrape target: an HTTP server answering the metrics path, that can be stopped (the
    port then refuses connections, as a crashed process's would) and started again."""

    def __init__(self, metrics_path: str, exposition: Callable[[], str]) -> None:
        self._metrics_path, self._exposition = metrics_path, exposition
        self._server: _MetricsHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.start()

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = _MetricsHTTPServer(self.port, self._metrics_path, self._exposition)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL,), daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None


class Exporter:
    """Every static scrape target of the services, each on a port of its own, serving healthy
    metrics of the service's kind under the names the service's spec gives them. An HTTP
    service's traffic (rate and 5xx ratio) is the test's to set."""

    REQUESTS_PER_SECOND = 20.0

    def __init__(self, services: Iterable[ServiceBase], packs: Sequence[AlertPack] = ()) -> None:
        self.targets: dict[str, list[Target]] = {}
        self.traffic: dict[str, Traffic] = {}
        for service in services:
            if service.targets.static is None:
                raise ValueError(f"{service.name}: the live test serves static targets only")
            metrics = {**service_metric_roles(packs, service), **service.metric_overrides}
            spec_pack = pack_spec(packs, service)
            lines = PACKS[spec_pack.name] if spec_pack is not None else KINDS[service.kind]
            traffic = self.traffic[service.name] = Traffic(self.REQUESTS_PER_SECOND)
            self.targets[service.name] = [
                Target(service.metrics_path, self._exposition(lines, metrics, traffic))
                for _ in service.targets.static
            ]

    @staticmethod
    def _exposition(
        lines: Callable[[Mapping[str, str], Traffic, float], list[str]],
        metrics: Mapping[str, str],
        traffic: Traffic,
    ) -> Callable[[], str]:
        started = time.monotonic()

        def exposition() -> str:
            return "\n".join(lines(metrics, traffic, time.monotonic() - started)) + "\n"

        return exposition

    def addresses(self) -> dict[str, list[str]]:
        return {name: [t.address for t in targets] for name, targets in self.targets.items()}

    def stop(self, service: str) -> None:
        for target in self.targets[service]:
            target.stop()

    def start(self, service: str) -> None:
        for target in self.targets[service]:
            target.start()

    def close(self) -> None:
        for targets in self.targets.values():
            for target in targets:
                target.stop()
