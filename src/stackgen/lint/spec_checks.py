"""What lint adds to the spec's validation: the stage above the spec checks what only it knows
(the check IDs a `lint:` section may name, the spec's own packs and panels, linted as the render
would write them). `load_checked_stack` is how commands read a spec."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

from stackgen.lint.config import spec_check_ids
from stackgen.lint.spec_packs import spec_pack_findings
from stackgen.plan.alerts import defined_alert_names
from stackgen.spec import Stack, load_stack
from stackgen.spec.checks import Finding, Parts


def alert_references(parts: Parts) -> Iterator[Finding]:
    """Inhibit rules' sources and targets and routing expectations name only alerts that some
    rule defines: a misspelt name would silence, or test, nothing."""
    if parts.stack is None or parts.routing is None:
        return  # the spec does not validate: its alerts are not known yet
    try:
        defined = defined_alert_names(parts.stack)
    except ValueError:
        return  # a spec pack that does not compile: spec_pack_findings reports it
    named = [
        (("routing", "inhibit", i, side, "alertname"), getattr(rule, side).get("alertname"))
        for i, rule in enumerate(parts.routing.inhibit)
        for side in ("source", "target")
    ] + [
        (("routing", "expect", i, "labels", "alertname"), expectation.labels.get("alertname"))
        for i, expectation in enumerate(parts.routing.expect)
    ]
    for path, name in named:
        if name is None or name in defined:
            continue
        close = difflib.get_close_matches(name, sorted(defined), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "name an alert the stack defines"
        yield Finding(path, f"no rule of this stack defines an alert `{name}`: {hint}")


SPEC_CHECKS = (spec_check_ids, spec_pack_findings, alert_references)


def load_checked_stack(path: Path, env: str | None = None) -> Stack:
    """The spec at `path`, validated by the spec stage and by lint; SpecErrors otherwise."""
    return load_stack(path, env, checks=SPEC_CHECKS)
