"""Where `stackgen lint` takes its configuration from: `--config FILE`, else
`.stackgen-lint.yml` in the current folder, else the `lint:` section of the spec in `specs/`."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from stackgen.lint.checks import Settings
from stackgen.lint.findings import Finding
from stackgen.spec import SpecErrors, load_stack
from stackgen.spec.loader import load_spec
from stackgen.spec.model import LintConfig
from stackgen.spec.pydantic_errors import convert

CONFIG_FILE = Path(".stackgen-lint.yml")
DEFAULT_SPEC = Path("specs")


def load_config_file(path: Path) -> LintConfig:
    """The config at `path`; SpecErrors (FILE:LINE:COL each) when it is not valid."""
    loaded = load_spec(path)
    try:
        return LintConfig.model_validate(loaded.data)
    except ValidationError as exc:
        raise SpecErrors(convert(exc, loaded.data, loaded.source, LintConfig)) from None


def find_config(config: Path | None, cwd: Path) -> LintConfig:
    if config is not None:
        return load_config_file(config)
    if (cwd / CONFIG_FILE).is_file():
        return load_config_file(cwd / CONFIG_FILE)
    if (cwd / DEFAULT_SPEC).exists():
        return load_stack(cwd / DEFAULT_SPEC).lint
    return LintConfig()


def settings_of(config: LintConfig, scrape_seconds: float) -> Settings:
    return Settings(
        scrape_seconds=scrape_seconds,
        required_labels=tuple((k, tuple(v)) for k, v in config.required_labels.items()),
        required_annotations=tuple(config.required_annotations),
    )


def apply(config: LintConfig, findings: list[Finding]) -> list[Finding]:
    """Findings of enabled checks, at the severities the config sets."""
    return [
        Finding(f.file, f.line, f.column, f.check, config.severity.get(f.check, f.severity),
                f.message)
        for f in findings
        if f.check not in config.disable
    ]  # fmt: skip
