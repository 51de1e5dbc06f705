"""Credentials in addresses, found by the address's structure rather than by a list of secret
names: a user and password before the host, a query string (or a fragment of `a=b` pairs) with
any parameter that is not known to be harmless, and the addresses that are themselves secrets
(chat services' incoming webhooks). And `redact`, which shows an address with all of those
replaced by `***`, so that no message prints a credential."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

# Query parameters that name a page, a view or a place, never a credential. Any other name
# (`access_token`, `X-Auth-Token`, `private_token`, `client_secret`, `%74oken`, `sig`...) is
# refused, whatever its spelling: a list of secret names is never complete.
HARMLESS_PARAMETERS = frozenset(
    (
        "ref", "branch", "page", "section", "view", "tab", "lang", "version", "format",
        "region", "env", "environment", "cluster", "namespace", "service", "team", "orgid",
    )
)  # fmt: skip

# Addresses that hold their own secret (whoever has the address can post): host, path prefix,
# what it is, and what to use instead.
SECRET_SHAPES = (
    (
        re.compile(r"^hooks\.slack(-gov)?\.com$"),
        "/",
        "a Slack incoming webhook",
        "a `slack` channel with `api_url_file`",
    ),
    (
        re.compile(r"^([a-z0-9-]+\.)*webhook\.office\.com$|^outlook\.office(365)?\.com$"),
        "/webhook",
        "a Microsoft Teams incoming webhook",
        "an `msteams` channel with `webhook_url_file`",
    ),
    (
        re.compile(r"^([a-z0-9-]+\.)*logic\.azure\.com$"),
        "/workflows/",
        "a Microsoft Teams (Power Automate) workflow webhook",
        "an `msteams` channel with `webhook_url_file`",
    ),
    (
        re.compile(r"^((canary|ptb)\.)?discord(app)?\.com$"),
        "/api/webhooks/",
        "a Discord webhook",
        "a `discord` channel with `webhook_url_file`",
    ),
    (
        re.compile(r"^api\.telegram\.org$"),
        "/bot",
        "a Telegram bot address with its token",
        "a `telegram` channel with `bot_token_file`",
    ),
    (
        re.compile(r"^events\.(eu\.)?pagerduty\.com$"),
        "/integration/",
        "a PagerDuty integration address with its key",
        "a `pagerduty` channel with `routing_key_file`",
    ),
)

_PORT = re.compile(r":\d*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# An address inside any text, for `redact_text`: up to white space or a quote.
_ADDRESS = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"`<>]*[^\s'\"`<>.,;:)\]]"  # not the sentence's `.` or `,`
    r"|[^\s'\"`<>/@:]+:[^\s'\"`<>/@]*@[^\s'\"`<>]*[^\s'\"`<>.,;:)\]]"
)


def _split(url: str) -> tuple[str, str, str, str, str, str]:
    """scheme, userinfo, host[:port], path, query, fragment; a scheme-less `host:port/x` is
    read as an http address."""
    text = url if _SCHEME.match(url) else f"http://{url}"
    scheme, rest = text.split("://", 1)
    rest, _, fragment = rest.partition("#")
    rest, _, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    return scheme, userinfo if at else "", host, slash + path, query, fragment


def _parameters(text: str) -> list[str]:
    """The names of the parameters of a query string, decoded; a parameter without `=` (which
    may be a token itself) as `?`, so that it is never shown."""
    names = []
    for pair in text.split("&"):
        if "=" not in pair:
            names.append("?")
            continue
        try:
            names += [name for name, _ in parse_qsl(pair, keep_blank_values=True)]
        except ValueError:
            names.append("?")
    return names


def _secret_shape(host: str, path: str) -> tuple[str, str] | None:
    name = _PORT.sub("", host.lower())
    for pattern, prefix, what, instead in SECRET_SHAPES:
        if pattern.match(name) and path.lower().startswith(prefix):
            return what, instead
    return None


def credential_problem(url: str, instead: str) -> str | None:
    """What in `url` may be a credential, with the address redacted and what to use instead
    (`instead`: the field's `*_file` or `${ENV}` form); None when nothing is."""
    _, userinfo, host, path, query, fragment = _split(url)
    shown = redact(url)
    if userinfo:
        return (
            f"`{shown}` has a user and password before the host, which would be written "
            f"into out/: {instead}"
        )
    shape = _secret_shape(host, path)
    if shape:
        return (
            f"`{shown}` is {shape[0]} address, which is itself a secret and would be written "
            f"into out/: use {shape[1]}"
        )
    names = _parameters(query) if query else []
    if "=" in fragment:
        names += _parameters(fragment)
    unknown = sorted({n for n in names if n.lower() not in HARMLESS_PARAMETERS})
    if unknown:
        which = "a query parameter without a value"
        if unknown[0] != "?":
            which = f"the query parameter `{unknown[0]}`"
        return (
            f"`{shown}` has {which}, which may carry a credential "
            f"and would be written into out/ (only {', '.join(sorted(HARMLESS_PARAMETERS))} "
            f"are allowed): {instead}"
        )
    return None


def _masked_pairs(text: str) -> str:
    return "&".join(
        f"{pair.partition('=')[0]}=***" if "=" in pair else "***" for pair in text.split("&")
    )


def redact(url: str) -> str:
    """`url` with its password (or a lone user, often a token), query values and secret
    webhook path replaced by `***`: `https://am:***@host/x?token=***`."""
    had_scheme = bool(_SCHEME.match(url))
    scheme, userinfo, host, path, query, fragment = _split(url)
    if userinfo:
        user, colon, _ = userinfo.partition(":")
        userinfo = f"{user}:***@" if colon else "***@"
    shape = _secret_shape(host, path)
    if shape:
        name = _PORT.sub("", host.lower())
        prefix = next(p for pattern, p, *_ in SECRET_SHAPES if pattern.match(name))
        path = path[: len(prefix)] + "***"
    shown = f"{scheme}://" if had_scheme else ""
    shown += f"{userinfo}{host}{path}"
    if query:
        shown += f"?{_masked_pairs(query)}"
    if fragment:
        shown += f"#{_masked_pairs(fragment) if '=' in fragment else fragment}"
    return shown


def redact_text(text: str) -> str:
    """`text` with every address in it redacted."""
    return _ADDRESS.sub(lambda found: redact(found.group(0)), text)
