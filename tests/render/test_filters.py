import json

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stackgen.render.filters import to_json, to_yaml, to_yaml_block, to_yaml_document

NASTY = [
    "a: b",
    "x\ny",
    "{{ $labels.job }}",
    "yes",
    "no",
    "null",
    "",
    "#comment",
    "- item",
    "'quoted'",
    '"double"',
    "back\\slash",
    "1e3",
    "0x1F",
    ".inf",
    "tab\there",
    "nel\x85line",
    "line\u2028sep",
    "\ufeffbom",
    "emoji 😀",
    "trailing space ",
    " leading",
    "key: [1, 2]",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "| block",
    "> folded",
]


@pytest.mark.parametrize("value", NASTY)
def test_yaml_filter_keeps_nasty_strings_intact_inside_a_document(value):
    document = f"outer:\n  key: {to_yaml(value)}\n  after: ok\n"
    assert yaml.safe_load(document) == {"outer": {"key": value, "after": "ok"}}


@given(st.text())
def test_yaml_filter_round_trips_any_text(value):
    document = f"- key: {to_yaml(value)}\n  next: 1\n"
    assert yaml.safe_load(document) == [{"key": value, "next": 1}]


@given(st.dictionaries(st.text(min_size=1), st.text() | st.integers() | st.booleans()))
def test_yaml_filter_round_trips_flow_mappings(value):
    assert yaml.safe_load(f"k: {to_yaml(value)}\n") == {"k": value}


def test_yaml_filter_writes_clean_numbers():
    assert to_yaml(0.1 + 0.2) == "0.3"
    assert to_yaml([0.9990000000000001]) == "[0.999]"


def test_yaml_filter_quotes_what_yaml_1_2_reads_as_a_number():
    # Go's yaml.v3 reads 1e3 as a float; PyYAML (YAML 1.1) would not quote it.
    assert to_yaml("1e3") == '"1e3"'
    assert to_yaml("15s") == "15s"


@given(st.dictionaries(st.text(min_size=1), st.text(), min_size=1))
def test_yaml_block_indents_consistently(value):
    document = "items:\n  - " + to_yaml_block(value, 4) + "\n"
    assert yaml.safe_load(document) == {"items": [value]}


@given(st.text())
def test_json_filter_round_trips(value):
    assert json.loads(f'{{"k": {to_json(value)}}}') == {"k": value}


@given(st.dictionaries(st.text(min_size=1), st.text() | st.lists(st.text()), min_size=1))
def test_yaml_document_round_trips_any_text(value):
    assert yaml.safe_load(to_yaml_document(value)) == value


def test_yaml_document_writes_multi_line_text_as_a_literal_block():
    assert to_yaml_document({"f": "a: 1\nb: 2\n", "n": "1e3"}) == 'f: |\n  a: 1\n  b: 2\nn: "1e3"\n'


def test_ascii_text_needs_escapes_exactly_when_it_holds_a_control_character():
    import unicodedata

    from stackgen.render.filters import _needs_escapes

    for code in range(128):
        text = f"a{chr(code)}b"
        by_category = any(unicodedata.category(c)[0] in "CZ" and c != " " for c in text)
        assert _needs_escapes(text) == by_category, code


@given(st.text() | st.sampled_from(NASTY), st.booleans())
def test_yaml_filter_fast_path_writes_what_yaml_dump_writes(value, in_flow):
    from stackgen.render.filters import _dumped_scalar, _scalar

    assert _scalar.__wrapped__(str, value, in_flow) == _dumped_scalar(str, value, in_flow)


@pytest.mark.parametrize(
    "value",
    [
        *NASTY,
        *("true", "True", "~", "NULL", "1_000", "0o17", "1:30", "2024-01-01", "=", "<<"),
        *("---", "...", "--- x", "a #b", "a#b", "-x", "- x", "?x", "? x", ":x", "x:", "x: y"),
        'sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) > 0.01',
        "{{ $labels.instance }} is down",
        "https://grafana.example/d/abc?var-x=1",
        "ünïcödé text",
    ],
)
@pytest.mark.parametrize("in_flow", [False, True])
def test_yaml_filter_fast_path_on_typical_and_edge_strings(value, in_flow):
    from stackgen.render.filters import _dumped_scalar, _scalar

    assert _scalar.__wrapped__(str, value, in_flow) == _dumped_scalar(str, value, in_flow)


YAML_ASCII = st.text(st.sampled_from(list(" -?:#.,[]{}&*!|>'\"%@`ab1")), max_size=6)


@given(YAML_ASCII | st.text(st.characters(min_codepoint=32, max_codepoint=126)))
def test_the_ascii_plain_check_agrees_with_pyyaml_emitter(value):
    from stackgen.render.filters import _ANALYST, _NOT_BLOCK_PLAIN

    plain = _ANALYST.analyze_scalar(value).allow_block_plain
    assert (_NOT_BLOCK_PLAIN.search(value) is None) == plain
