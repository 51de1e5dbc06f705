"""Where `stackgen lint` takes its configuration from: `--config FILE`, else
`.stackgen-lint.yml` in the current folder, else the `lint:` section of the spec in `specs/`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackgen.lint.checks import CHECKS, Settings
from stackgen.lint.findings import Finding
from stackgen.lint.rules.base import AggregationPolicy, SelectorPolicy
from stackgen.prometheus.dialect import DEFAULT as DEFAULT_DIALECT
from stackgen.spec.errors import Path as SpecPath

if TYPE_CHECKING:
    from stackgen.spec import checks as spec_checks
    from stackgen.spec.model import LintConfig

CONFIG_FILE = Path(".stackgen-lint.yml")
DEFAULT_SPEC = Path("specs")


def unknown_check_ids(
    config: Mapping[str, Any], at: SpecPath = ()
) -> Iterator[spec_checks.Finding]:
    """The names in a lint config as written (`disable` items, `severity` keys) that are no
    check's ID; `at`: where the config is in its file."""
    from stackgen.spec import checks as spec_checks

    known = {check.id for check in CHECKS}
    disable, severity = config.get("disable"), config.get("severity")
    for i, name in enumerate(disable if isinstance(disable, list) else []):
        if isinstance(name, str) and name not in known:
            yield spec_checks.Finding((*at, "disable", i), _not_a_check(name))
    for name in severity if isinstance(severity, dict) else {}:
        if isinstance(name, str) and name not in known:
            yield spec_checks.Finding((*at, "severity", name), _not_a_check(name), on_key=True)


def _not_a_check(name: str) -> str:
    return f"`{name}` is not a check; `stackgen lint --list` names them all"


def spec_check_ids(parts: spec_checks.Parts) -> Iterator[spec_checks.Finding]:
    """The spec's `lint:` section names only checks (a check for load_stack)."""
    return unknown_check_ids(parts.lint, ("lint",))


def load_config_file(path: Path) -> LintConfig:
    """The config at `path`; SpecErrors (FILE:LINE:COL each) when it is not valid."""
    # Imported here: a lint without a config does without the spec model (start-up time).
    from pydantic import ValidationError

    from stackgen.spec.errors import SpecErrors
    from stackgen.spec.loader import load_spec
    from stackgen.spec.model import LintConfig
    from stackgen.spec.pydantic_errors import convert

    loaded = load_spec(path)
    errors = [
        loaded.source.error(f.path, f.message, key=f.on_key) for f in unknown_check_ids(loaded.data)
    ]
    try:
        config = LintConfig.model_validate(loaded.data)
    except ValidationError as exc:
        errors += convert(exc, loaded.data, loaded.source, LintConfig)
    if errors:
        raise SpecErrors(errors)
    return config


def find_config(config: Path | None, cwd: Path) -> tuple[LintConfig | None, str | None]:
    """The config to lint with (None: there is none, the defaults apply), and the Prometheus
    version of the spec it came from (None: not from a spec)."""
    if config is not None:
        return load_config_file(config), None
    if (cwd / CONFIG_FILE).is_file():
        return load_config_file(cwd / CONFIG_FILE), None
    if (cwd / DEFAULT_SPEC).exists():
        from stackgen.spec.stack import load_stack

        stack = load_stack(cwd / DEFAULT_SPEC, checks=(spec_check_ids,))
        return stack.lint, stack.prometheus.version
    return None, None


def settings_of(
    config: LintConfig | None,
    scrape_seconds: float,
    dialect: str = DEFAULT_DIALECT,
    scrape_told: bool = True,
) -> Settings:
    """What the checks are told; without a config, Settings' defaults (the config's own)."""
    if config is None:
        return Settings(scrape_seconds=scrape_seconds, dialect=dialect, scrape_told=scrape_told)
    return Settings(
        scrape_seconds=scrape_seconds,
        scrape_told=scrape_told,
        dialect=dialect,
        metric_types=tuple(config.metric_types.items()),
        selector_policies=tuple(
            SelectorPolicy(p.metrics, tuple(p.required_labels)) for p in config.selector_policies
        ),
        aggregation_policies=tuple(
            AggregationPolicy(p.rules, tuple(p.keep), tuple(p.drop))
            for p in config.aggregation_policies
        ),
        required_labels=tuple((k, tuple(v)) for k, v in config.required_labels.items()),
        required_annotations=tuple(config.required_annotations),
    )


def apply(config: LintConfig | None, findings: list[Finding]) -> list[Finding]:
    """Findings of enabled checks, at the severities the config sets."""
    if config is None:
        return findings
    return [
        Finding(f.file, f.line, f.column, f.check, config.severity.get(f.check, f.severity),
                f.message)
        for f in findings
        if f.check not in config.disable
    ]  # fmt: skip
