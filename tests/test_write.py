"""Writing OUT: atomic swap, the manifest, stale files, foreign files, and --check diffs."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from stackgen.write import (
    MANIFEST,
    FolderFiles,
    WriteError,
    unified_diff,
    write_files,
    write_staged,
)
from tests.helpers import write_tree


def snapshot(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_first_write_creates_out_with_a_manifest(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a/b.yml": b"x: 1\n"})
    assert (out / "a/b.yml").read_bytes() == b"x: 1\n"
    manifest = json.loads((out / MANIFEST).read_text())
    assert list(manifest["files"]) == ["a/b.yml"]


def test_files_the_spec_no_longer_produces_are_removed(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"keep.yml": b"1\n", "old/gone.yml": b"2\n"})
    write_tree(out, {"keep.yml": b"1\n"})
    assert snapshot(out).keys() == {"keep.yml", MANIFEST}


def test_files_stackgen_did_not_write_are_kept_untouched(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"gen.yml": b"1\n"})
    (out / "notes").mkdir()
    (out / "notes/README.md").write_text("mine\n")
    (out / "empty-dir").mkdir()
    inode = (out / "notes/README.md").stat().st_ino
    write_tree(out, {"gen.yml": b"2\n"})
    assert (out / "notes/README.md").read_text() == "mine\n"
    assert (out / "notes/README.md").stat().st_ino == inode  # the same file, not a copy
    assert (out / "empty-dir").is_dir()


def test_a_foreign_file_in_the_way_is_an_error_and_out_is_unchanged(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "prometheus.yml").write_text("hand-written\n")
    with pytest.raises(WriteError, match="was not written by stackgen"):
        write_tree(out, {"prometheus.yml": b"generated\n"})
    assert snapshot(out) == {"prometheus.yml": b"hand-written\n"}


def test_a_failed_verification_leaves_out_as_it_was(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"old\n"})
    before = snapshot(out)

    def reject(staging):
        assert (staging / "a.yml").read_bytes() == b"new\n"
        raise RuntimeError("promtool said no")

    with pytest.raises(RuntimeError):
        write_tree(out, {"a.yml": b"new\n"}, verify=reject)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary tree left behind


def test_a_render_killed_mid_way_leaves_out_as_it_was(tmp_path):
    """SIGKILL while the new tree is being built: OUT keeps every old byte; the next
    render cleans the leftover temporary tree."""
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"old\n", "b.yml": b"old\n"})
    before = snapshot(out)
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from stackgen.write import write_files, write_staged
        def die(staging):
            os.kill(os.getpid(), signal.SIGKILL)
        files = {{"a.yml": b"new\\n"}}
        write_staged(Path({str(out)!r}), lambda staging: write_files(staging, files), verify=die)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    leftovers = [p for p in tmp_path.iterdir() if p.name != "out"]
    assert leftovers, "the killed render should have left its temporary tree"
    write_tree(out, {"a.yml": b"new\n"})
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (out / "a.yml").read_bytes() == b"new\n"


def test_out_keeps_its_permissions(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n"})
    os.chmod(out, 0o750)
    write_tree(out, {"a.yml": b"2\n"})
    assert out.stat().st_mode & 0o777 == 0o750


def test_diff_is_empty_when_out_is_current(tmp_path):
    out = tmp_path / "out"
    files = {"a.yml": b"x: 1\n"}
    write_tree(out, files)
    assert unified_diff(out, files, "out") == ""


def test_diff_shows_edits_missing_and_stale_files(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"x: 1\n", "stale.yml": b"s\n"})
    (out / "a.yml").write_text("x: 2\n")
    (out / "mine.txt").write_text("not ours, not compared\n")
    diff = unified_diff(out, {"a.yml": b"x: 1\n", "new.yml": b"n\n"}, "out")
    assert "--- a/out/a.yml\n+++ b/out/a.yml\n" in diff and "-x: 2\n+x: 1\n" in diff
    assert "--- /dev/null\n+++ b/out/new.yml\n" in diff
    assert "--- a/out/stale.yml\n+++ /dev/null\n" in diff
    assert "mine.txt" not in diff


def test_diff_against_a_missing_out_lists_every_file(tmp_path):
    diff = unified_diff(tmp_path / "nope", {"a.yml": b"1\n"}, "nope")
    assert "+++ b/nope/a.yml" in diff and f"+++ b/nope/{MANIFEST}" in diff


def test_a_damaged_manifest_is_reported(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("{not json")
    with pytest.raises(WriteError, match="is damaged"):
        write_tree(out, {"a.yml": b"1\n"})


def test_a_foreign_symlink_to_a_folder_is_kept_as_a_link(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n"})
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/data.txt").write_text("theirs\n")
    (out / "linkdir").symlink_to(tmp_path / "elsewhere")
    write_tree(out, {"a.yml": b"2\n"})
    assert (out / "linkdir").is_symlink()
    assert (out / "linkdir/data.txt").read_text() == "theirs\n"


def test_a_foreign_file_where_a_folder_is_needed_is_in_the_way(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n"})
    (out / "runbooks").write_text("a file, not a folder\n")
    before = snapshot(out)
    with pytest.raises(WriteError, match="runbooks was not written by stackgen"):
        write_tree(out, {"a.yml": b"1\n", "runbooks/X.md": b"# X\n"})
    assert snapshot(out) == before


def test_a_foreign_folder_where_a_file_is_needed_is_in_the_way(tmp_path):
    out = tmp_path / "out"
    (out / "a.yml").mkdir(parents=True)
    (out / "a.yml/inside").write_text("mine\n")
    with pytest.raises(WriteError, match="was not written by stackgen"):
        write_tree(out, {"a.yml": b"1\n"})
    assert (out / "a.yml/inside").read_text() == "mine\n"


def test_an_out_that_is_a_symlink_is_written_where_it_points(tmp_path):
    real = tmp_path / "real"
    write_tree(real, {"a.yml": b"1\n"})
    link = tmp_path / "link"
    link.symlink_to(real)
    write_tree(link, {"a.yml": b"2\n"})
    assert link.is_symlink()
    assert (real / "a.yml").read_bytes() == b"2\n"


def test_subfolders_keep_their_permissions(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"secret/a.yml": b"1\n"})
    os.chmod(out / "secret", 0o700)
    write_tree(out, {"secret/a.yml": b"2\n"})
    assert (out / "secret").stat().st_mode & 0o777 == 0o700


def test_the_temporary_tree_of_a_render_still_running_is_left_alone(tmp_path):
    out = tmp_path / "out"
    running = tmp_path / f".out.stackgen-tmp-{os.getpid()}-abc"
    running.mkdir()
    write_tree(out, {"a.yml": b"1\n"})
    assert running.is_dir()


def test_an_empty_foreign_folder_where_a_file_goes_is_in_the_way(tmp_path):
    out = tmp_path / "out"
    (out / "runbooks/X.md").mkdir(parents=True)
    with pytest.raises(WriteError, match=r"runbooks/X\.md was not written by stackgen"):
        write_tree(out, {"runbooks/X.md": b"# X\n"})


@pytest.mark.parametrize("manifest", ['{"files": [1]}', "[]", None])
def test_a_manifest_of_the_wrong_shape_is_damaged(tmp_path, manifest):
    out = tmp_path / "out"
    out.mkdir()
    if manifest is None:
        (out / MANIFEST).mkdir()  # a folder, not a file
    else:
        (out / MANIFEST).write_text(manifest)
    with pytest.raises(WriteError, match="is damaged"):
        unified_diff(out, {"a.yml": b"1\n"}, "out")


def test_diff_reports_a_folder_where_a_managed_file_was(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n"})
    (out / "a.yml").unlink()
    (out / "a.yml").mkdir()
    assert "-<Is a directory>\n+1\n" in unified_diff(out, {"a.yml": b"1\n"}, "out")


def test_files_written_elsewhere_are_compared_as_read_with_their_digests(tmp_path):
    # render --check renders into a folder of its own and compares file by file from there
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    write_tree(out, {"a.yml": b"x: 1\n", "stale.yml": b"s\n"})
    wanted = {"a.yml": b"x: 2\n", "b/new.yml": b"n\n"}
    digests = write_files(elsewhere, wanted)
    files = FolderFiles(elsewhere, digests)
    assert dict(files) == wanted and "stale.yml" not in files
    assert unified_diff(out, files, "out", digests) == unified_diff(out, wanted, "out")
    write_staged(out, lambda staging: write_files(staging, wanted))
    assert unified_diff(out, files, "out", digests) == ""


def test_a_produced_file_in_the_way_of_a_foreign_one_leaves_out_as_it_was(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n"})
    (out / "mine.yml").write_text("mine\n")
    with pytest.raises(WriteError, match=r"mine\.yml was not written by stackgen"):
        write_staged(out, lambda staging: write_files(staging, {"mine.yml": b"theirs\n"}))
    assert (out / "mine.yml").read_text() == "mine\n" and (out / "a.yml").read_bytes() == b"1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging tree left behind


# --- OUT may come from a pull request: nothing outside it is read --------------------------


@pytest.mark.parametrize("entry", ["../canary.txt", "/etc/hostname", "a/../../canary.txt", "./a"])
def test_a_manifest_naming_a_path_outside_out_is_refused(tmp_path, entry):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n"})
    (tmp_path / "canary.txt").write_text("CANARY\n")
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"][entry] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(WriteError, match="not a relative path inside") as raised:
        unified_diff(out, {"a.yml": b"1\n"}, "out")
    assert "CANARY" not in str(raised.value)


def test_a_managed_file_turned_into_a_link_is_shown_as_a_link_never_followed(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n", "d/b.yml": b"2\n"})
    (tmp_path / "canary.txt").write_text("CANARY\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.yml").write_text("CANARY\n")
    (out / "a.yml").unlink()
    (out / "a.yml").symlink_to(tmp_path / "canary.txt")
    shutil.rmtree(out / "d")
    (out / "d").symlink_to(tmp_path / "elsewhere")
    diff = unified_diff(out, {"a.yml": b"1\n", "d/b.yml": b"2\n"}, "out")
    assert "CANARY" not in diff
    assert "-<a symbolic link, not followed>\n+1\n" in diff
    assert "-<a symbolic link, not followed>\n+2\n" in diff


def test_a_manifest_that_is_a_link_is_not_followed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "manifest.json"
    elsewhere.write_text(json.dumps({"files": {"a.yml": "0"}}))
    (out / MANIFEST).symlink_to(elsewhere)
    with pytest.raises(WriteError, match="a symbolic link, not followed"):
        unified_diff(out, {"a.yml": b"1\n"}, "out")


def test_a_named_pipe_in_out_is_not_opened_for_reading(tmp_path):
    out = tmp_path / "out"
    write_tree(out, {"a.yml": b"1\n"})
    (out / "a.yml").unlink()
    os.mkfifo(out / "a.yml")  # reading it would wait for a writer forever
    assert "-<not a regular file>\n+1\n" in unified_diff(out, {"a.yml": b"1\n"}, "out")
