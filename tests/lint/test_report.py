"""Lint reports: text grouped by file (coloured on a terminal), JSON, GitHub workflow
annotations, and SARIF 2.1.0 logs that validate against the OASIS schema shipped beside this
file."""

import copy
import io
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, ValidationError

import stackgen
from stackgen.lint.checks import CHECKS
from stackgen.lint.findings import Finding
from stackgen.lint.report import render, use_colour

FINDINGS = [
    Finding("a.yml", 3, 7, "promql/syntax", "error", "invalid PromQL: x"),
    Finding("a.yml", 9, 1, "alert/name", "warning", "alert name `a_b` is not CamelCase"),
    Finding("dir,x/b.yml", 2, 2, "annotations/required", "info", "lacks: summary\nnext"),
]
# a check id that is not in CHECKS, and a message with quotes, a newline and non-ASCII text
ODD = [
    Finding("rules/c.yml", 1, 1, "plugin/custom", "error", "mapping values are not allowed here"),
    Finding("rules/c.yml", 4, 12, "alert/name", "warning", 'say "hi" \\ it\u2019s ✓\n😀 next'),
]
# The official OASIS SARIF 2.1.0 schema (errata 01), unmodified; it declares JSON Schema
# draft-04 and refers only to its own definitions.
SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))
SARIF = Draft4Validator(SCHEMA)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def sarif(findings: list[Finding]) -> dict:
    log = json.loads(render(findings, "sarif"))
    SARIF.validate(log)
    return log


def test_text_groups_findings_under_their_file():
    assert render(FINDINGS, "text").splitlines() == [
        "a.yml",
        "  3:7  error   promql/syntax          invalid PromQL: x",
        "  9:1  warning alert/name             alert name `a_b` is not CamelCase",
        "dir,x/b.yml",
        ["  2:2  info    annotations/required   lacks: summary", "next"][0],
        "next",
        "3 findings",
    ]


def test_json_lists_every_field():
    (first, *_) = json.loads(render(FINDINGS, "json"))
    assert first == {
        "file": "a.yml", "line": 3, "column": 7, "check": "promql/syntax",
        "severity": "error", "message": "invalid PromQL: x",
    }  # fmt: skip


def test_json_holds_one_finding_a_line():
    lines = render(FINDINGS, "json").splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert [json.loads(line.strip().rstrip(",")) for line in lines[1:-1]] == [
        f.as_dict() for f in FINDINGS
    ]
    assert render([], "json") == "[]"


def test_json_writes_each_finding_as_json_dumps_does_whatever_its_text():
    odd = [
        Finding('a "b"\\c.yml', 1, 2, "promql/syntax", "error", 'quote " slash \\ tab \t nl \n'),
        Finding("ünï/cødé.yml", 10**6, 0, "rule/x", "info", "\x00\x1f \u2028 😀 \ud800"),
    ]
    lines = render(odd, "json").splitlines()[1:-1]
    assert [line.rstrip(",") for line in lines] == [f"  {json.dumps(f.as_dict())}" for f in odd]


def test_github_annotations_escape_what_the_workflow_syntax_reserves():
    lines = render(FINDINGS, "github").splitlines()
    assert lines[0] == "::error file=a.yml,line=3,col=7,title=promql/syntax::invalid PromQL: x"
    assert lines[2] == (
        "::notice file=dir%2Cx/b.yml,line=2,col=2,title=annotations/required::lacks: summary%0Anext"
    )


def test_the_shipped_schema_is_the_full_sarif_2_1_0_schema():
    Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert SCHEMA["required"] == ["version", "runs"]
    assert {"run", "result", "reportingDescriptor", "region"} <= SCHEMA["definitions"].keys()


