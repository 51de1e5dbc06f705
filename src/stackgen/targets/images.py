"""The release each spec version runs as, one table for every target, so that compose and
Kubernetes run the same Grafana, Prometheus and Alertmanager: tags that exist on Docker Hub and
quay.io (Grafana: a patch release of the minor; Prometheus and Alertmanager: the minor's first
release, as Debian 12 packages them)."""

from __future__ import annotations

PROMETHEUS_RELEASES = {"2.42": "2.42.0"}
ALERTMANAGER_RELEASES = {"0.25": "0.25.0", "0.26": "0.26.0", "0.27": "0.27.0", "0.28": "0.28.0"}
GRAFANA_RELEASES = {"10.4": "10.4.16", "11.6": "11.6.8", "12": "12.2.2"}
