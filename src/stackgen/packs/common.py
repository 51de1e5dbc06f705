"""Alerts every service gets, whatever its kind."""

from __future__ import annotations

from stackgen.packs.base import AlertDef

# Metric roles every kind has.
COMMON_METRICS = {"up": "up"}

COMMON_ALERTS: tuple[AlertDef, ...] = (
    AlertDef(
        name="ServiceDown",
        severity="critical",
        for_="2m",
        # Whole service unreachable: every target down, or no target discovered at all.
        expr=lambda c, _: f"max by (job) ({c.m('up')}) == 0 or absent({c.m('up')})",
        summary="{{ $labels.job }} is down",
        description="No target of {{ $labels.job }} has answered a scrape for ${for}, "
        "or none is discovered.",
        diagnosis=(
            "Check the service's Prometheus targets page for the scrape error.",
            "Check that the process or pods are running and that the metrics port answers.",
        ),
    ),
    AlertDef(
        name="InstanceDown",
        severity="warning",
        for_="5m",
        expr=lambda c, _: f"{c.m('up')} == 0",
        summary="{{ $labels.instance }} of {{ $labels.job }} is down",
        description="The target {{ $labels.instance }} of {{ $labels.job }} has failed "
        "its scrapes for ${for}.",
        diagnosis=("Check the instance's health, logs and recent deploys.",),
    ),
)
