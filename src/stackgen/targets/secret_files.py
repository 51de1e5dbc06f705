"""The files a rendered Prometheus or Alertmanager config reads its secrets from: what every
deployment form (compose, Kubernetes workloads) must put in the server's container, each at
exactly the path the config names (an absolute one: spec/types.py refuses relative paths)."""

from __future__ import annotations

from typing import Any


def read_files(config: Any) -> list[str]:
    """Every file a parsed Prometheus or Alertmanager config reads a secret from: the value of
    each `*_file` field (password_file, credentials_file, ca_file, api_url_file, ...), at any
    depth. `rule_files` and file_sd's `files` are lists, not secrets, and are left out."""
    if isinstance(config, list):
        return sorted({path for item in config for path in read_files(item)})
    if not isinstance(config, dict):
        return []
    found = {
        value for name, value in config.items() if name.endswith("_file") and isinstance(value, str)
    }
    return sorted(found.union(*(read_files(value) for value in config.values())))
