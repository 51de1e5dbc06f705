"""Reading inside a folder: regular files below it only, never through a link."""

import pytest

from stackgen.common.confined import read_in
from tests.helpers import write_tree


def test_read_in_reads_a_regular_file_below_out(tmp_path):
    write_tree(tmp_path / "out", {"d/a.yml": b"1\n"})
    assert read_in(tmp_path / "out", "d/a.yml") == b"1\n"
    with pytest.raises(OSError):
        read_in(tmp_path / "out", "d/../d/a.yml")
