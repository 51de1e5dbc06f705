"""An alert's runbook_url is an absolute http(s) link: Slack's title link, PagerDuty's runbook
link and a mail client open only those; `runbooks/ServiceDown.md` opens nowhere. stackgen writes
relative links when the spec sets no `stack.runbooks_url`.

Bad:

    annotations: {runbook_url: runbooks/HighErrorRate.md}

Good:

    annotations: {runbook_url: https://git.example.com/ops/runbooks/HighErrorRate.md}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope, Settings
from stackgen.lint.sources import Rule

ID = "annotations/runbook-link"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("rule",)
AUDIENCE: Audience = "both"
HINT = (
    "Link to where the runbooks are published (for stackgen's: set `stack.runbooks_url`, "
    "such as `https://git.example.com/ops/monitoring/blob/main/out/runbooks`)."
)

# An absolute link, or a template that makes one (`{{ $externalURL }}/...`).
_ABSOLUTE = re.compile(r"^(https?://|\{\{)", re.IGNORECASE)


def check(rule: Rule, settings: Settings) -> Iterator[Hit]:
    if "alert" not in rule.data:
        return
    link = rule.annotations.get("runbook_url")
    if isinstance(link, str) and link.strip() and not _ABSOLUTE.match(link.strip()):
        yield (
            ("annotations", "runbook_url"),
            f"`{link}` is a relative link, which notifications cannot open: set "
            "`stack.runbooks_url` (stackgen's runbooks) or write an absolute https:// link",
        )
