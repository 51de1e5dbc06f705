"""An artifact: one output file, named by its path in OUT, the template and the data it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Artifact:
    path: str  # POSIX path relative to OUT
    template: str  # template file under templates/
    context: dict[str, Any] = field(default_factory=dict)
