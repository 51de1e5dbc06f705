"""Mutation score of the generated proofs: perturbs each alert of a rendered stack (its
threshold, `for`, comparison, and the windows and offsets of the rules it reads; for SLO tiers
also a burn rate of 14.4 made 10, a short window dropped, the tiers' window pairs swapped, `and`
made `or`, the SLI inverted), runs the proofs that check that alert on the mutated rules with the
real `promtool test rules`, and counts the mutations some proof catches. Prints a table by kind of
mutation and every mutation that survived; exit 1 unless every one is caught.

Only the tests that check the mutated alerts run (a promtool alert test checks one alertname,
a query test the alerts whose ALERTS series it reads or the records it reads, so no other test
could catch the mutation), in a copy of OUT's prometheus/ folder.

Run: .venv/bin/python bench/mutate_proofs.py [OUT] [--jobs N] [--only SUBSTRING ...]
         [--kind KIND ...]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from stackgen.common.values import clean_number, format_duration, parse_duration

Rules = dict[str, Any]
COMPARISON = re.compile(
    r"(?P<op>>=|<=|==|!=|>|<)(?P<space>\s*)(?P<num>-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
)
FLIP = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "!=", "!=": "=="}
RANGE = re.compile(r"\[(\d+[smhdwy](?:\d+[smhdwy])*)\]")
# A selector's offset: the windows the rules add up from consecutive spans read them this way.
OFFSET = re.compile(r"(?<=\boffset )(\d+[smhdwy](?:\d+[smhdwy])*)\b")
# A window pair of an SLO tier: `(long > t and short > t)`.
PAIR = re.compile(r"\((?P<long>[^()]+?>\s*[\d.e-]+) and (?P<short>[^()]+?>\s*[\d.e-]+)\)")
SLI = re.compile(r"^slo:sli_error:ratio_rate")
# The base window's failed and all events of an SLO, every other window's ratio derived from them.
FAILED, EVENTS = "slo:sli_errors:rate", "slo:sli_events:rate"
BASE = re.compile(r"^slo:sli_(errors|events):rate")


@dataclass(frozen=True)
class Mutation:
    kind: str
    file: str  # the rule file's name
    what: str
    alerts: frozenset[str]  # the alert names whose proofs may catch it
    apply: Callable[[Rules], None]
    # The recorded series it changes (the mutated record's and every record reading it): the
    # query tests that read one of them may catch it too.
    records: frozenset[str] = frozenset()


def _rules(document: Rules) -> Iterator[dict[str, Any]]:
    for group in document.get("groups") or []:
        yield from group.get("rules") or []


def _number(value: Decimal) -> str:
    return clean_number(value)


def _reads(name: str, expr: str) -> bool:
    return re.search(rf"(?<![\w:]){re.escape(name)}(?![\w:])", expr) is not None


def _changed_by(document: Rules, record: str) -> frozenset[str]:
    """`record` and every record that reads it, directly or through other records."""
    records = {r["record"]: r["expr"] for r in _rules(document) if "record" in r}
    changed = {record}
    grown = True
    while grown:
        grown = False
        for name, expr in records.items():
            if name not in changed and any(_reads(c, expr) for c in changed):
                changed.add(name)
                grown = True
    return frozenset(changed)


def _dependencies(document: Rules) -> dict[str, set[str]]:
    """alert name -> the recording rules it reads, directly or through other records."""
    records = {r["record"]: r["expr"] for r in _rules(document) if "record" in r}

    def reads(expr: str, seen: set[str]) -> set[str]:
        for name, inner in records.items():
            if name not in seen and _reads(name, expr):
                seen.add(name)
                reads(inner, seen)
        return seen

    found: dict[str, set[str]] = {}
    for rule in _rules(document):
        if "alert" in rule:
            found.setdefault(rule["alert"], set()).update(reads(rule["expr"], set()))
    return found


def _alert_rule(document: Rules, index: int) -> dict[str, Any]:
    return [r for r in _rules(document) if "alert" in r][index]


def _set_threshold(n: int, new: str) -> Callable[[dict[str, Any]], None]:
    """An edit of a rule: its n-th comparison's number becomes `new`."""

    def change(r: dict[str, Any]) -> None:
        r["expr"] = _sub_nth(
            COMPARISON, r["expr"], n, lambda m: f"{m.group('op')}{m.group('space')}{new}"
        )

    return change


