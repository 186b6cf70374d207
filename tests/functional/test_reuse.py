"""A warm `analyze` with nothing changed reuses its outputs from the stat of the files alone,
and any change a later run could see makes it analyze again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer import discover, pipeline
from decomposer.cli import main

PACKAGE = {
    "shop/__init__.py": "",
    "shop/orders.py": "from shop import payments\ndef place():\n    payments.charge()\n",
    "shop/payments.py": "def charge(): ...\n",
}


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # files written by the test are seconds old at most: trust their stat at once
    monkeypatch.setattr(discover, "_SETTLED_NS", 0)


def analyze(repo: Path, out: Path, *flags: str) -> dict[str, object]:
    result = CliRunner().invoke(
        main, ["analyze", str(repo), "--out", str(out), "--format", "json", *flags]
    )
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def stages(document: dict[str, object]) -> list[str]:
    return [s["name"] for s in document["stages"]]  # type: ignore[attr-defined, index]


def test_nothing_changed_reuses_the_outputs_without_reading_a_source(
    write_tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = write_tree(PACKAGE)
    out = tmp_path / "out"
    first = analyze(repo, out)
    plan = (out / "plan.json").read_bytes()

    def unread(*_: object) -> bytes:
        raise AssertionError("a source file was read")

    monkeypatch.setattr(discover, "read_source", unread)
    again = analyze(repo, out)
    assert again["reused"] is True and stages(again) == ["fingerprint", "reuse"]
    assert again["stats"] == first["stats"] and again["contexts"] == first["contexts"]
    assert (out / "plan.json").read_bytes() == plan


def test_an_output_folder_inside_the_repository_does_not_count_as_a_change(
    write_tree, tmp_path: Path
) -> None:
    repo = write_tree(PACKAGE)
    analyze(repo, repo / "decomposer-out")
    assert stages(analyze(repo, repo / "decomposer-out")) == ["fingerprint", "reuse"]


def _same_size_same_mtime(path: Path, text: str) -> None:
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize(
    "change",
    [
        "content, same size and mtime",
        "file added in a subfolder",
        "file removed",
        "file renamed",
        "folder added",
    ],
)
def test_every_change_to_the_inputs_is_analyzed_again(
    write_tree, tmp_path: Path, change: str
) -> None:
    repo = write_tree({**PACKAGE, "shop/billing/__init__.py": "", "shop/billing/tax.py": "X = 1\n"})
    out = tmp_path / "out"
    analyze(repo, out)
    assert analyze(repo, out)["reused"] is True
    if change == "content, same size and mtime":
        _same_size_same_mtime(repo / "shop" / "payments.py", "def refund(): ...\n")
    elif change == "file added in a subfolder":
        (repo / "shop" / "billing" / "vat.py").write_text("def vat(): ...\n")
    elif change == "file removed":
        (repo / "shop" / "billing" / "tax.py").unlink()
    elif change == "file renamed":
        (repo / "shop" / "billing" / "tax.py").rename(repo / "shop" / "billing" / "duty.py")
    else:
        (repo / "shop" / "billing" / "rates").mkdir()
        (repo / "shop" / "billing" / "rates" / "__init__.py").write_text("RATE = 2\n")
    document = analyze(repo, out)
    assert "discover" in stages(document)
    graph = json.loads((out / "graph.json").read_text())
    modules = {n["id"] for n in graph["nodes"] if n["kind"] == "module"}
    symbols = {n["id"] for n in graph["nodes"]}
    expected = {
        "content, same size and mtime": "shop.payments:refund" in symbols,
        "file added in a subfolder": "shop.billing.vat" in modules,
        "file removed": "shop.billing.tax" not in modules,
        "file renamed": "shop.billing.duty" in modules and "shop.billing.tax" not in modules,
        "folder added": "shop.billing.rates" in modules,
    }
    assert expected[change]
    # and the run after that one is warm again
    assert stages(analyze(repo, out)) == ["fingerprint", "reuse"]


def test_other_settings_or_an_edited_output_are_analyzed_again(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    out = tmp_path / "out"
    analyze(repo, out)
    assert not analyze(repo, out, "--granularity", "module")["reused"]
    assert stages(analyze(repo, out, "--granularity", "module")) == ["fingerprint", "reuse"]
    assert stages(analyze(repo, out, "--granularity", "module", "--jobs", "1")) == [
        "fingerprint",
        "reuse",
    ]
    (out / "report.html").write_text("edited by hand")
    assert not analyze(repo, out, "--granularity", "module")["reused"]
    assert (out / "report.html").read_text() != "edited by hand"


def test_a_fingerprint_is_refused_where_a_stat_cannot_be_trusted(
    write_tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = write_tree(PACKAGE)
    assert discover.fingerprint(repo, salt="") is not None
    (repo / "README.md").write_text("read me")
    (repo / "shop" / "README.md").symlink_to(repo / "README.md")
    assert discover.fingerprint(repo, salt="") is not None  # a link discovery never reads
    (repo / "linked").symlink_to(repo / "shop", target_is_directory=True)
    assert discover.fingerprint(repo, salt="") is None  # a link discovery follows
    (repo / "linked").unlink()
    monkeypatch.setattr(discover, "_SETTLED_NS", 10**12)
    assert discover.fingerprint(repo, salt="") is None  # modified in the last seconds


def test_other_decomposer_code_is_analyzed_again(
    write_tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a checkout between releases keeps its version string: the stamp of its own files tells
    repo = write_tree(PACKAGE)
    out = tmp_path / "out"
    assert not analyze(repo, out)["reused"]
    assert analyze(repo, out)["reused"] is True
    monkeypatch.setattr(pipeline, "_tool_stamp", lambda: "edited")
    assert not analyze(repo, out)["reused"]


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".")}


COMMENTED = {
    **PACKAGE,
    "shop/orders.py": "from shop import payments\n# place an order\ndef place():\n"
    "    payments.charge()  # and pay\n",
}


def test_an_edit_no_fact_shows_keeps_the_outputs_as_a_fresh_run_writes_them(
    write_tree, tmp_path: Path
) -> None:
    repo = write_tree(COMMENTED)
    out = tmp_path / "out"
    analyze(repo, out)
    orders = repo / "shop" / "orders.py"
    # a comment's text and the spacing inside a line: not one fact (nor line) moves
    orders.write_text(orders.read_text().replace("# place an order", "# place one order, now"))
    orders.write_text(orders.read_text().replace("payments.charge()", "payments.charge( )"))
    document = analyze(repo, out)
    assert document["reused"] is True and document["reuse"] == "facts"
    assert stages(document) == ["fingerprint", "discover", "extract", "reuse"]
    analyze(repo, tmp_path / "fresh", "--no-cache")
    assert _outputs(out) == _outputs(tmp_path / "fresh")
    # the record now holds the files as they are: the next run is warm from their stat
    assert analyze(repo, out)["reuse"] == "inputs"


@pytest.mark.parametrize(
    "edit",
    [
        ("# place an order\n", "# place an order\n# on a new line\n"),  # the lines move
        ("from shop import payments\n", "from shop import payments, orders\n"),
    ],
)
def test_an_edit_a_fact_shows_is_analyzed_again(
    write_tree, tmp_path: Path, edit: tuple[str, str]
) -> None:
    repo = write_tree(COMMENTED)
    out = tmp_path / "out"
    analyze(repo, out)
    orders = repo / "shop" / "orders.py"
    orders.write_text(orders.read_text().replace(*edit))
    document = analyze(repo, out)
    assert document["reused"] is False and "graph" in stages(document)
    analyze(repo, tmp_path / "fresh", "--no-cache")
    assert _outputs(out) == _outputs(tmp_path / "fresh")


def test_no_cache_never_reuses(write_tree, tmp_path: Path) -> None:
    repo = write_tree(COMMENTED)
    out = tmp_path / "out"
    analyze(repo, out)
    for _ in range(2):
        document = analyze(repo, out, "--no-cache")
        assert document["reused"] is False and document["reuse"] is None
        assert "cluster" in stages(document)


def test_a_body_edit_reuses_the_partition_and_writes_what_a_fresh_run_writes(
    write_tree, tmp_path: Path
) -> None:
    repo = write_tree(COMMENTED)
    out = tmp_path / "out"
    assert analyze(repo, out)["reused_partition"] is False
    orders = repo / "shop" / "orders.py"
    # a statement at the top of a body: every line below moves, no dependency changes
    orders.write_text(orders.read_text().replace("def place():\n", "def place():\n    n = 1\n"))
    document = analyze(repo, out)
    assert document["reused"] is False and document["reused_partition"] is True
    fresh = analyze(repo, tmp_path / "fresh", "--no-cache")
    assert fresh["reused_partition"] is False
    assert _outputs(out) == _outputs(tmp_path / "fresh")
    assert b'"line": 5' in (out / "graph.json").read_bytes()  # the call moved down a line
    result = CliRunner().invoke(
        main, ["analyze", str(repo), "--out", str(tmp_path / "verbose"), "-v"]
    )
    assert "the partition of an earlier run on the same weighted unit graph" in result.output
    # a new dependency: the partition is computed again
    orders.write_text("from shop import payments\nfrom shop import billing\n" + orders.read_text())
    (repo / "shop" / "billing.py").write_text("from shop import payments\nRATE = 1\n")
    document = analyze(repo, out)
    assert document["reused_partition"] is False
    analyze(repo, tmp_path / "fresh2", "--no-cache")
    assert _outputs(out) == _outputs(tmp_path / "fresh2")


@pytest.mark.parametrize("recorded_by", ["this tool", "another tool"])
def test_the_facts_digests_of_unchanged_files_come_from_the_record_of_the_same_tool(
    write_tree, tmp_path: Path, recorded_by: str
) -> None:
    repo = write_tree(COMMENTED)
    out = tmp_path / "out"
    analyze(repo, out)
    record_path = out / ".decomposer-analysis.json"
    record = json.loads(record_path.read_text())
    assert set(record["facts"]["files"]) == set(COMMENTED)
    # a wrong digest for a file that does not change: taken as recorded by this tool (so the
    # key differs), computed again where another tool (or other settings) recorded it
    record["facts"]["files"]["shop/payments.py"][1] = "0" * 64
    if recorded_by == "another tool":
        record["facts"]["identity"] = "another tool"
    record_path.write_text(json.dumps(record))
    orders = repo / "shop" / "orders.py"
    orders.write_text(orders.read_text().replace("# place an order", "# place one order"))
    document = analyze(repo, out)
    assert document["reuse"] == (None if recorded_by == "this tool" else "facts")


def test_outputs_kept_by_their_facts_leave_the_facts_cache_unless_most_of_it_was_missing(
    write_tree, tmp_path: Path
) -> None:
    repo = write_tree({**COMMENTED, **{f"shop/m{i}.py": f"X = {i}\n" for i in range(30)}})
    out, cache = tmp_path / "out", tmp_path / "cache"
    analyze(repo, out, "--cache-dir", str(cache))
    (saved,) = cache.glob("facts-*/*.json")
    before = saved.stat().st_mtime_ns
    orders = repo / "shop" / "orders.py"
    orders.write_text(orders.read_text().replace("# place an order", "# place one order"))
    assert analyze(repo, out, "--cache-dir", str(cache))["reuse"] == "facts"
    assert saved.stat().st_mtime_ns == before  # one file of 33 parsed: not worth 10 MB
    saved.unlink()
    orders.write_text(orders.read_text().replace("# place one order", "# place two orders"))
    assert analyze(repo, out, "--cache-dir", str(cache))["reuse"] == "facts"
    assert saved.is_file()  # every file parsed: kept for the next run
