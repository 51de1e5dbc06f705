"""Grafana's dashboards and datasources as ConfigMaps labelled for the Grafana sidecar
(k8s-sidecar), which the workloads' own Grafana mounts too."""

from __future__ import annotations

import re
from collections.abc import Mapping

from stackgen.common.layout import DASHBOARDS_DIR, DASHBOARDS_PROVISIONING, DATASOURCES_PROVISIONING
from stackgen.spec.model import Stack
from stackgen.targets.k8s.objects import (
    Object,
    config_map,
    data_key,
    fitting,
    plain_text,
    plain_yaml,
    under,
)

DASHBOARD_LABEL = {"grafana_dashboard": "1"}
DATASOURCE_LABEL = {"grafana_datasource": "1"}
DATASOURCES_NAME = "grafana-datasources"
_NAME = re.compile(r"[^a-z0-9.-]+")


def dashboard_name(path: str) -> str:
    """grafana/dashboards/platform/api.slo.json -> grafana-dashboard-platform.api.slo"""
    rel = path.removeprefix(f"{DASHBOARDS_DIR}/").removesuffix(".json").replace("/", ".")
    return "grafana-dashboard-" + _NAME.sub("-", rel.lower()).strip(".-")


def folder_titles(plain: Mapping[str, bytes]) -> dict[str, str]:
    """Each dashboards folder's Grafana folder title, as the plain provisioning names it."""
    providers = (plain_yaml(plain, DASHBOARDS_PROVISIONING) or {}).get("providers") or []
    # Provisioning files expand $VAR, so the plain file writes a literal dollar as $$.
    return {
        p["options"]["path"].rstrip("/").rsplit("/", 1)[-1].replace("$$", "$"): p["folder"].replace(
            "$$", "$"
        )
        for p in providers
    }


def _sidecar_folder(title: str, directory: str) -> str:
    """The sidecar writes the files into a folder of this name, and Grafana (with
    foldersFromFilesStructure) shows it as the folder title: a title that is no plain
    folder name falls back to the directory stackgen chose."""
    return title if title.strip() and "/" not in title and title not in (".", "..") else directory


def dashboards(stack: Stack, plain: Mapping[str, bytes]) -> list[Object]:
    titles = folder_titles(plain)
    annotation = stack.output.kubernetes.dashboard_folder_annotation
    objects = []
    for path in under(plain, DASHBOARDS_DIR, ".json"):
        directory = path.removeprefix(f"{DASHBOARDS_DIR}/").rsplit("/", 1)[0]
        folder = _sidecar_folder(titles.get(directory, directory), directory)
        cm = config_map(
            stack,
            dashboard_name(path),
            {data_key(path): plain_text(plain, path)},
            own_labels=DASHBOARD_LABEL,
            annotations={annotation: folder},
        )
        objects.append(fitting(cm, stack))
    return objects


def datasources(stack: Stack, plain: Mapping[str, bytes]) -> list[Object]:
    data = {data_key(DATASOURCES_PROVISIONING): plain_text(plain, DATASOURCES_PROVISIONING)}
    cm = config_map(stack, DATASOURCES_NAME, data, own_labels=DATASOURCE_LABEL)
    return [fitting(cm, stack)]
