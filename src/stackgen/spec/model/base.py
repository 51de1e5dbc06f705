"""The base of every spec model, and the alert severities."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["critical", "warning", "info"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
