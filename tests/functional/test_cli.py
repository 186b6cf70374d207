"""The CLI as a user meets it: exit codes, summary, files written, JSON output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer import __version__
from decomposer.cli import main

PACKAGE = {
    "shop/__init__.py": "",
    "shop/orders.py": "from shop import payments\ndef place():\n    payments.charge()\n",
    "shop/payments.py": "def charge(): ...\n",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_analyze_writes_graph_and_prints_a_counting_summary(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    code, out, _ = run("analyze", str(repo), "--out", str(tmp_path / "out"))
    assert code == 0
    assert "analyzed 3 files (0 skipped or failed, 0 from cache), 2 dependencies" in out
    graph = json.loads((tmp_path / "out" / "graph.json").read_text())
    assert graph["schema_version"] == "1"
    assert {(e["source"], e["target"], e["kind"]) for e in graph["edges"]} == {
        ("shop.orders", "shop.payments", "import"),
        ("shop.orders:place", "shop.payments:charge", "call"),
    }


def test_second_run_reads_unchanged_files_from_the_cache(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    out = tmp_path / "out"
    run("analyze", str(repo), "--out", str(out))
    first = (out / "graph.json").read_bytes()
    (repo / "shop" / "payments.py").write_text("def charge(): ...\ndef refund(): ...\n")
    code, stdout, _ = run("analyze", str(repo), "--out", str(out))
    assert code == 0
    assert "2 from cache" in stdout
    assert b"refund" in (out / "graph.json").read_bytes() and b"refund" not in first


def test_the_facts_cache_is_kept_outside_the_repository_and_out(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    cache = tmp_path / "cache"
    run("analyze", str(repo), "--out", str(tmp_path / "out"), "--cache-dir", str(cache))
    code, stdout, _ = run(
        "analyze", str(repo), "--out", str(tmp_path / "out"), "--cache-dir", str(cache)
    )
    assert code == 0 and "3 from cache" in stdout
    # the facts and the clustering's partitions: plain JSON, both
    kept = sorted(p.relative_to(cache).parts[0] for p in cache.rglob("*") if p.is_file())
    assert [p.suffix for p in cache.rglob("*") if p.is_file()] == [".json", ".json"]
    assert kept[0].startswith("facts-") and kept[1] == "partitions"
    assert not list(repo.rglob("*.pickle")) and not (tmp_path / "out" / ".cache").exists()


def test_a_cache_shipped_inside_the_repository_runs_no_code(tmp_path: Path) -> None:
    """Issue 13.1: a pickle planted at decomposer-out/.cache ran when anyone analyzed the repo."""
    import os
    import pickle
    import subprocess
    import sys

    repo = tmp_path / "r"
    (repo / "p").mkdir(parents=True)
    (repo / "p" / "__init__.py").write_text("x = 1\n")
    planted = repo / "decomposer-out" / ".cache"
    planted.mkdir(parents=True)
    payload = type("P", (), {"__reduce__": lambda self: (os.system, ("id > pwned.txt",))})
    for name in ("facts-4.pickle", "facts-5.pickle"):
        (planted / name).write_bytes(pickle.dumps(payload()))
    for command in ("analyze", "check"):
        args = [sys.executable, "-m", "decomposer", command, "."]
        if command == "check":
            args += ["--plan", "decomposer-out/plan.json"]
        done = subprocess.run(args, cwd=repo, capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 4), done.stderr
    assert not (repo / "pwned.txt").exists()


def test_a_corrupt_or_foreign_cache_is_ignored_and_rebuilt(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    cache = tmp_path / "cache"
    run("analyze", str(repo), "--out", str(tmp_path / "out"), "--cache-dir", str(cache))
    (entry,) = cache.glob("facts-*/*.json")
    (partitions,) = cache.glob("partitions/*.json")
    for index, damaged in enumerate((b"\x80garbage", b'{"format": "something-else"}', b"[]")):
        entry.write_bytes(damaged)
        partitions.write_bytes(damaged)
        # into a new folder each time: its clustering runs (and reads the partitions)
        code, stdout, _ = run(
            "analyze", str(repo), "--out", str(tmp_path / f"out{index}"), "--cache-dir", str(cache)
        )
        assert code == 0 and "0 from cache" in stdout
        assert json.loads(entry.read_text())["format"] == "decomposer-facts-cache"
        assert json.loads(partitions.read_text())["format"] == "decomposer-partitions"


def test_json_format_is_machine_readable(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    code, out, _ = run("analyze", str(repo), "--out", str(tmp_path / "o"), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["stats"]["modules"] == 3
    assert document["stats"]["edges_by_kind"] == {"call": 1, "import": 1}


def test_two_runs_give_identical_graphs(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    run("analyze", str(repo), "--out", str(tmp_path / "a"), "--no-cache")
    run("analyze", str(repo), "--out", str(tmp_path / "b"), "--jobs", "1", "--no-cache")
    assert (tmp_path / "a" / "graph.json").read_bytes() == (
        tmp_path / "b" / "graph.json"
    ).read_bytes()


def test_bad_setting_is_a_user_error_naming_the_field(write_tree, tmp_path: Path) -> None:
    repo = write_tree({**PACKAGE, "pyproject.toml": "[tool.decomposer]\nmax_file_kb = -1\n"})
    code, _, err = run("analyze", str(repo), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "tool.decomposer.max_file_kb: input should be greater than 0 (got -1)" in err


def test_out_path_that_is_a_file_is_a_user_error(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    code, _, err = run("analyze", str(repo), "--out", str(blocker))
    assert code == 1
    assert err.startswith("error:") and "is not a folder" in err


def test_unknown_option_is_a_usage_error(write_tree) -> None:
    code, _, _ = run("analyze", str(write_tree(PACKAGE)), "--no-such-flag")
    assert code == 2


def test_version_and_help() -> None:
    assert run("--version")[0] == 0
    code, out, _ = run("analyze", "--help")
    assert code == 0 and "--include-tests" in out


def test_graph_only_stops_after_the_graph(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    code, out, _ = run("analyze", str(repo), "--out", str(tmp_path / "o"), "--graph-only")
    assert code == 0 and "bounded contexts" not in out
    assert (tmp_path / "o" / "graph.json").is_file()
    assert not (tmp_path / "o" / "plan.json").exists()


def test_the_summary_says_what_the_defaults_left_out(write_tree, tmp_path: Path) -> None:
    repo = write_tree({**PACKAGE, "shop/tests/test_a.py": "", "shop/tests/test_b.py": ""})
    code, out, _ = run("analyze", str(repo), "--out", str(tmp_path / "o"))
    assert code == 0 and "excluded: 2 test files (-v lists them)" in out
    code, out, err = run("analyze", str(repo), "--out", str(tmp_path / "o"), "-v")
    assert "shop/tests: excluded (tests, 2 Python files)" in out + err


def test_verbose_and_json_say_where_the_time_went(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    stages = [
        "fingerprint",
        "discover",
        "extract",
        "reuse",
        "graph",
        "cluster",
        "plan",
        "report",
        "writes",
    ]
    code, _, err = run("analyze", str(repo), "--out", str(tmp_path / "o"), "-v")
    assert code == 0
    assert [line.split()[1] for line in err.splitlines() if line.startswith("stage ")] == [
        *stages,
        "total",
    ]
    code, out, _ = run("analyze", str(repo), "--out", str(tmp_path / "j"), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert [s["name"] for s in document["stages"]] == stages
    assert all(set(s) == {"name", "seconds", "peak_rss_kib"} for s in document["stages"])
    code, _, err = run("analyze", str(repo), "--out", str(tmp_path / "g"), "--graph-only", "-v")
    assert code == 0
    assert [line.split()[1] for line in err.splitlines() if line.startswith("stage ")] == [
        "discover",
        "extract",
        "graph",
        "writes",
        "total",
    ]


def test_a_warm_run_on_unchanged_files_reuses_the_outputs(write_tree, tmp_path: Path) -> None:
    # the stat is never trusted in the suite (test_reuse.py covers that): the digests decide
    repo = write_tree(PACKAGE)
    out = tmp_path / "out"
    run("analyze", str(repo), "--out", str(out))
    written = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    plan = (out / "plan.json").read_bytes()
    code, stdout, _ = run("analyze", str(repo), "--out", str(out), "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    assert document["reused"] is True
    assert [s["name"] for s in document["stages"]] == [
        "fingerprint",
        "discover",
        "extract",
        "reuse",
    ]
    assert document["reuse"] == "contents"
    assert document["contexts"] and document["stats"]["modules"] == 3
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == written
    code, stdout, _ = run("analyze", str(repo), "--out", str(out))
    assert code == 0 and "unchanged: reused the outputs of the last run" in stdout
    assert (out / "plan.json").read_bytes() == plan


def test_a_change_recomputes_what_the_last_run_wrote(write_tree, tmp_path: Path) -> None:
    repo = write_tree(PACKAGE)
    out = tmp_path / "out"
    run("analyze", str(repo), "--out", str(out))

    def reused(*flags: str) -> bool:
        code, stdout, _ = run("analyze", str(repo), "--out", str(out), "--format", "json", *flags)
        assert code == 0
        return bool(json.loads(stdout)["reused"])

    assert reused()
    (repo / "shop" / "payments.py").write_text("def charge(): ...\ndef refund(): ...\n")
    assert not reused() and b"refund" in (out / "graph.json").read_bytes()
    assert reused()
    assert not reused("--granularity", "module")
    assert not reused("--granularity", "module", "--no-cache")
    assert reused("--granularity", "module", "--jobs", "1")
    (out / "report.html").write_text("edited by hand")
    assert not reused("--granularity", "module")
    assert (out / "report.html").read_text() != "edited by hand"
    (out / "context-map.mmd").unlink()
    assert not reused("--granularity", "module")
    assert (out / "context-map.mmd").is_file()
    assert reused("--granularity", "module")


def test_top_level_help_shows_every_summary_whole_and_examples() -> None:
    """Issue 12.8: the summaries of check and scaffold ended in '...'; no examples."""
    code, out, _ = run("--help")
    assert code == 0
    assert not [line for line in out.splitlines()[1:] if line.endswith("...")]
    assert "Examples:" in out and "decompose score plans/plan.json" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def verbose_help(command: str) -> str:
    _, out, _ = run(command, "--help")
    text = " ".join(out.split())
    return text[text.index("-v, --verbose") : text.index("-q, --quiet")]


def test_each_command_says_what_v_does_for_it() -> None:
    """Issue 12.8: -v of schema, report, export, scaffold talked of skipped files."""
    for command in ("schema", "report", "export", "scaffold"):
        assert "skipped" not in verbose_help(command), command
        assert "unresolved" not in verbose_help(command), command
    assert "skipped" in verbose_help("analyze") and "time" in verbose_help("analyze")


def test_q_prints_nothing_but_errors_on_every_command(tmp_path: Path) -> None:
    """Issue 12.8: -q printed nothing on analyze but 'written:' on report and export."""
    example = Path(__file__).resolve().parents[2] / "examples" / "shop"
    out = tmp_path / "plans"
    assert run("analyze", str(example), "--out", str(out), "-q") == (0, "", "")
    plan = str(out / "plan.json")
    assert run("score", plan, str(example), "-q") == (0, "", "")
    assert run("report", plan, "-q") == (0, "", "")
    assert run("export", plan, "-q") == (0, "", "")
    assert run("scaffold", plan, "--out", str(tmp_path / "target"), "-q") == (0, "", "")


def test_the_program_keeps_exit_statuses_and_output_though_it_skips_teardown(
    write_tree, tmp_path: Path
) -> None:
    """`python -m decomposer` ends with os._exit (no interpreter teardown): every status and
    every byte written to the streams still reach the caller."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}

    def program(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "decomposer", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)

    repo = write_tree(PACKAGE)
    done = program("analyze", str(repo), "--out", str(tmp_path / "out"), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stats"]["files"] == 3  # the whole document, flushed
    assert program("--version").stdout.startswith("decompose, version ")
    (tmp_path / "empty").mkdir()
    empty = program("analyze", str(tmp_path / "empty"), "--out", str(tmp_path / "out2"))
    assert empty.returncode == 1 and "empty" in empty.stderr  # a user error, with its message
    assert program("analyze", str(tmp_path / "nowhere")).returncode == 2  # a usage error


def test_the_program_runs_without_the_cyclic_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turning the collector on again after a command made its first pass walk every object the
    run had made, in a process about to end: `run` leaves it off, and still exits as `main` says."""
    import gc
    import os

    from decomposer import cli

    seen: list[bool] = []

    class Exited(Exception):
        pass

    def exit_now(code: int) -> None:
        raise Exited(code)

    def command(args: list[str], prog_name: str | None) -> None:
        seen.append(gc.isenabled())
        raise SystemExit(4)

    monkeypatch.setattr(cli, "main", command)
    monkeypatch.setattr(os, "_exit", exit_now)
    monkeypatch.setattr(sys, "gettrace", lambda: None)  # under coverage: still the real ending
    monkeypatch.setattr(sys, "getprofile", lambda: None)
    enabled = gc.isenabled()
    try:
        with pytest.raises(Exited) as ended:
            cli.run()
    finally:
        if enabled:
            gc.enable()
    assert seen == [False]
    assert ended.value.args == (4,)


def test_the_console_script_imports_the_cli_with_the_collector_off() -> None:
    """The CLI's imports build hundreds of classes; the collector's passes over them cost about
    40 ms of every command, so the program turns it off before its first import."""
    import subprocess

    script = (
        "import gc, sys\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'decomposer.cli':\n"
        "            print('collector on' if gc.isenabled() else 'collector off')\n"
        "sys.meta_path.insert(0, Watch())\n"
        "sys.argv = ['decompose', '--version']\n"
        "from decomposer.__main__ import run\n"
        "run()\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=root, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["collector off", f"decompose, version {__version__}"]
