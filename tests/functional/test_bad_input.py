"""Bad input through the CLI: a broken or odd file costs only itself, never the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from decomposer.cli import main

GOOD = {
    "shop/__init__.py": "",
    "shop/orders.py": "from shop import payments\n\n\ndef place():\n    payments.charge()\n",
    "shop/payments.py": "def charge():\n    return 1\n",
}
GOOD_EDGE = ("shop.orders", "shop.payments", "import")


def make_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under `root` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def analyze(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["analyze", *args])
    return result.exit_code, result.stdout, result.stderr


@dataclass(frozen=True)
class Bad:
    """One bad input: extra files, where it shows up, and what the report must say."""

    files: dict[str, str | bytes]
    path: str
    reason: str
    line: int = 0  # 0: a skipped file, which has no position
    col: int = 0
    says: str = ""
    link: tuple[str, str] | None = None  # (link, target), relative to the repo
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_failure(self) -> bool:
        return self.line > 0


CASES = {
    "syntax-error": Bad(
        {"shop/broken.py": "x = 1\ndef f(:\n    pass\n"},
        "shop/broken.py",
        "syntax-error",
        2,
        7,
        "syntax error: invalid syntax",
    ),
    "python2": Bad(
        {"shop/old.py": 'import os\n\nprint "hi"\n'},
        "shop/old.py",
        "python2",
        3,
        1,
        "Python 2 syntax",
    ),
    # PEP 750 (3.14) template strings, and a PEP 695 `type` alias with parameters over several
    # lines: syntax that cannot be set aside on the same lines (other PEP 695, and PEP 701
    # f-strings, are analyzed).
    "newer-syntax-tstring": Bad(
        {"shop/new.py": 'import os\nx = t"{os.sep}"\n'},
        "shop/new.py",
        "newer-syntax",
        2,
        6,
        "syntax newer than the running Python",
    ),
    "unterminated-string": Bad(
        {"shop/broken.py": 'x = "-{\n'},
        "shop/broken.py",
        "syntax-error",
        1,
        5,
        "syntax error: unterminated string literal",
    ),
    "newer-syntax-multiline-type-params": Bad(
        {"shop/new.py": "import os\n\ntype Pair[\n    T,\n] = tuple[T, T]\n"},
        "shop/new.py",
        "newer-syntax",
        3,
        6,
        "syntax newer than the running Python",
    ),
    "encoding-first-line": Bad(
        {"shop/latin.py": b"x = '\xff\xfe'\n"},
        "shop/latin.py",
        "encoding",
        1,
        6,
        "byte 0xff is not valid utf-8",
    ),
    "encoding-third-line": Bad(
        {"shop/latin.py": b"a = 1\nb = 2\nx = '\xff\xfe'\n"},
        "shop/latin.py",
        "encoding",
        3,
        6,
        "byte 0xff is not valid utf-8",
    ),
    "nul-byte": Bad(
        {"shop/blob.py": b"x = 1\ny = '\x00'\n"},
        "shop/blob.py",
        "nul-bytes",
        2,
        6,
        "NUL byte",
    ),
    "too-large": Bad(
        {"shop/generated.py": "# generated\n" + "x = 1\n" * 852},
        "shop/generated.py",
        "too-large",
        says="5 KiB is over max_file_kb=1",
        extra={"pyproject.toml": "[tool.decomposer]\nmax_file_kb = 1\n"},
    ),
    "symlink-loop": Bad(
        {},
        "shop/loop",
        "symlink-loop",
        says="loops back to shop",
        link=("shop/loop", "shop"),
    ),
    # issue 13: each of these ended the run with exit 3 (or a segfault)
    "punycode-cookie": Bad(
        {"shop/puny.py": "# coding: punycode\nx = 1\n"},
        "shop/puny.py",
        "encoding",
        1,
        1,
        "cannot decode as punycode",
    ),
    "not-a-text-encoding": Bad(
        {"shop/rot.py": "# coding: rot13\nx = 1\n"},
        "shop/rot.py",
        "encoding",
        1,
        1,
        "'rot13' is not a text encoding",
    ),
    "bom-with-another-cookie": Bad(
        {"shop/bom.py": b"\xef\xbb\xbf# coding: latin-1\nx = 1\n"},
        "shop/bom.py",
        "encoding",
        1,
        1,
        "UTF-8 byte order mark and a coding declaration of another encoding",
    ),
    "deep-nesting": Bad(
        {"shop/deep.py": "x = " + "(" * 5000 + "\n"},
        "shop/deep.py",
        "syntax-error",
        1,
        205,
        "too many nested parentheses",
    ),
    "symlink-to-itself": Bad(
        {},
        "shop/self.py",
        "unreadable",
        says="Too many levels of symbolic links",
        link=("shop/self.py", "shop/self.py"),
    ),
}
FAILURES = [name for name, case in CASES.items() if case.is_failure]
SKIPS = [name for name, case in CASES.items() if not case.is_failure]


@pytest.fixture(params=list(CASES))
def bad(request: pytest.FixtureRequest) -> Bad:
    return CASES[request.param]


def bad_repo(tmp_path: Path, case: Bad) -> Path:
    repo = make_tree(tmp_path / "repo", {**GOOD, **case.files, **case.extra})
    if case.link:
        os.symlink(repo / case.link[1], repo / case.link[0], target_is_directory=True)
    return repo


def edges(out: Path) -> set[tuple[str, str, str]]:
    graph = json.loads((out / "graph.json").read_text())
    return {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}


# --------------------------------------------------------------------------- each bad input


def test_bad_file_does_not_change_the_exit_code(tmp_path: Path, bad: Bad) -> None:
    code, _, err = analyze(str(bad_repo(tmp_path, bad)), "--out", str(tmp_path / "out"))
    assert code == 0, err


@pytest.mark.parametrize("name", FAILURES)
def test_parse_failure_is_printed_as_path_line_col_message(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    code, _, err = analyze(str(bad_repo(tmp_path, case)), "--out", str(tmp_path / "out"))
    assert code == 0
    [reported] = [line for line in err.splitlines() if line.startswith(case.path + ":")]
    assert reported.startswith(f"{case.path}:{case.line}:{case.col}: "), reported
    assert case.says in reported


@pytest.mark.parametrize("name", SKIPS)
def test_skipped_file_is_listed_with_its_reason_in_verbose_mode(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    code, _, err = analyze(str(bad_repo(tmp_path, case)), "--out", str(tmp_path / "out"), "-v")
    assert code == 0
    assert f"warning: {case.path}: skipped ({case.reason}): " in err
    assert case.says in err


def test_bad_file_is_counted_in_json_stats(tmp_path: Path, bad: Bad) -> None:
    repo = bad_repo(tmp_path, bad)
    code, out, _ = analyze(str(repo), "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    document = json.loads(out)
    stats = document["stats"]
    if bad.is_failure:
        assert (stats["failed_files"], stats["skipped_files"]) == (1, 0)
        [failure] = document["failures"]
        assert (failure["path"], failure["line"], failure["col"], failure["reason"]) == (
            bad.path,
            bad.line,
            bad.col,
            bad.reason,
        )
    else:
        assert (stats["failed_files"], stats["skipped_files"]) == (0, 1)
        [skip] = document["skipped"]
        assert (skip["path"], skip["reason"]) == (bad.path, bad.reason)


def test_good_module_is_still_analyzed_beside_a_bad_file(tmp_path: Path, bad: Bad) -> None:
    out = tmp_path / "out"
    code, _, _ = analyze(str(bad_repo(tmp_path, bad)), "--out", str(out))
    assert code == 0
    assert GOOD_EDGE in edges(out)


def test_failed_module_stays_a_node_marked_parse_failed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    analyze(str(bad_repo(tmp_path, CASES["syntax-error"])), "--out", str(out))
    nodes = {n["id"]: n for n in json.loads((out / "graph.json").read_text())["nodes"]}
    assert nodes["shop.broken"]["parse_failed"] is True
    assert nodes["shop.orders"]["parse_failed"] is False


def test_symlink_loop_run_terminates_with_the_package_analyzed_once(tmp_path: Path) -> None:
    repo = bad_repo(tmp_path, CASES["symlink-loop"])
    code, out, _ = analyze(str(repo), "--out", str(tmp_path / "o"), "--format", "json")
    assert code == 0
    assert json.loads(out)["stats"]["files"] == len(GOOD)


# --------------------------------------------------------------------------- valid odd input

PEP695 = {
    "type-alias": "from shop import payments\ntype Alias = int\n",
    "type-params": "from shop import payments\ndef f[T](x: T) -> T: ...\n",
}


@pytest.mark.parametrize("code", list(PEP695.values()), ids=list(PEP695))
def test_one_line_pep695_syntax_is_analyzed_with_a_syn001_note(tmp_path: Path, code: str) -> None:
    repo = make_tree(tmp_path / "repo", {**GOOD, "shop/typed.py": code})
    out = tmp_path / "out"
    status, stdout, _ = analyze(str(repo), "--out", str(out), "--format", "json")
    assert status == 0
    document = json.loads(stdout)
    assert document["failures"] == [] and document["stats"]["failed_files"] == 0
    notes = [
        (u["path"], u["line"], u["col"]) for u in document["unresolved"] if u["code"] == "SYN001"
    ]
    assert notes == [("shop/typed.py", 2, 6)]
    assert {GOOD_EDGE, ("shop.typed", "shop.payments", "import")} <= edges(out)


def test_pep695_note_is_printed_with_its_position_in_verbose_mode(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {**GOOD, "shop/typed.py": PEP695["type-alias"]})
    status, _, err = analyze(str(repo), "--out", str(tmp_path / "out"), "-v")
    assert status == 0
    assert "warning: shop/typed.py:2:6: SYN001 " in err


def test_empty_file_is_valid_not_a_failure(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {**GOOD, "shop/empty.py": ""})
    out = tmp_path / "out"
    code, stdout, err = analyze(str(repo), "--out", str(out), "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    assert document["failures"] == [] and document["skipped"] == []
    assert (document["stats"]["failed_files"], document["stats"]["files"]) == (0, 4)
    assert "shop/empty.py:" not in err
    assert GOOD_EDGE in edges(out)


def test_empty_files_are_counted_in_json_stats(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {**GOOD, "shop/empty.py": ""})
    code, stdout, _ = analyze(str(repo), "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    stats = json.loads(stdout)["stats"]
    assert stats["empty_files"] == 2, "shop/__init__.py and shop/empty.py are both empty"


# --------------------------------------------------------------------------- bad arguments


def test_nonexistent_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = analyze(str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "does not exist" in err


def test_folder_without_python_files_is_a_user_error(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {"README.md": "# shop\n", "data/rows.csv": "a,b\n"})
    code, _, err = analyze(str(repo), "--out", str(tmp_path / "out"))
    assert code == 1
    assert err.startswith("error: no Python files"), err


def test_file_instead_of_folder_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", GOOD)
    code, _, err = analyze(str(repo / "shop" / "orders.py"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "is a file" in err


# --------------------------------------------------------------------------- one file, one cost

# Python 3.12 syntax sends the file to libcst, whose parser overflows the C stack on a long chain
# of unary operators over short lines (no bracket nesting or long line to bound): the worker
# dies, not the run.
CRASHES_LIBCST = "def f[T](): pass\nx = (" + "-\n" * 100_000 + "1)\n"
FILLER = {f"shop/filler{i}.py": "from shop import payments\n" for i in range(70)}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a segfault there shows as a status, not a dead pytest."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-m", "decomposer", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    "bad_code",
    [
        pytest.param(CRASHES_LIBCST, id="crashes-the-parser"),
        pytest.param("def f[T](): pass\nx = " + "(" * 5000 + "\n", id="deep-newer-syntax"),
    ],
)
def test_file_that_crashed_the_parser_costs_only_itself(
    tmp_path: Path, jobs: str, bad_code: str
) -> None:
    repo = make_tree(tmp_path / "repo", {**GOOD, **FILLER, "shop/bad.py": bad_code})
    out = tmp_path / "out"
    result = run_cli("analyze", str(repo), "--out", str(out), "--jobs", jobs, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["failures"]] == ["shop/bad.py"]
    assert document["stats"]["files"] == len(GOOD) + len(FILLER) + 1
    assert GOOD_EDGE in edges(out)
    assert ("shop.filler69", "shop.payments", "import") in edges(out)


def test_worker_crash_is_reported_as_a_crash_failure(tmp_path: Path) -> None:
    repo = make_tree(tmp_path / "repo", {**GOOD, "shop/bad.py": CRASHES_LIBCST})
    out = tmp_path / "out"
    result = run_cli("analyze", str(repo), "--out", str(out))
    assert result.returncode == 0, result.stderr
    [failure] = json.loads((out / "graph.json").read_text())["failures"]
    assert (failure["path"], failure["reason"]) == ("shop/bad.py", "crash")
    assert "shop/bad.py:1:1: the parser crashed on this file" in result.stderr


def test_symlink_to_a_file_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text("import shop.payments\nPASSWORD = 'hunter2'\n")
    repo = make_tree(tmp_path / "repo", GOOD)
    os.symlink(secret, repo / "shop" / "secret.py")
    out = tmp_path / "out"
    code, stdout, _ = analyze(str(repo), "--out", str(out), "--format", "json")
    assert code == 0
    [skip] = json.loads(stdout)["skipped"]
    assert (skip["path"], skip["reason"]) == ("shop/secret.py", "symlink-outside")
    assert "shop.secret" not in (out / "graph.json").read_text()


def test_symlink_to_a_file_inside_the_repository_keeps_the_file_under_its_own_path(
    tmp_path: Path,
) -> None:
    repo = make_tree(tmp_path / "repo", GOOD)
    os.symlink(repo / "shop" / "payments.py", repo / "shop" / "alias.py")
    code, stdout, _ = analyze(str(repo), "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    assert [(s["path"], s["reason"]) for s in document["skipped"]] == [
        ("shop/alias.py", "symlink-duplicate")
    ]
    assert document["stats"]["files"] == len(GOOD)


def test_symlink_diamonds_visit_each_real_folder_once(tmp_path: Path) -> None:
    # shop/d0/{a,b} -> d1, d1/{a,b} -> d2, ...: 2**14 paths to the deepest folder, 15 folders
    depth = 14
    files = {f"shop/d{i}/__init__.py": "" for i in range(depth + 1)}
    repo = make_tree(tmp_path / "repo", {**GOOD, **files})
    for i in range(depth):
        for name in ("a", "b"):
            os.symlink(repo / "shop" / f"d{i + 1}", repo / "shop" / f"d{i}" / name)
    code, stdout, _ = analyze(str(repo), "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    document = json.loads(stdout)
    assert document["stats"]["files"] == len(GOOD) + depth + 1
    assert {s["reason"] for s in document["skipped"]} == {"symlink-duplicate"}


def test_a_py_name_that_is_no_regular_file_is_skipped_saying_what_it_is(tmp_path: Path) -> None:
    # A link to a folder or a device outside the repository, a link to a folder inside it and a
    # named pipe: each was left out without a word (the fuzz probe of issue 13 found the links).
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = make_tree(tmp_path / "repo", {**GOOD, "shop/inner/__init__.py": ""})
    os.symlink(outside, repo / "shop" / "folder.py")
    os.symlink("/dev/zero", repo / "shop" / "device.py")
    os.symlink(repo / "shop" / "inner", repo / "shop" / "inner_link.py")
    os.mkfifo(repo / "shop" / "pipe.py")
    code, stdout, _ = analyze(str(repo), "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    skipped = {s["path"]: (s["reason"], s["message"]) for s in json.loads(stdout)["skipped"]}
    assert skipped == {
        "shop/folder.py": (
            "symlink-outside",
            f"symbolic link to {outside.resolve()}, outside the repository; not followed",
        ),
        "shop/device.py": (
            "symlink-outside",
            "symbolic link to /dev/zero, outside the repository; not followed",
        ),
        "shop/inner_link.py": (
            "unreadable",
            "symbolic link to shop/inner, not a regular file",
        ),
        "shop/pipe.py": ("unreadable", "not a regular file (a pipe or a device); not read"),
    }
    assert GOOD_EDGE in edges(tmp_path / "out")
