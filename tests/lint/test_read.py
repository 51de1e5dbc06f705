"""Rule files are read with libyaml and their positions only when a finding needs one: what is
read, and where, is what the position-keeping reader says."""

import pytest

from stackgen.lint.sources import LazySource, read
from stackgen.spec.loader import read_documents
from tests.helpers import OUT, SHARED

FILES = [
    *(
        pytest.param(p, marks=pytest.mark.corpus, id=p.name)
        for p in sorted((SHARED / "corpus" / "rules").rglob("*.yml"))[:40]
    ),
    *(pytest.param(p, id=p.name) for p in sorted((OUT / "prometheus" / "rules").glob("*.yml"))),
]


@pytest.mark.parametrize("path", FILES)
def test_documents_and_positions_are_those_of_the_position_keeping_reader(path):
    text = path.read_text(encoding="utf-8")
    documents, errors = read(text, str(path))
    slow, slow_errors = read_documents(text, str(path))
    assert [d for d, _ in documents] == [d for d, _ in slow]
    assert errors == [(e.position.line, e.position.column, e.message) for e in slow_errors]
    for (_, source), (_, exact) in zip(documents, slow, strict=True):
        for place in exact.values:
            assert source.locate(place) == exact.locate(place)
            # a place not written: its nearest written ancestor
            assert source.locate((*place, "absent")) == exact.locate((*place, "absent"))
        for place in exact.keys:
            assert source.locate(place, key=True) == exact.locate(place, key=True)


@pytest.mark.parametrize(
    "text",
    [
        "groups:\n- name: a\n  name: b\n  rules: []\n",  # a duplicate key
        "groups:\n- name: a\n  rules:\n  - {1: x}\n",  # a key that is not a string
        "base: &b {for: 5m}\ngroups:\n- name: a\n  rules:\n  - {<<: *b, alert: A}\n",  # merge
        "groups:\n- name: a\n  rules:\n  - {<<: {for: 5m}, alert: A}\n",  # merge, no anchor
    ],
)
def test_what_libyaml_would_read_differently_goes_the_slow_way(text):
    documents, errors = read(text, "x.yml")
    slow, slow_errors = read_documents(text, "x.yml")
    assert [d for d, _ in documents] == [d for d, _ in slow]
    assert errors == [(e.position.line, e.position.column, e.message) for e in slow_errors]
    assert not any(isinstance(source, LazySource) for _, source in documents)
