"""The render's own JSON writer and YAML reader: equal to json.dumps and yaml.load."""

import datetime
import gc
import json
from decimal import Decimal

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stackgen.common.values import clean_number
from stackgen.render.jsontext import canonical_json
from stackgen.render.parse import load_yaml

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def reference(value):
    """What the render wrote before: numbers cleaned, then json.dumps(indent=2)."""

    def clean(v):
        if isinstance(v, float):
            number = Decimal(clean_number(v))
            return int(number) if number == number.to_integral_value() else float(number)
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(value), indent=2, ensure_ascii=False)


@given(JSON)
def test_canonical_json_writes_what_json_dumps_writes(value):
    expected = reference(json.loads(json.dumps(value)))
    text, cleaned = canonical_json(json.loads(json.dumps(value)))
    assert text == expected
    if "NaN" not in text:  # NaN is not equal to itself
        assert cleaned == json.loads(text)  # handed on as what json.loads makes of the text


def test_canonical_json_cleans_float_noise():
    text, value = canonical_json({"a": [0.1 + 0.2, 2.0, 1e-05], "b": {}, "c": []})
    assert text == '{\n  "a": [\n    0.3,\n    2,\n    1e-05\n  ],\n  "b": {},\n  "c": []\n}'
    assert value == {"a": [0.3, 2, 0.00001], "b": {}, "c": []}


def test_canonical_json_leaves_other_values_to_json():
    assert canonical_json({"t": (1, 2.0), 3: "x"})[0] == reference({"t": [1, 2.0], "3": "x"})


# Each text, and whether it is one plain document (handed on to the checks after the render).
YAML_TEXTS = [
    ("a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: true, f: 1.5, g: ~}\n", True),
    ("- 2024-01-01\n- 0x1f\n- .inf\n- !!binary aGk=\n", True),
    ("---\na: 1\n", True),
    ("plain text\n", True),
    ("a: 1\na: 2\n", False),  # a key twice (the last value wins)
    ("1: one\n", False),  # a key that is no string
    ("[[1, 2], {3: 4}]\n", False),
    ("base: &b {x: 1}\nother: *b\n", False),  # anchors
    ("<<: {x: 1}\ny: 2\n", False),  # a merge key
    ("=: value\n", False),
    ("!!set {a, b}\n", False),  # what PyYAML builds by tag: its own constructor
    ("!!omap [a: 1]\n", False),
    ("", False),  # no document
    ("# only a comment\n", False),
]


@pytest.mark.parametrize(("text", "plain"), YAML_TEXTS)
def test_load_yaml_returns_what_yaml_load_returns(text, plain):
    assert load_yaml(text) == (yaml.load(text, Loader=yaml.CSafeLoader), plain)


@pytest.mark.parametrize(
    "text", ["a: [1\n", "a: 1\n---\nb: 2\n", "*nowhere\n", "[a]: 1\n", "!custom x\n"]
)
def test_load_yaml_raises_what_yaml_load_raises(text):
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.load(text, Loader=yaml.CSafeLoader)
    with pytest.raises(yaml.YAMLError) as got:
        load_yaml(text)
    assert str(got.value) == str(expected.value)


def test_load_yaml_types_match_pyyaml():
    document, plain = load_yaml("d: 2024-01-02 03:04:05\nn: 007\nf: 1e3\nb: off\n")
    assert plain
    assert document == {"d": datetime.datetime(2024, 1, 2, 3, 4, 5), "n": 7, "f": "1e3", "b": False}


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=20,
    )
)
def test_load_yaml_reads_any_dumped_document_as_yaml_load_does(value):
    text = yaml.safe_dump(value, allow_unicode=True)
    assert load_yaml(text) == (yaml.load(text, Loader=yaml.CSafeLoader), "&" not in text)


def test_parsing_leaves_the_garbage_collector_as_it_was():
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [1\n")
    assert gc.isenabled()
    gc.disable()
    try:
        load_yaml("a: 1\n")
        assert not gc.isenabled()
    finally:
        gc.enable()
