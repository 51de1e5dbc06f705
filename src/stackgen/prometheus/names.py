"""The names Prometheus accepts, and the conventions stackgen holds rules to, defined once."""

from __future__ import annotations

import re

# Prometheus's data model: label names, and metric names (which may hold colons).
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
# Conventions: alerts in CamelCase; recorded series as level:metric:operations.
ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
RECORD_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_]$")
