"""Findings as text (grouped by file, optionally coloured), JSON, GitHub workflow annotations,
or a SARIF 2.1.0 log for GitHub code scanning."""

from __future__ import annotations

import json
import os
import re
from itertools import groupby
from pathlib import Path, PurePath
from typing import Any, TextIO
from urllib.parse import quote

from stackgen import version
from stackgen.common.values import counted
from stackgen.lint.checks import CHECKS
from stackgen.lint.findings import SEVERITY_RANK, Finding

FORMATS = ("text", "json", "github", "sarif")
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/stackgen/stackgen"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
# RFC 3986 sub-delims and "@" stay as they are in a URI path; ":" is escaped, so that a first
# segment such as `c:rules.yml` cannot read as a scheme
_URI_SAFE = "/!$&'()*+,;=@"

# ANSI SGR codes: red, yellow, cyan; bold; dim
_SEVERITY_COLOUR = {"error": "31", "warning": "33", "info": "36"}
_BOLD, _DIM = "1", "2"


def _escape_github(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def _paint(text: str, code: str, colour: bool, width: int = 0) -> str:
    """`text` left-aligned in `width` columns, the text itself (not the padding) in colour."""
    padding = " " * (width - len(text))
    return f"\x1b[{code}m{text}\x1b[0m{padding}" if colour else f"{text}{padding}"


def use_colour(stream: TextIO, choice: bool | None = None) -> bool:
    """Whether to colour what goes to `stream`: an explicit `choice` (--color/--no-color) wins;
    otherwise only a terminal gets colour, and not when NO_COLOR is set to anything non-empty
    (https://no-color.org) or TERM is `dumb`."""
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def as_text(findings: list[Finding], colour: bool = False) -> str:
    lines = []
    for file, in_file in groupby(findings, key=lambda f: f.file):
        lines.append(_paint(file, _BOLD, colour))
        lines += [
            f"  {f.line}:{f.column}  {_paint(f.severity, _SEVERITY_COLOUR[f.severity], colour, 7)} "
            f"{_paint(f.check, _DIM, colour, 22)} {f.message}"
            for f in in_file
        ]
    count = len(findings)
    lines.append(counted(count, "finding"))
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    """A list of objects, one finding a line (for grep and diff), each as json.dumps writes
    it; written with json's own string encoder (in C), not an encoder call a finding, whose
    set-up costs more than the finding."""
    if not findings:
        return "[]"
    return "[\n" + ",\n".join(map(_json_object, findings)) + "\n]"


_STRING = json.encoder.encode_basestring_ascii


def _json_object(finding: Finding) -> str:
    file, line, column, check, severity, message = finding
    return (
        f'  {{"file": {_STRING(file)}, "line": {line:d}, "column": {column:d}, '
        f'"check": {_STRING(check)}, "severity": {_STRING(severity)}, '
        f'"message": {_STRING(message)}}}'
    )


def as_github(findings: list[Finding]) -> str:
    """`::error file=F,line=L,col=C,title=CHECK::message` lines for GitHub Actions."""
    return "\n".join(
        f"::{_GITHUB_LEVEL[f.severity]} file={_escape_github(f.file, True)},line={f.line},"
        f"col={f.column},title={_escape_github(f.check, True)}::{_escape_github(f.message)}"
        for f in findings
    )


def _rule_name(check_id: str) -> str:
    """`promql/rate-range` -> `PromqlRateRange`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", check_id))


def _sarif_rules(findings: list[Finding]) -> list[dict[str, Any]]:
    """A reportingDescriptor for every check, then for each other check id the findings carry
    (`file/yaml`, `file/not-rules`, ...), sorted, with a generic description."""
    rules: list[dict[str, Any]] = [
        {
            "id": check.id,
            "name": _rule_name(check.id),
            "shortDescription": {"text": check.doc},
            "help": {"text": check.hint},
            "defaultConfiguration": {"level": _SARIF_LEVEL[check.severity]},
        }
        for check in CHECKS
    ]
    known = {check.id for check in CHECKS}
    for check_id in sorted({f.check for f in findings} - known):
        worst = max(
            (f.severity for f in findings if f.check == check_id), key=SEVERITY_RANK.__getitem__
        )
        rules.append(
            {
                "id": check_id,
                "name": _rule_name(check_id),
                "shortDescription": {"text": f"stackgen lint reports `{check_id}` problems."},
                "help": {"text": "The result's message says what is wrong and where."},
                "defaultConfiguration": {"level": _SARIF_LEVEL[worst]},
            }
        )
    return rules


def _artifact_uri(file: str) -> str:
    """A finding's file as a URI reference: relative paths stay relative (forward slashes,
    percent-encoded), as do absolute ones under the working directory; other absolute paths
    become `file://` URIs."""
    path = PurePath(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return Path(path).as_uri()
    return quote(path.as_posix(), safe=_URI_SAFE)


def as_sarif(findings: list[Finding]) -> str:
    """A SARIF 2.1.0 log with one run: stackgen as the tool, every check as a rule, and one
    result per finding with its file, line and column."""
    rules = _sarif_rules(findings)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": f.check,
            "ruleIndex": index[f.check],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _artifact_uri(f.file)},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stackgen",
                        "informationUri": INFORMATION_URI,
                        "version": version(),
                        "rules": rules,
                    }
                },
                # Finding columns count characters (code points), not UTF-16 code units
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)


def render(findings: list[Finding], output_format: str, colour: bool = False) -> str:
    """The findings in `output_format` (one of FORMATS); `colour` applies to text only."""
    if output_format == "text":
        return as_text(findings, colour)
    return {"json": as_json, "github": as_github, "sarif": as_sarif}[output_format](findings)
