"""Rule groups kept as written: rules a team already had (`stackgen import rules` writes them),
rendered verbatim beside the generated ones. Checked as Prometheus 2.42 loads rule files."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
)

from stackgen.prometheus.names import LABEL_NAME
from stackgen.spec.types import Duration, MetricName, PositiveDuration, PromQL, Slug, TemplateText

# The rule file of the stack's groups that name no service (prometheus/rules/legacy.yml).
LEGACY = "legacy"
# The groups stackgen generates in each service's rule file, `<service><suffix>`
# (plan.prometheus.rule_groups): a group kept as written may not take one of these names.
GENERATED_SUFFIXES = (".recording", ".slo", ".slo-long", ".alerts")


def _rule_label_name(value: str) -> str:
    # Prometheus accepts any label name on a rule (`__`-prefixed too) except the metric name.
    if not LABEL_NAME.match(value) or value == "__name__":
        raise ValueError(
            f"{value!r} is not a label name Prometheus accepts on a rule: use letters, digits "
            "and underscores, not starting with a digit (and not `__name__`)"
        )
    return value


def _one_line_name(value: str) -> str:
    if not value.strip() or "\n" in value or "\r" in value:
        raise ValueError("must be a non-empty single line of text")
    return value


RuleLabelName = Annotated[str, AfterValidator(_rule_label_name)]
RuleName = Annotated[str, AfterValidator(_one_line_name)]


class _Verbatim(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertingRule(_Verbatim):
    """An alerting rule in Prometheus's own fields; labels and annotations may template."""

    alert: RuleName
    expr: PromQL
    for_: Duration | None = Field(None, alias="for")
    keep_firing_for: Duration | None = None
    labels: dict[RuleLabelName, TemplateText] | None = None
    annotations: dict[RuleLabelName, TemplateText] | None = None


class RecordingRule(_Verbatim):
    """A recording rule in Prometheus's own fields."""

    record: MetricName
    expr: PromQL
    labels: dict[RuleLabelName, str] | None = None


def _rule_kind(value: Any) -> str | None:
    # Tags unlike any field name: error locations name the tag, and must not read as a field.
    if isinstance(value, dict):
        return "alerting" if "alert" in value else "recording" if "record" in value else None
    return "alerting" if isinstance(value, AlertingRule) else "recording"


Rule = Annotated[
    Annotated[AlertingRule, Tag("alerting")] | Annotated[RecordingRule, Tag("recording")],
    Discriminator(
        _rule_kind,
        custom_error_type="rule_kind",
        custom_error_message="a rule needs `alert` (an alerting rule) or `record` (a recording "
        "rule)",
    ),
]


class RuleGroup(_Verbatim):
    """A Prometheus rule group, written out as it is here."""

    name: RuleName
    interval: PositiveDuration | None = Field(
        None, description="Default: prometheus.evaluation_interval."
    )
    limit: int | None = Field(
        None, ge=0, description="At most this many alerts or series per evaluation (0: none)."
    )
    # `rules:` left empty (null) is a group without rules to Prometheus too.
    rules: Annotated[list[Rule], BeforeValidator(lambda v: [] if v is None else v)] = Field(
        default_factory=list
    )

    def as_written(self) -> dict[str, Any]:
        """The group as a rule file holds it: only the fields given."""
        group = self.model_dump(by_alias=True, exclude_none=True, exclude={"rules"})
        group.pop("service", None)
        group["rules"] = [r.model_dump(by_alias=True, exclude_none=True) for r in self.rules]
        return group


class StackRuleGroup(RuleGroup):
    """A rule group of the stack: into `prometheus/rules/<service>.yml` after the service's
    generated groups when `service` is given, else into `prometheus/rules/legacy.yml`."""

    service: Slug | None = Field(
        None, description="The service whose rule file gets the group; none: legacy.yml."
    )
