"""The files a render puts in OUT, unchecked: the plain ones read from the folder they were
rendered into, the other targets' built from them, and the digests of all."""

from stackgen.render.tree import tree_files
from stackgen.spec import load_stack
from stackgen.write import digest
from tests.helpers import SPECS, out_files, render_files


def test_the_files_and_digests_of_every_target(tmp_path):
    stack = load_stack(SPECS)
    files, digests = tree_files(stack, tmp_path, stack.output.targets)
    assert dict(files) == out_files(stack)
    assert digests == {path: digest(data) for path, data in files.items()}
    assert render_files(stack).items() <= dict(files).items()


def test_without_the_plain_target_only_the_other_targets_files(tmp_path):
    stack = load_stack(SPECS)
    files, digests = tree_files(stack, tmp_path, ["kubernetes"])
    assert files and all(path.startswith("kubernetes/") for path in files)
    assert set(digests) == set(files)
    # the plain files, not written into OUT, are rendered all the same: the others read them
    assert (tmp_path / "alertmanager/alertmanager.yml").is_file()
