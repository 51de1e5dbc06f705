"""The map half of linting: what a rule file or a dashboard says on its own (its findings,
located), and the little of it that the checks across files need. A render's workers summarise
the files they write and hand the parent only these summaries: small, picklable, and holding
neither the file's text nor its documents (a finding across files is located by reading the
file again, lint.sources.Reread)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from stackgen.grafana.queries import dashboard_queries
from stackgen.lint.checks import Settings, check, of_scope
from stackgen.lint.config import settings_of
from stackgen.lint.facts import Facts, dashboard_facts
from stackgen.lint.findings import Finding
from stackgen.lint.rules import file_not_rules, file_yaml, group_duplicate
from stackgen.lint.rules.base import Hit, Spot
from stackgen.lint.rules.rule_duplicate import identity
from stackgen.lint.sources import (
    DISK,
    Document,
    Group,
    LazySource,
    Rule,
    Source,
    Tree,
    groups_of,
    read,
    read_document,
    rules_of,
)
from stackgen.lint.suppress import Suppressions, suppressions
from stackgen.prometheus import query
from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
from stackgen.spec.errors import Path as DataPath

if TYPE_CHECKING:
    from stackgen.spec.model import LintConfig

try:  # hashlib's own blake2b, without hashlib, which loads OpenSSL's hashes (start-up time)
    from _blake2 import blake2b
except ImportError:  # a Python built without it: OpenSSL's, through hashlib
    from hashlib import blake2b

_DIGEST_BYTES = 8  # a rule's identity, digested: a match is confirmed on the rules themselves


def lint_settings(
    config: LintConfig | None,
    scrape_seconds: float,
    dialect: str = DEFAULT_DIALECT,
    scrape_told: bool = True,
) -> Settings:
    """What rule files are summarised with, for `config`, the stack's scrape interval (its
    prometheus.yml's `global.scrape_interval`; Prometheus's default is 60 s) and the PromQL
    dialect of its Prometheus (prometheus.dialect)."""
    return settings_of(config, scrape_seconds, dialect, scrape_told)


def _digest(rule: Rule) -> bytes:
    return blake2b(identity(rule.data).encode(), digest_size=_DIGEST_BYTES).digest()


_SHARED: dict[Any, Any] = {}
_MOST_SHARED = 1 << 16


def _shared(value: Any) -> Any:
    """The one object in this process for values equal to `value`. Summaries arrive
    unpickled, each with copies of its own, while a stack's services repeat the same names,
    label sets and suppressions: those are kept once."""
    if len(_SHARED) >= _MOST_SHARED:
        _SHARED.clear()  # that many distinct values: sharing saves little, holding them costs
    return _SHARED.setdefault(value, value)


def _loaded(cls: type[Any], values: dict[str, Any]) -> Any:
    """A summary unpickled, with the values it has in common with others shared."""
    shared = _SHARED_FIELDS[cls]
    return cls(**{k: _shared(v) if k in shared else v for k, v in values.items()})


class AlertFacts:
    """What route/unrouted needs of an alerting rule whose query parses. A plain class: a
    NamedTuple's `index` is tuple.index, and lint's start-up does without dataclasses."""

    __slots__ = ("index", "result", "static")

    def __init__(self, index: int, static: dict[str, str | None], result: query.Labels) -> None:
        self.index = index  # the rule's place in its file
        self.static = static  # alertname and the rule's labels; None: a templated value
        self.result = result  # the labels of its query's result

    def __eq__(self, other: object) -> bool:  # summaries compare by value, and so their alerts
        if not isinstance(other, AlertFacts):
            return NotImplemented
        return (self.index, self.static, self.result) == (other.index, other.static, other.result)

    @classmethod
    def of(cls, index: int, rule: Rule) -> AlertFacts | None:
        if not rule.is_alert or rule.analysed is None:
            return None
        static: dict[str, str | None] = {"alertname": str(rule.data["alert"])}
        for name, value in rule.labels.items():
            static[name] = None if "{{" in value else value
        return cls(index, static, rule.analysed.labels)

    def __reduce__(self) -> tuple[Any, ...]:
        return _alert_facts, (self.index, self.static, self.result)


def _alert_facts(index: int, static: dict[str, str | None], result: query.Labels) -> AlertFacts:
    """Unpickled: label names and values interned, the result's labels shared."""
    interned = {sys.intern(k): v if v is None else sys.intern(v) for k, v in static.items()}
    return AlertFacts(index, interned, _shared(result))


