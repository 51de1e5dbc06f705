"""YAML read with aliases expanded within a budget."""

import pytest
import yaml

from stackgen.common.yaml_io import (
    ALIAS_BUDGET,
    AliasBudgetError,
    Loader,
    load,
    load_all,
    load_yaml,
)

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    "read",
    [
        load,
        load_all,
        lambda text: load_yaml(text)[0],
        lambda text: Loader(text).get_single_node(),
    ],
)
def test_a_billion_laughs_is_refused_at_the_alias_that_passes_the_budget(read):
    with pytest.raises(AliasBudgetError) as raised:
        read(LAUGHS)
    assert raised.value.problem_mark.line + 1 == 5  # e's aliases pass 100,000 nodes
    assert "past the budget" in str(raised.value)


def test_shared_blocks_well_within_the_budget_load_as_before():
    block = "shared: &s {" + ", ".join(f"k{i}: v" for i in range(20)) + "}\n"
    text = block + "items:\n" + "  - *s\n" * 1000  # 20,000 nodes by aliases
    assert load(text) == yaml.safe_load(text)


def test_the_budget_grows_with_the_nodes_written():
    wide = "shared: &s [" + ", ".join(["x"] * 1000) + "]\n"
    text = wide + "filler: [" + ", ".join(["y"] * 20_000) + "]\nuses: [" + "*s, " * 120 + "]\n"
    assert len(load(text)["uses"]) == 120  # 120,000 nodes, under 100,000 + 10 * 21,000
    assert ALIAS_BUDGET < 120 * 1000


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(AliasBudgetError, match="inside the node it refers to"):
        load("a: &x {b: [*x]}\n")
