"""The spec's rule groups kept as written: validated as Prometheus loads them, and placed in rule
files that exist with names of their own, errors located in the spec."""

import pytest

from stackgen.spec import SpecErrors
from tests.helpers import MINIMAL, stack_from

GROUP = "    rules:\n      - {alert: Down, expr: up == 0}\n"


def _errors(tmp_path, extra: str) -> list[str]:
    with pytest.raises(SpecErrors) as failed:
        stack_from(tmp_path, MINIMAL + extra)
    return [str(e) for e in failed.value.errors]


def test_groups_with_and_without_a_service_validate(tmp_path):
    stack = stack_from(
        tmp_path, MINIMAL + "rule_groups:\n  - name: mine\n    service: api\n" + GROUP
        + "  - name: mine\n" + GROUP,
    )  # fmt: skip
    assert [(g.name, g.service) for g in stack.rule_groups] == [("mine", "api"), ("mine", None)]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("rule_groups:\n  - name: g\n    service: nope\n" + GROUP,
         "rule_groups[g].service: no service is named `nope` (known: `api`)"),
        ("rule_groups:\n  - name: g\n" + GROUP + "  - name: g\n" + GROUP,
         "rule_groups[g].name: rule group `g` is already in this rule file"),
        ("rule_groups:\n  - name: api.alerts\n    service: api\n" + GROUP,
         "`api.alerts` is a group stackgen generates for `api`"),
        ("rule_groups:\n  - name: g\n    rules:\n      - {alert: A, expr: 'up =='}\n",
         "rule_groups[g].rules[0].expr: invalid PromQL"),
        ("rule_groups:\n  - name: g\n    rules:\n      - {record: r, expr: up, for: 1m}\n",
         "rule_groups[g].rules[0].for: unknown key `for`"),
        ("rule_groups:\n  - name: g\n    rules:\n      - {alert: A, expr: up, labels: {a-b: x}}\n",
         "is not a label name Prometheus accepts"),
    ],
)  # fmt: skip
def test_misplaced_or_broken_groups_are_located(tmp_path, extra, says):
    errors = _errors(tmp_path, extra)
    assert any(says in e and e.startswith(f"{tmp_path / 'spec.yml'}:") for e in errors), errors


def test_a_service_named_legacy_clashes_only_with_groups_of_no_service(tmp_path):
    legacy = MINIMAL.replace("name: api", "name: legacy")
    assert stack_from(tmp_path, legacy).services[0].name == "legacy"
    with pytest.raises(SpecErrors, match="`legacy` is the rule file"):
        stack_from(tmp_path, legacy + "rule_groups:\n  - name: g\n" + GROUP)


def test_rule_groups_of_several_files_are_concatenated(tmp_path):
    from stackgen.spec import load_stack
    from tests.helpers import write

    write(tmp_path, "specs/stack.yml", MINIMAL + "rule_groups:\n  - name: a\n" + GROUP)
    write(tmp_path, "specs/imported.yml", "rule_groups:\n  - name: b\n" + GROUP)
    stack = load_stack(tmp_path / "specs")
    assert [g.name for g in stack.rule_groups] == ["b", "a"]  # files in name order