class RuleFileSummary(NamedTuple):
    """One rule file, linted on its own. Its rules are named by their place in the file (in
    the order of its documents, groups and rules); what the checks across files need of one
    rule in particular is worked out again from the file, once they have a finding there."""

    file: str
    findings: tuple[Finding, ...]  # its own, less those its comments hide; sorted
    hidden: Suppressions  # its comments, for the findings across files that land in it
    digests: bytes  # each rule's identity digest, 8 bytes a rule: rule/duplicate
    records: frozenset[str]  # the names it records
    aggregates: frozenset[str]  # those of them recorded by an aggregation
    borrowed: frozenset[str]  # recorded names its rules read that it does not record
    rated: frozenset[str]  # metrics its rules take rate() and the like of
    alerts: tuple[AlertFacts, ...]
    # Labels its alerts carry whatever the stack: their own, their results', and for a result
    # that keeps its series' labels, the labels its query names that it does not drop.
    carried: frozenset[str]
    # The labels that all its alerts with such an open result drop (None: it has none): the
    # scrape targets' other labels reach one of them (lint.stack.unknown_labels).
    open_dropped: frozenset[str] | None

    def digest_values(self) -> list[int]:
        return memoryview(self.digests).cast("Q").tolist()

    def __reduce__(self) -> tuple[Any, ...]:
        return _loaded, (type(self), self._asdict())


def _documents(
    path: Path, text: str, tree: Tree
) -> tuple[list[tuple[Any, Source]], list[tuple[int, int, str]]]:
    """A rule file's documents (those the caller parsed, if it did) and its YAML errors."""
    given = tree.documents(path)
    if given is None:
        return read(text, str(path))
    # parsed by the caller: a YAML error would have stopped it
    return [(d, LazySource(text, str(path), i)) for i, d in enumerate(given)], []


def _findings(group: Group, rules: list[Rule], settings: Settings) -> list[Finding]:
    found = []
    for each in of_scope("group"):
        for keys, message in each.function("group")(group):
            assert not isinstance(keys, Spot)
            pos = group.source.locate((*group.path, *keys))
            found.append(each.finding(Spot(group.file, pos.line, pos.column), message))
    for each in of_scope("rule"):
        function = each.function("rule")
        severity = each.severity_for(settings)
        for rule in rules:
            for keys, message in function(rule, settings):
                assert not isinstance(keys, Spot)
                line, column = rule.position(*(str(key) for key in keys))
                found.append(each.finding(Spot(rule.file, line, column), message, severity))
    return found


def _carried(
    alerts: list[tuple[AlertFacts, Facts]],
) -> tuple[frozenset[str], frozenset[str] | None]:
    """`carried` and `open_dropped` of a file's alerts, with their queries' facts."""
    carried: set[str] = set()
    dropped: list[frozenset[str]] = []
    for alert, facts in alerts:
        carried |= {*alert.static, *alert.result.names}
        if not alert.result.closed:
            carried |= facts.mentioned - alert.result.dropped
            dropped.append(alert.result.dropped)
    return frozenset(carried), frozenset.intersection(*dropped) if dropped else None


def _summary(
    name: str,
    findings: tuple[Finding, ...],
    hidden: Suppressions,
    rules: list[Rule],
    routed: bool = True,
) -> RuleFileSummary:
    recording = [r for r in rules if "record" in r.data]
    records = frozenset(str(r.data["record"]) for r in recording)
    parsed = [r.analysed for r in rules if r.analysed is not None]
    alerts = (
        [(a, r.analysed) for i, r in enumerate(rules) if (a := AlertFacts.of(i, r))]
        if routed
        else []
    )
    carried, open_dropped = _carried(alerts)
    return RuleFileSummary(
        file=name,
        findings=findings,
        hidden=hidden,
        digests=b"".join(map(_digest, rules)),
        records=records,
        aggregates=frozenset(
            str(r.data["record"])
            for r in recording
            if r.analysed is not None and r.analysed.aggregated
        ),
        borrowed=frozenset().union(*(facts.recorded for facts in parsed)) - records,
        rated=frozenset(metric for facts in parsed for _, metric in facts.counter_rates),
        alerts=tuple(alert for alert, _ in alerts),
        carried=carried,
        open_dropped=open_dropped,
    )


