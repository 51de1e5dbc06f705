"""Go template text is checked the way Prometheus 2.42 parses alert annotations and labels: by
Go's text/template parser (Go 1.19), with Prometheus's functions and the variables it declares,
and judged against the real promtool on thousands of generated templates."""

import json
import random
import re

import pytest

from stackgen.prometheus.gotemplate import check_template, template_error
from tests.helpers import run_tool


@pytest.mark.parametrize(
    "text",
    [
        "plain text, no action",
        "{{ $labels.job }} is down",
        "{{ $value | humanizePercentage }} of {{ $labels.instance }}",
        '{{ "{{" }} a literal brace, as the error message suggests',
        "{{ `}}` }} a raw string holding the closing delimiter",
        '{{- if eq $labels.severity "critical" -}}page{{- else -}}ticket{{- end -}}',
        "{{ with $labels.x }}{{ . }}{{ end }}",
        "{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}",
        "{{/* a comment */}}{{- /* trimmed */ -}}",
        '{{ reReplaceAll "(.*):.*" "$1" $labels.instance }}',
        "}} outside an action is text",
        "{{ if gt $value 1.5 }}a{{ else if lt $value 0.5 }}b{{ else }}c{{ end }}",
        '{{ range query "up" }}{{ .Labels.instance }}{{ break }}{{ end }}',
        '{{ define "x" }}{{ . }}{{ end }}{{ template "x" . }}',
        "{{ $x := 1 }}{{ $x }} {{ 0x1F }} {{ 1e3 }} {{ -3 }} {{ 'a' }} {{ 1_000 }}",
        "{{\n$labels.job\n}} (newlines inside an action, as Go 1.16 and later take)",
        "{{ $externalURL }}{{ $externalLabels.cluster }}{{ .Value }}",
    ],
)
def test_text_prometheus_accepts_passes(text):
    assert check_template(text) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ $labels.job", "unclosed action"),
        ('{{ "}}', "unterminated quoted string"),
        ("{{ $labels.job | nosuch }}", 'function "nosuch" not defined'),
        ("{{ toDuration 5 }}", 'function "toDuration" not defined'),  # newer than 2.42
        ("{{ if $labels.x }}open", "unexpected EOF"),
        ("{{ end }}", "unexpected {{end}}"),
        ("{{ $label.job }}", 'undefined variable "$label"'),
        ("x{{ else }}", "unexpected {{else}}"),
        ("{{ if }}x{{ end }}", "missing value for if"),
        ("{{ (humanize $value }}", "unclosed left paren"),
        ("{{ break }}", "{{break}} outside {{range}}"),
        ("{{/* c */ }}", "comment ends before closing delimiter"),
        ("{{ $labels.plug-l1 }}", "bad character"),
        ("{{ 1 | 2 }}", "non executable command in pipeline stage 2"),
        ('{{ define "x" }}{{ $labels }}{{ end }}', 'undefined variable "$labels"'),
        ("{{ if 1 }}{{ $y := 2 }}{{ end }}{{ $y }}", 'undefined variable "$y"'),
        ("a\nb {{ nosuch }}", "line 2:"),
    ],
)
def test_text_prometheus_refuses_is_refused_with_gos_reason(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_template(text)


PIECES = [
    "{{",
    "}}",
    "{{-",
    "-}}",
    "$labels",
    "$label",
    ".job",
    ".",
    "$value",
    "$",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "(",
    ")",
    "|",
    '"x"',
    '"}}"',
    "`r`",
    "'a'",
    "1",
    "1.5",
    "-2",
    "0x1F",
    "08",
    "1e400",
    "humanize",
    "printf",
    "nosuch",
    "eq",
    ":=",
    "=",
    "$x",
    ",",
    "/*",
    "*/",
    "nil",
    "true",
    "-",
    "index",
    "len",
    "and",
    "'ab'",
    '"\\q"',
    "@",
    "é",
    "\n",
    "text ",
]


def _generated(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "".join(
            rng.choice(PIECES) + rng.choice(("", " ")) for _ in range(rng.randint(1, 12))
        )
    head = rng.choice(["", "if ", "with ", "range ", "range $i, $v := ", "$x := ", "else if "])
    value = rng.choice(["$labels.job", "$value", ".", "$x", "1", '"s"', "(humanize $value)", ""])
    pipe = rng.choice(["", " | humanize", ' | printf "%s"', " | 1", " | nosuch", "|"])
    body = rng.choice(["x", "{{ . }}", "{{ break }}", "{{ else }}y", "{{ else if . }}z", ""])
    end = rng.choice(["{{ end }}", "", "{{end}}{{end}}", "{{- end -}}"])
    return "{{ " + head + value + pipe + " }}" + body + end


@pytest.mark.slow
def test_the_parser_agrees_with_promtool_on_generated_templates(tmp_path):
    """3,000 templates (about half of them refused), one alert each, in one promtool run."""
    rng = random.Random(17)
    texts = [_generated(rng) for _ in range(3000)]
    lines = ["groups:", "  - name: g", "    rules:"]
    for index, text in enumerate(texts):
        lines += [f"      - alert: A{index}", "        expr: up", "        annotations:"]
        lines.append(f"          a: {json.dumps(text)}")
    rules = tmp_path / "templates.yml"
    rules.write_text("\n".join(lines) + "\n")
    said = run_tool("promtool", "check", "rules", "--lint=none", str(rules)).stderr
    refused = {int(n) - 1 for n in re.findall(r'rule (\d+), "A\d+": annotation "a"', said)}
    assert 1000 < len(refused) < 2000
    differ = [
        (text, index in refused)
        for index, text in enumerate(texts)
        if (template_error(text) is not None) != (index in refused)
    ]
    assert differ == []
