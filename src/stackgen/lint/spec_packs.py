"""The spec's own packs and panels, linted for load_stack (a check of the stage above the
spec): a pack's PromQL templates expand and parse, its rules pass the lint checks as the
built-in ones do (linted in memory, as the render writes them), each alert is drawn on a panel;
a service's alerts, roles and panels fit its pack; panels pass the lint checks every dashboard
passes (units Grafana knows, rate() over $__rate_interval, recording rules that exist)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path as FsPath
from string import Template
from typing import Any

from stackgen.common.values import clean_number, parse_duration
from stackgen.lint import lint_documents
from stackgen.lint.facts import dashboard_facts_as_written
from stackgen.lint.rules import dashboard_known_unit, dashboard_rate_interval, record_undefined
from stackgen.packs.base import ServiceContext
from stackgen.packs.catalog import COMMON_ALERTS
from stackgen.packs.compile import PANEL_RANGE, UnknownPlaceholder, expand, record_names
from stackgen.packs.service import (
    pack_spec,
    service_alert_defs,
    service_metric_roles,
    service_pack,
)
from stackgen.prometheus.promql import parse
from stackgen.render.filters import to_yaml_block
from stackgen.spec.checks import Finding, Parts
from stackgen.spec.custom import AlertPack, Panel
from stackgen.spec.errors import Path
from stackgen.spec.model import LintConfig

# Grafana's variables a service dashboard has (besides the global `__` ones).
DASHBOARD_VARIABLES = ("datasource", "job", "instance")
EXAMPLE_JOB = "service"
_LEFT = re.compile(r"\$\{(\w+)(?::\w+)?\}")  # what expansion left to Grafana
# (path, message, on_key): spec.checks turns them into located errors.
Problem = tuple[Path, str, bool]
# Where the in-memory rule files are said to be (nothing is written there).
_NOWHERE = FsPath("pack")


def spec_pack_findings(parts: Parts) -> Iterator[Finding]:
    """The spec's own packs and panels (a check for load_stack)."""
    scrape = parse_duration(parts.prometheus.scrape_interval)
    for path, message in pack_findings(parts.packs, scrape):
        yield Finding(path, message)
    for path, message, on_key in service_findings(parts.packs, parts.services, scrape):
        yield Finding(path, message, on_key=on_key)


def rate_seconds(scrape: float) -> float:
    return max(300.0, 4 * scrape)  # as plan.alerts.service_context


def pack_findings(packs: Sequence[AlertPack], scrape: float) -> Iterator[tuple[Path, str]]:
    """(path, message) for every problem of the spec's packs, checked for an example service."""
    for k, pack in enumerate(packs):
        here: Path = ("packs", k)
        records = record_names(pack)
        roles = {"up": "up", **pack.metrics, **pack.labels}
        ctx = ServiceContext(EXAMPLE_JOB, roles, rate_seconds(scrape), frozenset(pack.labels))
        yield from _names(pack, here)
        rules: list[tuple[Path, dict[str, Any]]] = []
        for j, record in enumerate(pack.records):
            where = (*here, "records", j)
            try:
                name = expand(record.record, ctx, {}, range_=ctx.rate_range)
                expr = _promql(record.expr, ctx, records, None)
            except ValueError as exc:
                yield (where, str(exc))
                continue
            rules.append((where, {"record": name, "expr": expr}))
        for j, alert in enumerate(pack.alerts):
            where = (*here, "alerts", j)
            uses = "${threshold}" in alert.expr
            if uses != (alert.threshold is not None):
                yield (
                    (*where, "expr"),
                    "compare with `${threshold}` and give `threshold`, or neither",
                )
                continue
            threshold = clean_number(alert.threshold) if alert.threshold is not None else ""
            try:
                expr = _promql(alert.expr, ctx, records, threshold)
            except ValueError as exc:
                yield ((*where, "expr"), str(exc))
                continue
            params = {"threshold": threshold, "range": ctx.rate_range, "for": alert.for_}
            rules.append((where, _alert_rule(alert.name, expr, alert, params)))
        yield from _linted(rules, scrape)
        drawn = {p.alert for p in pack.panels}
        for j, alert in enumerate(pack.alerts):
            if alert.name not in drawn:
                yield (
                    (*here, "alerts", j, "name"),
                    f"no panel of the pack draws `{alert.name}`: add one with "
                    f"`alert: {alert.name}`, so that its dashboard_url opens it",
                )
        alerts = [a.name for a in pack.alerts]
        defined = {ctx.rec_name(name) for name in records.values()}
        for j, panel in enumerate(pack.panels):
            yield from _panel(panel, (*here, "panels", j), ctx, records, alerts, defined)


def _names(pack: AlertPack, here: Path) -> Iterator[tuple[Path, str]]:
    seen: dict[str, str] = {"up": "metric role"}
    for role in pack.metrics:
        if role in seen:
            yield ((*here, "metrics", role), f"`{role}` is a role every service has")
        seen[role] = "metric role"
    for j, record in enumerate(pack.records):
        if record.name in seen:
            yield ((*here, "records", j, "name"), f"`{record.name}` names a {seen[record.name]}")
        seen[record.name] = "record"
    names = [a.name for a in COMMON_ALERTS]
    for j, alert in enumerate(pack.alerts):
        if alert.name in names:
            yield ((*here, "alerts", j, "name"), f"`{alert.name}` is an alert already")
        names.append(alert.name)
    titles: list[str] = ["Targets up"]
    for j, panel in enumerate(pack.panels):
        if panel.title in titles:
            yield ((*here, "panels", j, "title"), f"a panel `{panel.title}` is on the dashboard")
        titles.append(panel.title)


