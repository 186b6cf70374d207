"""`decompose scaffold` on the example plan: the golden tree, refusals, dry runs."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer.cli import main
from decomposer.files import MANIFEST

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "scaffold"
PLAN = GOLDEN / "plan.json"
TREE = GOLDEN / "tree"
REGENERATE = "pytest tests/functional/test_scaffold.py --update-golden"


def scaffold(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["scaffold", str(PLAN), "--out", str(out), *args])
    return result.exit_code, result.output


# Everything scaffold writes is pinned: the Terraform, the workflows, every service and the
# docker-compose file (the manifest only records hashes of these).


def tree(root: Path) -> dict[str, str]:
    files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return {relative: path.read_text() for relative, path in files.items() if path.name != MANIFEST}


def test_the_example_plan_gives_the_golden_tree(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    code, output = scaffold(tmp_path)
    assert code == 0, output
    produced = tree(tmp_path)
    if request.config.getoption("--update-golden"):
        for old in TREE.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, content in produced.items():
            (TREE / path).parent.mkdir(parents=True, exist_ok=True)
            (TREE / path).write_text(content)
    expected = tree(TREE)
    missing, extra = (
        sorted(expected.keys() - produced.keys()),
        sorted(produced.keys() - expected.keys()),
    )
    diffs = [
        "".join(
            difflib.unified_diff(
                expected[p].splitlines(True), produced[p].splitlines(True), f"golden/{p}", p
            )
        )
        for p in sorted(expected.keys() & produced.keys())
        if expected[p] != produced[p]
    ]
    assert not (missing or extra or diffs), (
        f"missing: {missing}\nextra: {extra}\n" + "\n".join(diffs) + f"\nregenerate: {REGENERATE}"
    )


def test_summary_counts_the_files(tmp_path: Path) -> None:
    code, output = scaffold(tmp_path)
    assert code == 0
    assert "create  infra/main.tf" in output
    assert f"into {tmp_path}: " in output and " create" in output.splitlines()[-1]


def test_a_second_run_is_identical(tmp_path: Path) -> None:
    scaffold(tmp_path)
    code, output = scaffold(tmp_path)
    assert code == 0 and "create " not in output and "identical" in output.splitlines()[-1]


def test_an_edited_file_is_kept_and_the_new_version_goes_beside_it(tmp_path: Path) -> None:
    scaffold(tmp_path)
    (tmp_path / "infra" / "main.tf").write_text("# mine\n")
    code, output = scaffold(tmp_path)
    assert code == 0 and "keep  infra/main.tf" in output  # nothing new was generated for it
    assert (tmp_path / "infra" / "main.tf").read_text() == "# mine\n"


def test_rescaffolding_after_editing_handlers_keeps_the_edit_and_exits_0(tmp_path: Path) -> None:
    """Issue 12.6: handlers.py is the file the README says to edit; every later scaffold
    stopped on it, and --force overwrote it without a backup."""
    scaffold(tmp_path)
    handlers = tmp_path / "services" / "orders" / "orders_service" / "handlers.py"
    edited = handlers.read_text() + "\n# implemented by the team\n"
    handlers.write_text(edited)
    for extra in ((), ("--force",)):
        code, output = scaffold(tmp_path, *extra)
        assert code == 0, output
        assert handlers.read_text() == edited


def test_dry_run_lists_conflicts_and_writes_nothing(tmp_path: Path) -> None:
    scaffold(tmp_path)
    (tmp_path / "infra" / "main.tf").write_text("# mine\n")
    manifest = tmp_path / ".decomposer-manifest.json"
    document = json.loads(manifest.read_text())
    document["infra/main.tf"] = "0" * 64  # as if an older decomposer generated another version
    manifest.write_text(json.dumps(document))
    code, output = scaffold(tmp_path, "--dry-run")
    assert code == 0 and "conflict  infra/main.tf" in output
    assert "beside it as <file>.new" in output
    assert (tmp_path / "infra" / "main.tf").read_text() == "# mine\n"
    assert not (tmp_path / "infra" / "main.tf.new").exists()


def test_force_overwrites_an_edited_file(tmp_path: Path) -> None:
    scaffold(tmp_path)
    (tmp_path / "infra" / "main.tf").write_text("# mine\n")
    code, output = scaffold(tmp_path, "--force")
    assert code == 0 and "overwrite  infra/main.tf" in output
    assert (tmp_path / "infra" / "main.tf.orig").read_text() == "# mine\n"


def test_a_plan_without_contexts_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "plan.json"
    document = json.loads(PLAN.read_text())
    document.update(contexts=[], dependencies=[], extraction_order=[])
    empty.write_text(json.dumps(document))
    result = CliRunner().invoke(main, ["scaffold", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no contexts" in result.output


def test_the_current_example_plan_scaffolds(tmp_path: Path, example_repo: Path) -> None:
    runner = CliRunner()
    analyzed = runner.invoke(main, ["analyze", str(example_repo), "--out", str(tmp_path), "-q"])
    assert analyzed.exit_code == 0, analyzed.output
    code = runner.invoke(
        main, ["scaffold", str(tmp_path / "plan.json"), "--out", str(tmp_path / "s")]
    )
    assert code.exit_code == 0, code.output
