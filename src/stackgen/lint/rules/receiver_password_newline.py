"""An email receiver's `auth_password_file` is read as it is by Alertmanager before 0.27: a
trailing newline (what `echo secret > file` writes) is sent as part of the password, and every
email fails to authenticate (alertmanager#3549, fixed in 0.27). Quiet when the stack is known
to run 0.27 or later (`alertmanager.version` of the spec, `--alertmanager-version`).

Bad:

    # Alertmanager 0.25, and the file written with `echo "$PASSWORD" > smtp-password`
    email_configs: [{auth_password_file: /etc/alertmanager/secrets/smtp-password}]

Good:

    # the file written with `printf '%s' "$PASSWORD" > smtp-password`, or Alertmanager 0.27
    email_configs: [{auth_password_file: /etc/alertmanager/secrets/smtp-password}]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from stackgen.lint.findings import Severity
from stackgen.lint.rules.base import Audience, Hit, Scope
from stackgen.lint.sources import Document

if TYPE_CHECKING:  # the checks of alertmanager.yml import the routing when they run
    from stackgen.alertmanager.routing import Route

ID = "receiver/password-newline"
SEVERITY: Severity = "warning"
SCOPES: tuple[Scope, ...] = ("stack",)
AUDIENCE: Audience = "both"
HINT = (
    "Write the file without a trailing newline (`printf '%s' \"$PASSWORD\" > FILE`; a "
    "Kubernetes Secret from `--from-literal`), or run Alertmanager 0.27 or later."
)
FIXED_IN = (0, 27)


def trims_password_files(version: str | None) -> bool:
    """Whether Alertmanager `version` (`0.25`, `v0.27.0`; None: unknown) trims the file."""
    if version is None:
        return False
    try:
        major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= FIXED_IN


def check(document: Document, tree: Route, version: str | None = None) -> Iterator[Hit]:
    """`document`: alertmanager.yml; `version`: the Alertmanager that reads it, if known."""
    del tree  # the receivers alone tell
    if trims_password_files(version):
        return
    runs = f"Alertmanager {version}" if version else "Alertmanager before 0.27"
    data = document.data if isinstance(document.data, dict) else {}
    receivers = data.get("receivers")
    places: dict[str, list[tuple[str | int, ...]]] = {}
    settings = data.get("global")
    shared = settings.get("smtp_auth_password_file") if isinstance(settings, dict) else None
    if isinstance(shared, str) and shared:
        places[shared] = [("global", "smtp_auth_password_file")]
    for index, receiver in enumerate(receivers if isinstance(receivers, list) else []):
        emails = receiver.get("email_configs") if isinstance(receiver, dict) else None
        for number, email in enumerate(emails if isinstance(emails, list) else []):
            path = email.get("auth_password_file") if isinstance(email, dict) else None
            if isinstance(path, str) and path:
                place = ("receivers", index, "email_configs", number, "auth_password_file")
                places.setdefault(path, []).append(place)
    for path, found in places.items():  # one finding per file, at its first use
        readers = f" (read by {len(found)} email configs)" if len(found) > 1 else ""
        yield (
            found[0],
            f"{runs} sends a trailing newline of {path}{readers} as part of the SMTP password "
            "(alertmanager#3549): make sure the file ends without one",
        )
