"""Runbook content written in the spec: the generated runbook renders it instead of a skeleton.
Outside spec.model, so that the spec's packs (spec.custom, which spec.model imports) carry it
too."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from stackgen.spec.types import OneLine, PromQL


class Model(BaseModel):  # as spec.model.Model, which imports this module through spec.custom
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiagnosisStep(Model):
    """One thing to check: what and why, with the shell command or PromQL query that checks it."""

    step: OneLine = Field(min_length=1, examples=["Is the unit running?"])
    command: OneLine | None = Field(None, examples=["systemctl status aion-web-api"])
    query: PromQL | None = Field(None, description="PromQL, shown for Prometheus's console.")


class Runbook(Model):
    """What the on-call needs when the alert fires; every part given replaces the skeleton's."""

    impact: OneLine | None = Field(None, description="Who and what is hurt, and how badly.")
    diagnosis: list[DiagnosisStep] = Field(default_factory=list)
    mitigation: list[OneLine] = Field(default_factory=list, description="Stop the bleeding.")
    resolution: list[OneLine] = Field(default_factory=list, description="Done when all hold.")
    communication: list[OneLine] = Field(default_factory=list)
    escalation: list[OneLine] = Field(
        default_factory=list, description="Who to call, and after how long."
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Runbook:
        if not (self.impact or self.diagnosis or self.mitigation or self.escalation):
            raise ValueError(
                "a runbook needs at least one of `impact`, `diagnosis`, `mitigation` or "
                "`escalation`; leave it out for the generated skeleton"
            )
        return self
