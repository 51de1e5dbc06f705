"""A bounded memo works each result out once, and forgets the oldest once it is full."""

from stackgen.common.memo import BoundedMemo


def test_a_result_is_worked_out_once_per_key():
    calls = []
    memo: BoundedMemo[str, int] = BoundedMemo(4)
    for key in ["a", "b", "a", "a", "b"]:
        memo.get(key, lambda key=key: calls.append(key) or len(key))
    assert calls == ["a", "b"]


def test_a_full_memo_forgets_its_oldest_result_first():
    calls = []
    memo: BoundedMemo[int, int] = BoundedMemo(2)
    for key in [1, 2, 3, 2, 1]:
        memo.get(key, lambda key=key: calls.append(key) or key * 10)
    assert calls == [1, 2, 3, 1]  # 1 went when 3 came; 2 was still there
    assert len(memo) == 2