def _sub_nth(
    pattern: re.Pattern[str], text: str, n: int, replace: Callable[[re.Match[str]], str]
) -> str:
    count = -1

    def one(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return replace(match) if count == n else match.group(0)

    return pattern.sub(one, text)


def _scaled(duration: str, factor: Decimal) -> str:
    return format_duration(int(Decimal(parse_duration(duration)) * factor))


def alert_mutations(file: str, document: Rules) -> list[Mutation]:
    out: list[Mutation] = []
    alerts = [r for r in _rules(document) if "alert" in r]
    for index, rule in enumerate(alerts):
        name = rule["alert"]
        tier = (rule.get("labels") or {}).get("slo_tier")
        label = f"{name}" + (f" ({tier})" if tier else "")
        only = frozenset({name})

        def edit(i: int, change: Callable[[dict[str, Any]], None]) -> Callable[[Rules], None]:
            return lambda doc: change(_alert_rule(doc, i))

        for n, match in enumerate(COMPARISON.finditer(rule["expr"])):
            value = Decimal(match.group("num"))
            for factor, word in ((Decimal("1.25"), "raised 25%"), (Decimal("0.75"), "lowered 25%")):
                new = _number(value * factor) if value != 0 else ("1" if factor > 1 else "-1")

                change = _set_threshold(n, new)

                out.append(
                    Mutation(
                        "threshold",
                        file,
                        f"{label}: {match.group('num')} {word}",
                        only,
                        edit(index, change),
                    )
                )

            def flip(r: dict[str, Any], n: int = n) -> None:
                r["expr"] = _sub_nth(
                    COMPARISON,
                    r["expr"],
                    n,
                    lambda m: f"{FLIP[m.group('op')]}{m.group('space')}{m.group('num')}",
                )

            out.append(
                Mutation(
                    "comparison",
                    file,
                    f"{label}: {match.group('op')} {match.group('num')} flipped",
                    only,
                    edit(index, flip),
                )
            )
        hold = rule.get("for", "0s")
        for factor, word in ((Decimal(2), "doubled"), (Decimal("0.5"), "halved")):
            new = _scaled(hold, factor) if parse_duration(hold) > 0 else "1m"

            def set_for(r: dict[str, Any], new: str = new) -> None:
                r["for"] = new

            out.append(
                Mutation("for", file, f"{label}: for {hold} {word}", only, edit(index, set_for))
            )
        ranges = list(RANGE.finditer(rule["expr"]))
        for n, match in enumerate(ranges):
            out += _window_mutations(
                file, f"{label}'s", only, n, _which(match.group(1), n, len(ranges)),
                lambda d, i=index: _alert_rule(d, i),
            )  # fmt: skip
    return out


def _which(window: str, n: int, count: int) -> str:
    """A range as the mutation names it: which of the expression's ranges, where several."""
    return window if count == 1 else f"{window} ({n + 1} of {count})"


def _window_mutations(
    file: str,
    where: str,
    alerts: frozenset[str],
    n: int,
    window: str,
    rule: Callable[[Rules], dict[str, Any]],
    records: frozenset[str] = frozenset(),
) -> list[Mutation]:
    out = []
    for factor, word in ((Decimal(2), "doubled"), (Decimal("0.5"), "halved")):
        new = _scaled(window.split()[0], factor)

        def change(doc: Rules, n: int = n, new: str = new) -> None:
            r = rule(doc)
            r["expr"] = _sub_nth(RANGE, r["expr"], n, lambda m: f"[{new}]")

        what = f"{where} window [{window}] {word}"
        out.append(Mutation("window", file, what, alerts, change, records))
    return out


def record_mutations(file: str, document: Rules) -> list[Mutation]:
    """The windows of every recording rule some alert reads."""
    readers: dict[str, set[str]] = {}
    for alert, records in _dependencies(document).items():
        for record in records:
            readers.setdefault(record, set()).add(alert)
    out = []
    records = [r for r in _rules(document) if "record" in r]
    for index, rule in enumerate(records):
        alerts = readers.get(rule["record"])
        if not alerts:
            continue
        labels = rule.get("labels") or {}
        where = rule["record"] + (f"{{slo={labels['slo']}}}" if "slo" in labels else "")

        def get(doc: Rules, i: int = index) -> dict[str, Any]:
            return [r for r in _rules(doc) if "record" in r][i]

        changed = _changed_by(document, rule["record"])
        ranges = list(RANGE.finditer(rule["expr"]))
        for n, match in enumerate(ranges):
            window = _which(match.group(1), n, len(ranges))
            out += _window_mutations(file, where, frozenset(alerts), n, window, get, changed)
        offsets = list(OFFSET.finditer(rule["expr"]))
        for n, match in enumerate(offsets):
            offset = _which(match.group(1), n, len(offsets))
            out += _offset_mutations(file, where, frozenset(alerts), n, offset, get, changed)
    return out


def _offset_mutations(
    file: str,
    where: str,
    alerts: frozenset[str],
    n: int,
    offset: str,
    rule: Callable[[Rules], dict[str, Any]],
    records: frozenset[str],
) -> list[Mutation]:
    """A span of a window summed from spans read from the wrong time: its offset doubled and
    halved."""
    out = []
    for factor, word in ((Decimal(2), "doubled"), (Decimal("0.5"), "halved")):
        new = _scaled(offset.split()[0], factor)

        def change(doc: Rules, n: int = n, new: str = new) -> None:
            r = rule(doc)
            r["expr"] = _sub_nth(OFFSET, r["expr"], n, lambda m: new)

        what = f"{where} offset {offset} {word}"
        out.append(Mutation("offset", file, what, alerts, change, records))
    return out


def slo_mutations(file: str, document: Rules) -> list[Mutation]:
    """The mutations of the SLO scheme itself, per SLO."""
    out: list[Mutation] = []
    alerts = [r for r in _rules(document) if "alert" in r]
    tiers: dict[str, dict[str, int]] = {}
    for index, rule in enumerate(alerts):
        labels = rule.get("labels") or {}
        if "slo_tier" in labels:
            tiers.setdefault(labels["slo"], {})[labels["slo_tier"]] = index
    budgets = {
        (r.get("labels") or {}).get("slo"): Decimal(re.findall(r"[\d.]+(?:e-?\d+)?", r["expr"])[-1])
        for r in _rules(document)
        if r.get("record") == "slo:error_budget:ratio"
    }
    for slo, by_tier in tiers.items():
        for tier, index in by_tier.items():
            rule = alerts[index]
            name = frozenset({rule["alert"]})
            label = f"{rule['alert']} ({tier})"

            def edit(
                change: Callable[[dict[str, Any]], None], i: int = index
            ) -> Callable[[Rules], None]:
                return lambda doc: change(_alert_rule(doc, i))

            budget = budgets.get(slo)
            for n, match in enumerate(COMPARISON.finditer(rule["expr"])):
                value = Decimal(match.group("num"))
                if budget and value / budget == Decimal("14.4"):
                    new = _number(budget * 10)

                    burn = _set_threshold(n, new)

                    out.append(
                        Mutation(
                            "burn rate 14.4 -> 10",
                            file,
                            f"{label}: {match.group('num')} -> {new}",
                            name,
                            edit(burn),
                        )
                    )
            for n, _pair in enumerate(PAIR.finditer(rule["expr"])):

                def drop(r: dict[str, Any], n: int = n) -> None:
                    r["expr"] = _sub_nth(PAIR, r["expr"], n, lambda m: f"({m.group('long')})")

                out.append(
                    Mutation(
                        "short window dropped", file, f"{label}: pair {n + 1}", name, edit(drop)
                    )
                )
            if " and " in rule["expr"]:

                def either(r: dict[str, Any]) -> None:
                    r["expr"] = r["expr"].replace(" and ", " or ")

                out.append(Mutation("and -> or", file, label, name, edit(either)))
        if {"page", "ticket"} <= set(by_tier):
            page, ticket = by_tier["page"], by_tier["ticket"]
            both = frozenset({alerts[page]["alert"], alerts[ticket]["alert"]})

            def swap(doc: Rules, page: int = page, ticket: int = ticket) -> None:
                a, b = _alert_rule(doc, page), _alert_rule(doc, ticket)
                a["expr"], b["expr"] = b["expr"], a["expr"]

            out.append(
                Mutation("window pairs swapped between tiers", file, f"SLO {slo}", both, swap)
            )
        names = frozenset(alerts[i]["alert"] for i in by_tier.values())

        def invert(doc: Rules, slo: str = slo) -> None:
            mine = [r for r in _rules(doc) if (r.get("labels") or {}).get("slo") == slo]
            base = {r["record"]: r for r in mine if BASE.match(r.get("record", ""))}
            failed = next((r for name, r in base.items() if name.startswith(FAILED)), None)
            events = next((r for name, r in base.items() if name.startswith(EVENTS)), None)
            if failed is not None and events is not None:
                # Windows derived from the base window's rates: the good events count as failed.
                failed["expr"] = f"({events['expr']}) - ({failed['expr']})"
                return
            for r in mine:  # a `ratio` SLI: each window's ratio is its own expression
                if "record" in r and SLI.match(r["record"]):
                    r["expr"] = f"1 - ({r['expr']})"

        out.append(Mutation("SLI inverted", file, f"SLO {slo}", names, invert))
    return out


def mutations(rules_dir: Path) -> list[Mutation]:
    found = []
    for path in sorted(rules_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += alert_mutations(path.name, document)
        found += record_mutations(path.name, document)
        found += slo_mutations(path.name, document)
    return found


def _tests_for(
    tests_dir: Path, rule_file: str, alerts: frozenset[str], records: frozenset[str]
) -> list[Rules]:
    """The tests of `rule_file`'s proofs that check one of `alerts` or query one of `records`,
    each alone in a proof file, those that query a record first, then the shortest: a caught
    mutation mostly fails the first, and stops there."""

    def queries_a_record(test: dict[str, Any]) -> bool:
        return any(
            _reads(record, c.get("expr", ""))
            for c in test.get("promql_expr_test") or []
            for record in records
        )

    found = []
    for path in sorted(tests_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not any(Path(f).name == rule_file for f in document.get("rule_files") or []):
            continue
        for test in document.get("tests") or []:
            if (
                any(c.get("alertname") in alerts for c in test.get("alert_rule_test") or [])
                or any(
                    f'alertname="{name}"' in c.get("expr", "")
                    for c in test.get("promql_expr_test") or []
                    for name in alerts
                )
                or queries_a_record(test)
            ):  # an alert test, a query of the alerts' ALERTS series or of a changed record
                found.append({**document, "tests": [test]})

    def order(document: Rules) -> tuple[bool, int]:
        """A query of a changed record first (it reads the record itself), then the shortest."""
        test = document["tests"][0]
        checks = [*test.get("alert_rule_test", []), *test.get("promql_expr_test", [])]
        length = max(int(parse_duration(c["eval_time"])) for c in checks) // int(
            parse_duration(document.get("evaluation_interval", "1m"))
        )
        return not queries_a_record(test), length

    return sorted(found, key=order)


def run(out: Path, mutation: Mutation) -> bool | None:
    """Whether some proof catches the mutation (None: no proof checks its alerts)."""
    source = out / "prometheus"
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        root = Path(tmp)
        (root / "rules").mkdir()
        (root / "tests").mkdir()
        document = yaml.safe_load((source / "rules" / mutation.file).read_text(encoding="utf-8"))
        mutation.apply(document)
        (root / "rules" / mutation.file).write_text(yaml.safe_dump(document, sort_keys=False))
        tests = _tests_for(source / "tests", mutation.file, mutation.alerts, mutation.records)
        if not tests:
            return None
        for n, test in enumerate(tests):
            path = root / "tests" / f"t{n}.yml"
            path.write_text(yaml.safe_dump(test, sort_keys=False))
            result = subprocess.run(
                ["promtool", "test", "rules", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                if "FAILED" not in result.stdout + result.stderr:
                    raise RuntimeError(f"promtool could not run {mutation.what}:\n{result.stderr}")
                return True
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("out"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--only", action="append", default=[],
        help="only mutations whose description has this (given again: has one of them)",
    )  # fmt: skip
    parser.add_argument(
        "--kind", action="append", default=[],
        help="only mutations of this kind, as the table names it (given again: one of them)",
    )  # fmt: skip
    parser.add_argument("--progress", action="store_true", help="each verdict on stderr")
    args = parser.parse_args(argv)
    if shutil.which("promtool") is None:
        print("promtool is not installed", file=sys.stderr)
        return 2
    found = [
        m
        for m in mutations(args.out / "prometheus" / "rules")
        if not args.only or any(o in f"{m.file} {m.what}" for o in args.only)
        if not args.kind or m.kind in args.kind
    ]

    def one(mutation: Mutation) -> bool | None:
        caught = run(args.out, mutation)
        if args.progress:
            verdict = {True: "caught", False: "SURVIVED", None: "unchecked"}[caught]
            print(f"{verdict}: {mutation.file}: {mutation.kind}: {mutation.what}",
                  file=sys.stderr, flush=True)  # fmt: skip
        return caught

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, found))
    kinds: dict[str, list[bool | None]] = {}
    for mutation, caught in zip(found, results, strict=True):
        kinds.setdefault(mutation.kind, []).append(caught)
    width = max((len(k) for k in kinds), default=4) + 2
    print(f"{'mutation kind':<{width}} {'caught':>7} {'total':>6} {'score':>7}")
    for kind, caught in kinds.items():
        hit = sum(c is True for c in caught)
        print(f"{kind:<{width}} {hit:>7} {len(caught):>6} {100 * hit / len(caught):>6.1f}%")
    hit, total = sum(r is True for r in results), len(results)
    print(f"{'all':<{width}} {hit:>7} {total:>6} {100 * hit / total if total else 100:>6.1f}%")
    for mutation, caught in zip(found, results, strict=True):
        if caught is not True:
            reason = "no proof checks it" if caught is None else "survived"
            print(f"  {reason}: {mutation.file}: {mutation.kind}: {mutation.what}")
    print(f"mutation score: {hit}/{total}")
    return 0 if hit == total else 1


if __name__ == "__main__":
    sys.exit(main())
