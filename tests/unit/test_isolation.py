"""One bad file costs only itself: libcst only for newer syntax, per-file time and memory budgets."""

from __future__ import annotations

import ast
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


def test_newer_syntax_the_tokens_cannot_settle_still_goes_to_libcst() -> None:
    # a type parameter with a default (Python 3.13): only libcst's parser reads it
    result = extract_facts(source(), b"import os\ndef f[T = int](x: T) -> T: ...\n")
    assert not isinstance(result, ParseFailure)
    assert [d.code for d in result.diagnostics] == ["SYN001"]
    assert [d.name for d in result.definitions] == ["f"]


def test_type_parameters_and_aliases_are_set_aside_without_loading_libcst() -> None:
    # saleor has 11 such files: libcst's import and parse were 40% of its extraction time
    code = textwrap.dedent("""
        import sys
        from decomposer.extract import extract_facts
        from decomposer.models import SourceFile
        source = SourceFile(path="m.py", module="m", is_package=False, root=".", size_bytes=0)
        result = extract_facts(source, sys.stdin.buffer.read())
        print(*[d.code for d in result.diagnostics], *[d.name for d in result.definitions])
        print("libcst" in sys.modules)
    """)
    text = "type Pair[T] = tuple[T, T]\nclass Box[T: int](object): ...\ndef f[*Ts](): ...\n"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", code], input=text.encode(), capture_output=True, env=env
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().split() == ["SYN001", "Box", "f", "False"]


# What libcst's rewrite gives, the token rewrite gives too, or it leaves the file to libcst (None).
REWRITES = {
    "def f[T](x: T) -> T: ...\n": "def f(x: T) -> T: ...\n",
    "async def f[ T ,  U, ](x): pass\n": "async def f(x): pass\n",
    "def f[T: (int, str), *Ts, **P](x): pass\n": "def f(x): pass\n",
    "def f[T: dict[str, 'X']](x) : pass  # c\n": "def f(x) : pass  # c\n",
    "@d\nclass C[T](B, metaclass=M):\n    def m[U](self): ...\n": (
        "@d\nclass C(B, metaclass=M):\n    def m(self): ...\n"
    ),
    "class C[T]: pass\nclass D[T](): pass\n": "class C: pass\nclass D(): pass\n",
    "type  X  =  int   # c\n": "X = int   # c\n",
    "type X=int\n": "X = int\n",
    "type X [T]  = list[T]\n": "X = list[T]\n",
    "if a:\n    type X = (\n        int | str\n    )\n": "if a:\n    X = (\n        int | str\n    )\n",
    "match x:\n    case 1:\n        type Y = lambda: 1\n": (
        "match x:\n    case 1:\n        Y = lambda: 1\n"
    ),
    "class A:\n    type: int = 3\n    def g[T](self): ...\n": (
        "class A:\n    type: int = 3\n    def g(self): ...\n"
    ),
    # left to libcst: a space it refuses, a default, a statement it joins with `;`, a value
    # that is not one expression, brackets over lines, invalid parameters
    "def f [T](x): pass\n": None,
    "def f[T] (x): pass\n": None,
    "def f[T = int](x): pass\n": None,
    "x = 1; type X = int\n": None,
    "type X = int; y = 2\n": None,
    "if x: type X = int\n": None,
    "type A = int,\n": None,
    "type A = yield\n": None,
    "type A = *x\n": None,
    "type X[\n    T,\n] = list[T]\n": None,
    "def f[](x): pass\n": None,
    "def f[T: ](x): pass\n": None,
    "def f[if](x): pass\n": None,
    "def f[*Ts: int](x): pass\n": None,
    "def f[T](x):\r\n    pass\r\n": None,
    "x = type\ny = type(x)\n": None,
}


@pytest.mark.parametrize("text", list(REWRITES))
def test_the_token_rewrite_is_libcst_s_rewrite(text: str) -> None:
    from decomposer.extract.decode import _stripped_by_libcst, _stripped_by_tokens

    assert _stripped_by_tokens(text) == REWRITES[text]
    if REWRITES[text] is not None:
        assert _stripped_by_libcst(text, "3.13") == REWRITES[text]


# Type parameters over several lines: libcst's rewrite joins the lines, so the tokens' rewrite
# moves the line breaks into parentheses and every line keeps its number.
OVER_LINES = {
    "def f[\n    T,\n](x): pass\n": "def f(\n\nx): pass\n",
    "class C[\n    T: int,  # c\n]:\n    pass\n": "class C(\n\n):\n    pass\n",
    "class C[\n    T,\n](\n    B,\n):\n    pass\n": "class C(\n\n\n    B,\n):\n    pass\n",
    "def f[\n    T,\n] (x): pass\n": None,  # a space after, as on one line
    "def f[\n    T: dict[\n        str, int\n    ],\n](x): pass\n": None,  # a bound over lines
}


@pytest.mark.parametrize("text", list(OVER_LINES))
def test_type_parameters_over_lines_keep_their_line_breaks(text: str) -> None:
    from decomposer.extract.decode import _stripped_by_tokens

    rewritten = _stripped_by_tokens(text)
    assert rewritten == OVER_LINES[text]
    if rewritten is not None:
        ast.parse(rewritten)
        assert rewritten.count("\n") == text.count("\n")


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
