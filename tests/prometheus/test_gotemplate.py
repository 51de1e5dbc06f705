"""Go template text is checked the way Prometheus 2.42 parses alert annotations and labels: by
Go's text/template parser (Go 1.19), with Prometheus's functions and the variables it declares,
and judged against the real promtool on thousands of generated templates. The shapes alert
rules nearly always use are recognised without running the parser, and only ever accepted
where the parser accepts."""

import json
import random
import re

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from stackgen.lint.sources import groups_of, read, rules_of
from stackgen.prometheus import gotemplate
from stackgen.prometheus.gotemplate import _parse_error, check_template, template_error
from tests.helpers import SHARED, run_tool


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


@pytest.mark.parametrize(
    "text",
    [
        "{{ $labels.instance }} of {{ $labels.job }} is down",
        "{{$labels.job}}: {{$value}}",
        "{{ $value | humanizePercentage }} {{ $value|humanize }} {{ $value | humanize1024 }}",
        '{{ printf "%.2f" $value }} {{ $value | printf "%.1f"}} {{ "43200" | humanizeDuration }}',
        "{{ $labels }} {{ $externalLabels.cluster }} {{ $externalURL }}",
        "{{- $labels.x -}} {{-\t$value\n-}} {{ $labels.x  -}}",
        '{{ $labels.a.b }} {{ humanize }} {{ printf "%s %s" $labels.a $value | toUpper | title }}',
        "}} { a lone brace }} is text {",
    ],
)
def test_common_shapes_are_accepted_without_running_the_parser(text, monkeypatch):
    def parser(text):
        raise AssertionError(f"parsed {text!r}")

    monkeypatch.setattr(gotemplate, "_parse_error", parser)
    assert template_error.__wrapped__(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ $label.job }}", 'undefined variable "$label"'),
        ("{{ $values }}", 'undefined variable "$values"'),
        ("{{ $x }}", 'undefined variable "$x"'),
        ("{{-$labels.x}}", "illegal number syntax: '-'"),  # `{{-` trims only before a space
        ("{{ $labels.x-}}", "bad character '-'"),  # ` -}}` trims only after a space
        ("{{ $value -  }}", "illegal number syntax: '-'"),
        ("{{ $labels.x | nosuchfunc }}", 'function "nosuchfunc" not defined'),
        ("{{ $value | humanizex }}", 'function "humanizex" not defined'),
        ('{{ "\\q" }}', "invalid syntax"),
        ('{{ "a\nb" }}', "unterminated quoted string"),
        ('{{ printf "a""b" }}', 'unexpected "\\"b\\"" in operand'),
        ('{{ $labels.x | "s" }}', "non executable command in pipeline stage 2"),
        ("{{ }}", "missing value for command"),
        ("{{ | humanize }}", 'unexpected "|" in command'),
        ("{{{ $value }}", 'unexpected "{" in command'),
        ("{{ $value }", "unclosed action"),
        ("{{ $value }}{{", "unclosed action"),
        ("{{ $labels.job} }}", 'unexpected "}" in operand'),
        ("{{ $labels. }}", "unexpected <.> in operand"),
        ("{{ $labels.1x }}", "bad number syntax: '.1x'"),
        ("{{ end }}", "unexpected {{end}}"),
    ],
)
def test_near_misses_of_the_common_shapes_are_refused(text, message):
    assert template_error(text) == f"line 1: {message}"


# Pieces of actions, each as alert rules write it (common) or as they write it by mistake (odd).
VARIABLES = (["$labels", "$value", "$externalLabels", "$externalURL"], ["$label", "$x", "$"])
FIELDS = ([".job", ".instance", "._x", ".a1", ""], [".", ".1", ".é", ".job-x", ".if"])
FUNCTIONS = (["humanize", "humanize1024", "printf", "toUpper"], ["humanizex", "nosuch", "end"])
STRINGS = (['"%.2f"', '""', '"}}"', '"{{"', '"é"'], ['"\\q"', '"\\n"', '"a\nb"', '"x', "`r`"])
WORDS = ([], ["if", "else", "range", "true", "nil", "1", "-1", ".x", "(", ")", "'a'", ":=", ","])
SPACES = (["", " ", "  ", "\t", "\n", "\r"], [" - ", "-", " -", "- "])
PIPES = (["|", " | ", "| ", " |"], ["||", " ", "| |"])
OPENINGS = (["{{", "{{-"], ["{{{", "{{/* c */", "{{ /*"])
CLOSINGS = (["}}", "-}}"], ["}", "} }", "*/}}", "}}}"])
TEXTS = (["", "down ", "}}", "}", "{", "-", "\n", "é"], ["{ {", "/*", "{{"])


@st.composite
def pieces(draw: st.DrawFn, choices: tuple[list[str], list[str]]) -> str:
    """Mostly a common piece; one time in ten an odd one."""
    common, odd = choices
    return draw(st.sampled_from(odd if not common or draw(st.integers(0, 9)) == 0 else common))


@st.composite
def actions(draw: st.DrawFn) -> str:
    def value() -> str:
        kind = draw(pieces((["variable", "variable", "string"], ["word"])))
        if kind == "variable":
            return draw(pieces(VARIABLES)) + draw(pieces(FIELDS))
        return draw(pieces(STRINGS if kind == "string" else WORDS))

    def stage(first: bool) -> str:
        """A function and its arguments; first, also a lone value; oddly, values alone."""
        shape = draw(pieces((["command", "value" if first else "command"], ["values"])))
        if shape == "value":
            return value()
        values = [value() for _ in range(draw(st.integers(0 if shape == "command" else 2, 2)))]
        return " ".join([draw(pieces(FUNCTIONS))] * (shape == "command") + values)

    count = draw(pieces((["1", "1", "2", "3"], ["0"])))
    stages = [stage(index == 0) for index in range(int(count))]
    inside = draw(pieces(SPACES)) + draw(pieces(PIPES)).join(stages) + draw(pieces(SPACES))
    return draw(pieces(OPENINGS)) + inside + draw(pieces(CLOSINGS))


@seed(17)
@settings(max_examples=1000, database=None)
@given(st.lists(st.one_of(pieces(TEXTS), actions()), max_size=6))
def test_the_common_shapes_are_accepted_only_where_the_parser_accepts(parts):
    """Templates of common pieces, with now and then a near miss: whichever way the shortcut
    goes, the verdict (and the message) is the parser's."""
    text = "".join(parts)
    assert template_error(text) == _parse_error(text)


def _corpus_values() -> list[str]:
    """Every label and annotation value of every rule in the corpus's rule files."""
    values = []
    for path in sorted((SHARED / "corpus" / "rules").rglob("*")):
        if path.suffix in (".yml", ".yaml"):
            documents, _ = read(path.read_text(encoding="utf-8"), str(path))
            for document, source in documents:
                for group in groups_of(document, source, str(path)) or ():
                    for rule in rules_of(group):
                        values += [*rule.labels.values(), *rule.annotations.values()]
    return values


@pytest.mark.corpus
def test_the_corpus_templates_get_the_parsers_verdict():
    values = _corpus_values()
    assert len(values) > 3000
    differ = [text for text in values if template_error(text) != _parse_error(text)]
    assert differ == []
