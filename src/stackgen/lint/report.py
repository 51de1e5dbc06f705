"""Findings as text (grouped by file), JSON, or GitHub workflow annotations."""

from __future__ import annotations

import json
from itertools import groupby

from stackgen.lint.findings import Finding

FORMATS = ("text", "json", "github")
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_github(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def as_text(findings: list[Finding]) -> str:
    lines = []
    for file, in_file in groupby(findings, key=lambda f: f.file):
        lines.append(file)
        lines += [
            f"  {f.line}:{f.column}  {f.severity:<7} {f.check:<22} {f.message}" for f in in_file
        ]
    count = len(findings)
    lines.append(f"{count} finding{'s' * (count != 1)}")
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2)


def as_github(findings: list[Finding]) -> str:
    """`::error file=F,line=L,col=C,title=CHECK::message` lines for GitHub Actions."""
    return "\n".join(
        f"::{_GITHUB_LEVEL[f.severity]} file={_escape_github(f.file, True)},line={f.line},"
        f"col={f.column},title={_escape_github(f.check, True)}::{_escape_github(f.message)}"
        for f in findings
    )


def render(findings: list[Finding], output_format: str) -> str:
    return {"text": as_text, "json": as_json, "github": as_github}[output_format](findings)