def summarise_rule_file(
    path: Path, tree: Tree, settings: Settings, *, routed: bool = True
) -> RuleFileSummary:
    """The file's summary: every check of one rule or group run (positions located where a
    finding needs one), its `stackgen-lint` comments applied, and what the checks across
    files need kept. `tree`: the disk, or a render's texts and parsed documents. `routed`:
    the file is linted with a stack, whose routing checks need its alerts (`alerts`, `carried`
    and `open_dropped`); without one they are left empty, and cost nothing to send."""
    name = str(path)
    try:
        text = tree.read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        line, column, message = _unreadable(path, exc)
        finding = check("file/yaml").finding(Spot(name, line, column), message)
        return _summary(name, (finding,), suppressions("", []), [])
    documents, errors = _documents(path, text, tree)
    found = list(check("file/yaml").findings(_spotted(file_yaml.check(name, errors))))
    rules: list[Rule] = []
    for document, source in documents:
        in_document = list(groups_of(document, source, name) or ())
        for each, hits in (
            ("file/not-rules", file_not_rules.check(document)),
            ("group/duplicate", group_duplicate.check(in_document)),
        ):
            for keys, message in hits:
                assert not isinstance(keys, Spot)
                pos = source.locate(keys)
                found.append(check(each).finding(Spot(name, pos.line, pos.column), message))
        for group in in_document:
            in_group = list(rules_of(group, settings.dialect, settings.metric_types))
            found += _findings(group, in_group, settings)
            rules += in_group
    # Where each rule starts matters only to a disable comment: without one, no positions
    # are read (reading them is most of a large file's time).
    starts = [rule.position()[0] for rule in rules] if "stackgen-lint" in text else []
    hidden = suppressions(text, starts)
    shown = tuple(sorted(f for f in set(found) if not hidden.hides(f)))
    return _summary(name, shown, hidden, rules, routed)


def _unreadable(path: Path, exc: OSError | UnicodeDecodeError) -> tuple[int, int, str]:
    """Where and why a file cannot be read as text."""
    if isinstance(exc, UnicodeDecodeError):
        before = exc.object[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = exc.object[exc.start : exc.start + 1].hex()
        return line, column, f"not UTF-8 text (byte 0x{byte}): Prometheus reads rule files as UTF-8"
    return 1, 1, f"cannot read the file: {exc.strerror or exc}"


class DashboardSummary(NamedTuple):
    """One dashboard, checked on its own, and the recording rules its queries read (which of
    its queries read one that no rule file defines is worked out again from the file)."""

    file: str
    findings: tuple[Finding, ...]  # its own, less those its comments hide; sorted
    hidden: Suppressions  # its comments, for the record/undefined findings that land in it
    recorded: frozenset[str]  # recorded names its queries (those that parse) read

    def __reduce__(self) -> tuple[Any, ...]:
        return _loaded, (type(self), self._asdict())


# The fields whose values _loaded shares, of each summary.
_SHARED_FIELDS: dict[type[Any], frozenset[str]] = {
    RuleFileSummary: frozenset(
        {"hidden", "records", "aggregates", "borrowed", "rated", "carried", "open_dropped"}
    ),
    DashboardSummary: frozenset({"hidden", "recorded"}),
}


def summarise_dashboard(
    path: Path, text: str, data: Any, queries: Sequence[tuple[DataPath, str]] | None = None
) -> DashboardSummary:
    """Its queries' syntax errors and fixed ranges, located; `data`: the parsed text;
    `queries`: `dashboard_queries(data)`, when the caller has them."""
    document = Document(str(path), text, data)
    found: list[Finding] = []
    if queries is None:
        queries = list(dashboard_queries(data)) if isinstance(data, dict) else []
    located = [(where, dashboard_facts(expr)) for where, expr in queries]
    recorded = set().union(*(facts.recorded for _, facts in located if facts.error is None))
    for each in of_scope("dashboard"):
        for keys, message in each.function("dashboard")(data, located):
            assert not isinstance(keys, Spot)
            found.append(document.finding(keys, each.id, each.severity, message))
    hidden = suppressions(text, [])
    shown = tuple(sorted(f for f in set(found) if not hidden.hides(f)))
    return DashboardSummary(str(path), shown, hidden, frozenset(recorded))


def read_dashboard(path: Path, tree: Tree = DISK) -> DashboardSummary | None:
    """The summary of a dashboard file; None when it is not a JSON object."""
    document = read_document(path, tree)
    if document is None or not isinstance(document.data, dict):
        return None
    return summarise_dashboard(path, document.text, document.data)


def _spotted(hits: Iterable[Hit]) -> Iterator[tuple[Spot, str]]:
    for spot, message in hits:
        assert isinstance(spot, Spot), "a check of a whole file locates its findings"
        yield spot, message
