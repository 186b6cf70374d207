"""files.apply: create / identical / update / conflict, the manifest, and paths kept in dest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from decomposer import files
from decomposer.errors import UserError
from decomposer.models import RenderedFile


def rendered(**contents: str) -> list[RenderedFile]:
    return [RenderedFile(path=p.replace("__", "/"), content=c) for p, c in contents.items()]


def actions(changes: tuple[object, ...]) -> dict[str, str]:
    return {c.path: c.action for c in changes}  # type: ignore[attr-defined]


def test_new_files_are_created_and_recorded(tmp_path: Path) -> None:
    changes = files.apply(rendered(infra__main_tf="a"), tmp_path, force=False, dry_run=False)
    assert actions(changes) == {"infra/main_tf": "create"}
    assert (tmp_path / "infra/main_tf").read_text() == "a"
    assert "infra/main_tf" in json.loads((tmp_path / files.MANIFEST).read_text())


def test_same_bytes_are_identical(tmp_path: Path) -> None:
    files.apply(rendered(a="x"), tmp_path, force=False, dry_run=False)
    assert actions(files.apply(rendered(a="x"), tmp_path, force=False, dry_run=False)) == {
        "a": "identical"
    }


def test_a_generated_file_not_edited_since_is_updated(tmp_path: Path) -> None:
    files.apply(rendered(a="old"), tmp_path, force=False, dry_run=False)
    changes = files.apply(rendered(a="new"), tmp_path, force=False, dry_run=False)
    assert actions(changes) == {"a": "update"}
    assert (tmp_path / "a").read_text() == "new"


def test_a_file_changed_in_both_places_stays_and_the_new_version_goes_beside_it(
    tmp_path: Path,
) -> None:
    files.apply(rendered(a="old", b="old"), tmp_path, force=False, dry_run=False)
    (tmp_path / "a").write_text("edited by hand")
    changes = files.apply(rendered(a="new", b="new"), tmp_path, force=False, dry_run=False)
    assert actions(changes) == {"a": "conflict", "b": "update"}
    assert (tmp_path / "a").read_text() == "edited by hand"
    assert (tmp_path / "a.new").read_text() == "new"
    assert (tmp_path / "b").read_text() == "new"


def test_an_edit_is_kept_when_nothing_new_was_generated_for_the_file(tmp_path: Path) -> None:
    files.apply(rendered(a="old"), tmp_path, force=False, dry_run=False)
    (tmp_path / "a").write_text("edited by hand")
    changes = files.apply(rendered(a="old"), tmp_path, force=False, dry_run=False)
    assert actions(changes) == {"a": "keep"}
    assert (tmp_path / "a").read_text() == "edited by hand"
    assert not (tmp_path / "a.new").exists()


def test_a_file_we_did_not_generate_is_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("theirs")
    changes = files.apply(rendered(a="ours"), tmp_path, force=False, dry_run=True)
    assert actions(changes) == {"a": "conflict"}


def test_force_overwrites_conflicts_keeping_a_backup(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("theirs")
    changes = files.apply(rendered(a="ours"), tmp_path, force=True, dry_run=False)
    assert actions(changes) == {"a": "overwrite"}
    assert (tmp_path / "a").read_text() == "ours"
    assert (tmp_path / "a.orig").read_text() == "theirs"


def test_force_never_overwrites_a_file_the_team_owns(tmp_path: Path) -> None:
    handlers = RenderedFile(path="svc/handlers.py", content="old", is_teams=True)
    files.apply([handlers], tmp_path, force=False, dry_run=False)
    (tmp_path / "svc/handlers.py").write_text("implemented")
    newer = handlers.model_copy(update={"content": "new"})
    changes = files.apply([newer], tmp_path, force=True, dry_run=False)
    assert actions(changes) == {"svc/handlers.py": "conflict"}
    assert (tmp_path / "svc/handlers.py").read_text() == "implemented"
    assert (tmp_path / "svc/handlers.py.new").read_text() == "new"


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    changes = files.apply(rendered(a="x"), tmp_path / "out", force=False, dry_run=True)
    assert actions(changes) == {"a": "create"}
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../outside", "a/../../b", ".decomposer-manifest.json"]
)
def test_paths_outside_dest_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(UserError, match="refusing to write"):
        files.apply([RenderedFile(path=path, content="x")], tmp_path, force=True, dry_run=False)


def test_a_symbolic_link_out_of_dest_is_refused(tmp_path: Path) -> None:
    dest, outside = tmp_path / "dest", tmp_path / "outside"
    dest.mkdir()
    outside.mkdir()
    (dest / "infra").symlink_to(outside)
    with pytest.raises(UserError, match="refusing to write"):
        files.apply(rendered(infra__main_tf="x"), dest, force=True, dry_run=False)
    assert not (outside / "main_tf").exists()


def test_nothing_is_written_when_every_file_is_identical(tmp_path: Path) -> None:
    files.apply(rendered(a="x", b__c="y"), tmp_path, force=False, dry_run=False)
    before = (tmp_path / files.MANIFEST).stat()
    files.apply(rendered(a="x", b__c="y"), tmp_path, force=False, dry_run=False)
    after = (tmp_path / files.MANIFEST).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([files.MANIFEST, "a", "b"])


def test_a_manifest_that_cannot_be_written_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / files.MANIFEST).mkdir()
    with pytest.raises(UserError, match="cannot write"):
        files.apply(rendered(a="x"), tmp_path, force=False, dry_run=False)


def test_a_second_run_into_a_folder_being_written_is_refused(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    handle = os.open(tmp_path / files.LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run, writing
        with pytest.raises(UserError, match="another decompose run is writing") as caught:
            files.apply(rendered(a="x"), tmp_path, force=False, dry_run=False)
    finally:
        os.close(handle)
    assert caught.value.hint and "wait for it" in caught.value.hint
    assert not (tmp_path / "a").exists()
    files.apply(rendered(a="x"), tmp_path, force=False, dry_run=False)  # released: it runs
    assert (tmp_path / "a").read_text() == "x"
    assert not (tmp_path / files.LOCK).exists()


def test_temporary_files_of_an_interrupted_run_are_removed_by_the_next(tmp_path: Path) -> None:
    files.apply(rendered(infra__a="x", b="y"), tmp_path, force=False, dry_run=False)
    leftovers = [
        tmp_path / "infra" / f".a.k2j4h{files.TEMPORARY_SUFFIX}",
        tmp_path / f".{files.MANIFEST}.x81hd{files.TEMPORARY_SUFFIX}",
    ]
    for leftover in leftovers:
        leftover.write_text("half written")
    files.apply(rendered(infra__a="x", b="y"), tmp_path, force=False, dry_run=False)
    assert not any(leftover.exists() for leftover in leftovers)
    assert sorted(p.name for p in (tmp_path / "infra").iterdir()) == ["a"]


def test_generated_files_get_the_mode_of_any_new_file_not_0600(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        files.apply(
            [RenderedFile(path="svc/__init__.py", content="")], tmp_path, force=False, dry_run=False
        )
        files.write_text("x", tmp_path / "report.html")
    finally:
        os.umask(previous)
    assert (tmp_path / "svc" / "__init__.py").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o644
