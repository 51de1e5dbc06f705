"""What lint adds to the spec's validation: the stage above the spec checks what only it knows
(the check IDs a `lint:` section may name, the spec's own packs and panels, linted as the render
would write them). `load_checked_stack` is how commands read a spec."""

from __future__ import annotations

from pathlib import Path

from stackgen.lint.config import spec_check_ids
from stackgen.lint.spec_packs import spec_pack_findings
from stackgen.spec import Stack, load_stack

SPEC_CHECKS = (spec_check_ids, spec_pack_findings)


def load_checked_stack(path: Path, env: str | None = None) -> Stack:
    """The spec at `path`, validated by the spec stage and by lint; SpecErrors otherwise."""
    return load_stack(path, env, checks=SPEC_CHECKS)