def test_sarif_validation_rejects_a_broken_log():
    log = sarif(FINDINGS)
    fatal = copy.deepcopy(log)
    fatal["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(ValidationError, match="'fatal' is not one of"):
        SARIF.validate(fatal)
    line_zero = copy.deepcopy(log)
    line_zero["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"][
        "startLine"
    ] = 0
    with pytest.raises(ValidationError, match="less than the minimum"):
        SARIF.validate(line_zero)
    with pytest.raises(ValidationError, match="'runs' is a required property"):
        SARIF.validate({"version": "2.1.0"})


def test_sarif_log_names_its_schema_and_stackgen_as_the_tool():
    log = sarif(FINDINGS)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stackgen"
    assert driver["version"] == stackgen.__version__
    assert driver["informationUri"] == "https://github.com/stackgen/stackgen"


def test_sarif_results_point_at_file_line_and_column_of_each_finding():
    (run,) = sarif(FINDINGS + ODD)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(FINDINGS + ODD)
    for finding, result in zip(FINDINGS + ODD, run["results"], strict=True):
        assert result["ruleId"] == finding.check
        assert rules[result["ruleIndex"]]["id"] == finding.check
        assert result["message"]["text"] == finding.message
        (location,) = result["locations"]
        assert location["physicalLocation"] == {
            "artifactLocation": {"uri": finding.file},
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note", "error", "warning"]
    assert run["results"][-1]["message"]["text"] == 'say "hi" \\ it\u2019s ✓\n😀 next'


def test_sarif_rules_describe_every_check_then_other_ids_the_findings_carry():
    (run,) = sarif(ODD)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [check.id for check in CHECKS] + ["plugin/custom"]
    level = {"error": "error", "warning": "warning", "info": "note"}
    for check, rule in zip(CHECKS, rules[: len(CHECKS)], strict=True):
        assert rule["shortDescription"]["text"] == check.doc
        assert rule["help"]["text"] == check.hint
        assert rule["defaultConfiguration"]["level"] == level[check.severity]
    assert rules[[c.id for c in CHECKS].index("promql/syntax")]["name"] == "PromqlSyntax"
    assert rules[-1]["name"] == "PluginCustom"
    assert "plugin/custom" in rules[-1]["shortDescription"]["text"]
    assert rules[-1]["defaultConfiguration"]["level"] == "error"


def test_sarif_without_findings_is_a_valid_log_with_no_results():
    (run,) = sarif([])["runs"]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [c.id for c in CHECKS]


def test_sarif_is_indented_json_and_the_same_every_time():
    text = render(FINDINGS + ODD, "sarif")
    assert text == render(FINDINGS + ODD, "sarif")
    assert text.startswith('{\n  "$schema": ')


@pytest.mark.parametrize(
    ("file", "uri"),
    [
        ("dir,x/b.yml", "dir,x/b.yml"),
        ("./rules/a.yml", "rules/a.yml"),
        ("my rules/a 100%.yml", "my%20rules/a%20100%25.yml"),
        ("c:rules.yml", "c%3Arules.yml"),  # not a URI with the scheme `c`
    ],
)
def test_sarif_uris_are_relative_references_with_forward_slashes(file, uri):
    (run,) = sarif([Finding(file, 1, 1, "alert/name", "warning", "m")])["runs"]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri


def test_sarif_makes_absolute_paths_under_the_working_directory_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside, outside = str(tmp_path / "rules" / "a.yml"), "/elsewhere/b.yml"
    findings = [Finding(f, 1, 1, "alert/name", "warning", "m") for f in (inside, outside)]
    (run,) = sarif(findings)["runs"]
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    ]
    assert uris == ["rules/a.yml", "file:///elsewhere/b.yml"]


def test_colour_wraps_severities_in_ansi_colours_and_changes_nothing_else():
    coloured = render(FINDINGS, "text", colour=True)
    assert ANSI.sub("", coloured) == render(FINDINGS, "text")
    lines = coloured.splitlines()
    assert lines[0] == "\x1b[1ma.yml\x1b[0m"  # the file header is bold
    assert "\x1b[31merror\x1b[0m   \x1b[2mpromql/syntax\x1b[0m" in lines[1]  # red, check dim
    assert "\x1b[33mwarning\x1b[0m" in lines[2]  # yellow
    assert "\x1b[36minfo\x1b[0m" in lines[4]  # cyan


def test_without_colour_there_are_no_escapes():
    assert "\x1b" not in render(FINDINGS, "text")
    assert "\x1b" not in render(FINDINGS, "text", colour=False)
    for output_format in ("json", "github", "sarif"):  # colour is for the text format only
        assert render(FINDINGS, output_format, colour=True) == render(FINDINGS, output_format)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "env", "choice", "expected"),
    [
        (Terminal(), {}, None, True),
        (io.StringIO(), {}, None, False),  # a pipe or a file
        (Terminal(), {"NO_COLOR": "1"}, None, False),
        (Terminal(), {"NO_COLOR": ""}, None, True),  # empty counts as unset
        (Terminal(), {"TERM": "dumb"}, None, False),
        (io.StringIO(), {}, True, True),  # --color
        (Terminal(), {"NO_COLOR": "1", "TERM": "dumb"}, True, True),
        (Terminal(), {}, False, False),  # --no-color
        (object(), {}, None, False),  # no isatty at all
    ],
)
def test_use_colour_on_a_terminal_unless_told_otherwise(monkeypatch, stream, env, choice, expected):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_colour(stream, choice) is expected


def test_use_colour_on_a_closed_stream_is_false(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    closed = io.StringIO()
    closed.close()  # its isatty() raises ValueError
    assert use_colour(closed, None) is False
