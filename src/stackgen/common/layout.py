"""Where each output lives in OUT: the one place the rendered tree's paths are spelled."""

# What stackgen wrote in OUT, by path and digest (stackgen.write).
MANIFEST = ".stackgen-manifest.json"

PROMETHEUS_DIR = "prometheus"
PROMETHEUS_CONFIG = "prometheus/prometheus.yml"
SHARD_CONFIG = "prometheus/shards/shard-{shard}.yml"
SHARD_CONFIGS = "prometheus/shards/*.yml"
RULES_DIR = "prometheus/rules"
TESTS_DIR = "prometheus/tests"

ALERTMANAGER_DIR = "alertmanager"
ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yml"
NOTIFICATION_TEMPLATES_DIR = "alertmanager/templates"
NOTIFICATION_TEMPLATE = "alertmanager/templates/stackgen.tmpl"
ROUTING_MATRIX = "alertmanager/tests/routing.yml"

GRAFANA_DIR = "grafana"
DASHBOARDS_DIR = "grafana/dashboards"
DATASOURCES_PROVISIONING = "grafana/provisioning/datasources/datasources.yml"
DASHBOARDS_PROVISIONING = "grafana/provisioning/dashboards/dashboards.yml"

RUNBOOKS_DIR = "runbooks"
KUBERNETES_DIR = "kubernetes"
MIMIR_DIR = "mimir"


def under_prometheus(path: str) -> str:
    """A path as Prometheus's own folder sees it (`prometheus/rules/x.yml` -> `rules/x.yml`)."""
    return path.removeprefix(f"{PROMETHEUS_DIR}/")


def under_alertmanager(path: str) -> str:
    return path.removeprefix(f"{ALERTMANAGER_DIR}/")
