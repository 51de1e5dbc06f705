"""What each Alertmanager version knows, for the fields stackgen writes (checked against amtool
0.25 where the machine has it; later versions from their release notes)."""

from __future__ import annotations

# (channel type, field) -> (the first version that knows it, what it is). Field None: the
# channel's config section itself.
ALERTMANAGER_NEEDS: dict[tuple[str, str | None], tuple[str, str]] = {
    ("msteams", None): ("0.26", "`msteams_configs`"),
    ("msteams", "webhook_url_file"): ("0.27", "`webhook_url_file`"),
    ("telegram", "bot_token_file"): ("0.26", "`bot_token_file`"),
    ("discord", "webhook_url_file"): ("0.27", "`webhook_url_file`"),
    ("webhook", "url_file"): ("0.26", "`url_file`"),
}


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def alertmanager_needs(channel_type: str, fields: set[str], version: str) -> list[tuple[str, str]]:
    """(version, what) for everything a channel of this type, with these fields set, needs
    beyond `version`; the oldest first."""
    missing = [
        need
        for (kind, field), need in ALERTMANAGER_NEEDS.items()
        if kind == channel_type and (field is None or field in fields)
        and version_key(need[0]) > version_key(version)
    ]  # fmt: skip
    return sorted(missing, key=lambda need: version_key(need[0]))
