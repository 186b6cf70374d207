"""One bad file costs only itself: libcst only for newer syntax, per-file time and memory budgets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from decomposer import pipeline
from decomposer.extract import extract_facts
from decomposer.models import ParseFailure, SourceFile

# The shape of a large generated module with one typo: f-strings, dicts, calls, no newer syntax.
BODY = "".join(
    f"def f{i}(a, b):\n    x = {{'k': [a, b, {i}]}}\n    return f'{{a}}-{{b}}' + str(x)\n\n"
    for i in range(2000)
)
ONE_TYPO = BODY + "def broken(:\n    pass\n" + BODY


def source(path: str = "shop/big.py") -> SourceFile:
    return SourceFile(path=path, module="shop.big", is_package=False, root=".", size_bytes=0)


def test_plain_syntax_error_in_a_large_file_never_reaches_libcst() -> None:
    # libcst spent minutes and gigabytes on a 2 MB file with one typo: it must not even load
    code = textwrap.dedent("""
        import sys
        from decomposer.extract import extract_facts
        from decomposer.models import SourceFile
        source = SourceFile(path="big.py", module="big", is_package=False, root=".", size_bytes=0)
        result = extract_facts(source, sys.stdin.buffer.read())
        print(result.reason, result.line, "libcst" in sys.modules)
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", code], input=ONE_TYPO.encode(), capture_output=True, env=env
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().split() == ["syntax-error", str(BODY.count("\n") + 1), "False"]


def test_newer_syntax_still_goes_to_libcst() -> None:
    result = extract_facts(source(), b"import os\ntype Alias = int\n")
    assert not isinstance(result, ParseFailure)
    assert [d.code for d in result.diagnostics] == ["SYN001"]


@pytest.fixture
def worker_alarm() -> Iterator[None]:
    """The SIGALRM handler a worker installs, restored afterwards."""
    previous = signal.signal(signal.SIGALRM, pipeline._on_alarm)
    yield
    signal.signal(signal.SIGALRM, previous)


def test_file_over_its_time_budget_is_a_too_slow_failure(
    monkeypatch: pytest.MonkeyPatch, worker_alarm: None
) -> None:
    monkeypatch.setattr(pipeline, "_FILE_SECONDS", 0.001)
    result = pipeline._extract_within_budget(source(), (BODY * 5).encode())
    assert isinstance(result, ParseFailure)
    assert (result.reason, str(result)) == (
        "too-slow",
        "shop/big.py:1:1: not analyzed within 0.001 s (generated code?); exclude the file",
    )


def test_file_over_its_memory_budget_is_a_too_much_memory_failure() -> None:
    # in a fresh process: pytest's own freed memory could serve the parse within any limit
    code = textwrap.dedent("""
        import sys
        from decomposer import pipeline
        from decomposer.models import SourceFile
        source = SourceFile(path="big.py", module="big", is_package=False, root=".", size_bytes=0)
        content = sys.stdin.buffer.read()
        pipeline._FILE_BYTES = 0
        print(getattr(pipeline._extract_within_budget(source, content), "reason", "parsed"))
        pipeline._FILE_BYTES = 3 * 1024**3  # the budget is lifted afterwards
        print(getattr(pipeline._extract_within_budget(source, content), "reason", "parsed"))
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", code], input=BODY.encode(), capture_output=True, env=env
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().split() == ["too-much-memory", "parsed"]
