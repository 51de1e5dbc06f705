"""The real Prometheus and Alertmanager as child processes: started on free loopback ports,
waited on until ready, and always stopped (terminate, then kill), their logs kept in files."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0


def free_port() -> int:
    """A port free on the loopback interface right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def http_json(url: str, body: Any = None, timeout: float = 5.0) -> Any:
    """GET `url` (POST `body` as JSON when given) and parse the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read().decode()
    return json.loads(text) if text.strip() else None


class Process:
    """A running server with its output in `log`."""

    def __init__(self, name: str, command: list[str], log: Path, base_url: str) -> None:
        self.name, self.command, self.log, self.base_url = name, command, log, base_url
        self._log_file = log.open("wb")
        self._popen = subprocess.Popen(
            command, stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

    @property
    def pid(self) -> int:
        return self._popen.pid

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Until GET /-/ready answers 200; AssertionError (with the log) if it exits or never
        gets there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self._popen.returncode}:\n{self.tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise AssertionError(f"{self.name} not ready after {timeout:g}s:\n{self.tail()}")

    def stop(self) -> None:
        """Terminate; kill if it has not exited after STOP_TIMEOUT seconds."""
        try:
            if self._popen.poll() is None:
                self._popen.terminate()
                try:
                    self._popen.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self._popen.kill()
                    self._popen.wait(timeout=STOP_TIMEOUT)
        finally:
            self._log_file.close()


@contextmanager
def running(name: str, command: list[str], log: Path, base_url: str) -> Iterator[Process]:
    """`command` running until the block ends, however it ends; ready when the block starts."""
    process = Process(name, command, log, base_url)
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def prometheus(
    binary: str, config: Path, address: str, workdir: Path
) -> AbstractContextManager[Process]:
    """Prometheus on `address` (prometheus.address of the spec, as prometheus.yml asks)."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address={address}",
        "--log.level=info",
    ]
    return running("prometheus", command, workdir / "prometheus.log", f"http://{address}")


def alertmanager(
    binary: str, config: Path, address: str, workdir: Path
) -> AbstractContextManager[Process]:
    """Alertmanager on `address`, alone: an empty cluster address turns off gossip."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.path={workdir / 'data'}",
        f"--web.listen-address={address}",
        "--cluster.listen-address=",
        "--log.level=debug",
    ]
    return running("alertmanager", command, workdir / "alertmanager.log", f"http://{address}")