def _promql(template: str, ctx: ServiceContext, records: dict[str, str], threshold: str | None):
    try:
        expr = expand(template, ctx, records, range_=ctx.rate_range, threshold=threshold)
    except UnknownPlaceholder as exc:
        known = sorted([*ctx.metrics, *records, "range", *(["threshold"] if threshold else [])])
        raise ValueError(f"{exc} (known: {', '.join(known)})") from None
    parse(expr)  # ValueError: invalid PromQL, with the parser's message
    return expr


def _alert_rule(name: str, expr: str, alert: Any, params: dict[str, str]) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": alert.for_,
        "labels": {"severity": alert.severity, "team": "team", "service": EXAMPLE_JOB},
        "annotations": {
            "summary": Template(alert.summary).safe_substitute(params),
            "description": Template(alert.description.strip()).safe_substitute(params),
            "runbook_url": f"https://runbooks.example/{name}.md",  # where the stack publishes them
        },
    }


def _linted(rules: list[tuple[Path, dict[str, Any]]], scrape: float) -> Iterator[tuple[Path, str]]:
    """`stackgen lint` on the pack's rules as the render writes them, a file a rule: a finding
    there would fail the render as a stackgen bug, so it is the pack's to fix here."""
    if not rules:
        return
    files = {
        f"{n}.yml": to_yaml_block({"groups": [{"name": "pack", "rules": [rule]}]}) + "\n"
        for n, (_, rule) in enumerate(rules)
    }
    places = {str(_NOWHERE / f"{n}.yml"): where for n, (where, _) in enumerate(rules)}
    findings = lint_documents(_NOWHERE, files, scrape=scrape, config=LintConfig())
    for finding in sorted(findings, key=lambda f: int(FsPath(f.file).stem)):
        yield (places[finding.file], f"`stackgen lint` [{finding.check}]: {finding.message}")


def _panel(
    panel: Panel,
    here: Path,
    ctx: ServiceContext,
    records: dict[str, str],
    alerts: Sequence[str],
    defined: set[str],
) -> Iterator[tuple[Path, str]]:
    if panel.alert is not None and panel.alert not in alerts:
        known = ", ".join(f"`{a}`" for a in alerts) or "none"
        yield ((*here, "alert"), f"no alert `{panel.alert}` here (known: {known})")
    if panel.alert is not None and panel.thresholds:
        yield (
            (*here, "thresholds"),
            "drawn at the alert's threshold: drop `thresholds` or `alert`",
        )
    drawn = {"title": panel.title, "fieldConfig": {"defaults": {"unit": panel.unit or None}}}
    for _, message in dashboard_known_unit.check(drawn, []):
        yield ((*here, "unit"), message)
    for j, query in enumerate(panel.queries):
        where = (*here, "queries", j, "expr")
        expr = expand(query.expr, ctx, records, range_=PANEL_RANGE, keep_unknown=True)
        for match in _LEFT.finditer(expr):
            name = match.group(1)
            if name not in DASHBOARD_VARIABLES and not name.startswith("__"):
                yield (where, f"`${{{name}}}` is no metric role, record or dashboard variable")
        facts = dashboard_facts_as_written(expr)  # the query parsed once, for every check
        if facts.error is not None:
            yield (where, facts.error)
            continue
        for _, message in dashboard_rate_interval.check({}, [(where, facts)]):
            yield (where, message)
        slo_records = {name for name in facts.recorded if name.startswith("slo:")}
        for _, message in record_undefined.check_stack([(where, expr)], defined | slo_records):
            yield (where, message)


def service_findings(
    packs: Sequence[AlertPack], services: Sequence[tuple[int, Any]], scrape: float
) -> Iterator[Problem]:
    """A service's pack exists, its alert overrides and metric roles are the pack's (the
    schema lets any through for `kind: custom`), and its own panels pass the panel checks."""
    names = [p.name for p in packs]
    for i, service in services:
        here: Path = ("services", i)
        wanted = getattr(service, "pack", None)
        if wanted is not None and wanted not in names:
            known = ", ".join(f"`{n}`" for n in names) or "none defined"
            yield ((*here, "pack"), f"no pack is named `{wanted}` (known: {known})", False)
        spec = pack_spec(packs, service)
        what = f"pack `{spec.name}`" if spec else f"kind `{service.kind}`"
        roles = service_metric_roles(packs, service)
        defs = service_alert_defs(packs, service)
        for role in service.metric_overrides:
            if role not in roles:
                known = ", ".join(f"`{r}`" for r in roles)
                yield ((*here, "metrics", role), f"{what} has no role `{role}` ({known})", True)
        for alert in service.alert_overrides:
            if alert not in {d.name for d in defs}:
                known = ", ".join(f"`{d.name}`" for d in defs)
                yield ((*here, "alerts", alert), f"{what} has no alert `{alert}` ({known})", True)
        if not service.dashboard_panels:
            continue
        seconds = rate_seconds(scrape_of(service, scrape))
        pack = service_pack(packs, service)
        metrics = {**roles, **service.metric_overrides}
        ctx = ServiceContext(service.name, metrics, seconds, pack.label_roles)
        records = record_names(spec)
        defined = {ctx.rec_name(r.record) for r in pack.records}
        alerts = [*(d.name for d in defs), *(a.name for a in service.custom_alerts)]
        titles = ["Targets up", *(d.title for d in pack.panels)]
        for j, panel in enumerate(service.dashboard_panels):
            where = (*here, "dashboard_panels", j)
            if panel.title in titles:
                yield (
                    (*where, "title"),
                    f"a panel `{panel.title}` is on the dashboard already",
                    False,
                )
            titles.append(panel.title)
            for path, message in _panel(panel, where, ctx, records, alerts, defined):
                yield (path, message, False)


def scrape_of(service: Any, default: float) -> float:
    return parse_duration(service.scrape_interval) if service.scrape_interval else default
