"""Shared fixtures: the example monolith, tiny repositories written from dicts, golden files."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from decomposer import discover
from decomposer.extract import extract_facts
from decomposer.graph import build_graph
from decomposer.models import (
    CodeDependencies,
    Dependency,
    DependencyGraph,
    ModuleFacts,
    ParseFailure,
    SourceFile,
    SourceTree,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "shop"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under CI=true a skipped integration test fails, with its skip reason: CI must say loudly
    that a tool is missing instead of staying green over tests that never ran."""
    report = yield
    if (
        os.environ.get("CI") == "true"
        and report.skipped
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("integration") is not None
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        reason = str(reason).removeprefix("Skipped: ")
        report.longrepr = f"integration test skipped under CI=true: {reason}"
    return report


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from the current output."
    )


@pytest.fixture(autouse=True, scope="session")
def _private_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The facts cache of every run in the suite goes to a folder of the suite's own, never to
    the user's cache folder (platformdirs reads XDG_CACHE_HOME; the CLI DECOMPOSER_CACHE_DIR).
    So does `decompose server`'s socket (XDG_RUNTIME_DIR): the program the tests run never
    hands its command to a server the user started."""
    folder = tmp_path_factory.mktemp("user-cache")
    runtime = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        patch.setenv("DECOMPOSER_CACHE_DIR", str(folder / "decomposer"))
        patch.setenv("XDG_RUNTIME_DIR", str(runtime))
        yield


@pytest.fixture(autouse=True)
def _stat_never_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether `analyze` trusts the stat of files written a moment ago (see
    `discover.fingerprint`) would depend on how fast the machine ran the test: in the suite it
    never does, except where a test says so (tests/functional/test_reuse.py)."""
    monkeypatch.setattr(discover, "_SETTLED_NS", 10**18)


@pytest.fixture
def example_repo() -> Path:
    return EXAMPLE


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative path: text or bytes} under a fresh folder and return the folder."""

    def write(files: dict[str, str | bytes], root: Path | None = None) -> Path:
        base = root or tmp_path / "repo"
        for relative, content in files.items():
            path = base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content))
        base.mkdir(parents=True, exist_ok=True)
        return base

    return write


def facts_of(code: str, module: str = "pkg.mod", *, is_package: bool = False) -> ModuleFacts:
    """Extract facts from an inline snippet; fails the test if the snippet does not parse."""
    path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
    source = SourceFile(path=path, module=module, is_package=is_package, root=".", size_bytes=0)
    result = extract_facts(source, textwrap.dedent(code).encode())
    assert not isinstance(result, ParseFailure), str(result)
    return result


def graph_of(modules: dict[str, str]) -> DependencyGraph:
    """Build a graph from {dotted module: code}; a name ending in '/' is a package __init__."""
    files, facts = [], []
    for name, code in sorted(modules.items()):
        is_package = name.endswith("/")
        module = name.rstrip("/")
        path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
        source = SourceFile(path=path, module=module, is_package=is_package, root=".", size_bytes=1)
        files.append(source)
        result = extract_facts(source, textwrap.dedent(code).encode())
        assert isinstance(result, ModuleFacts), str(result)
        facts.append(result)
    tree = SourceTree(name="repo", roots=(".",), files=tuple(files), skipped=())
    return build_graph(tree, facts, [])


def dependencies_of(graph: DependencyGraph) -> CodeDependencies:
    """What `check` reads of a whole graph: what `graph.code_dependencies` builds from facts."""
    return CodeDependencies(
        repo=graph.repo,
        roots=graph.roots,
        modules=frozenset(n.id for n in graph.nodes if n.kind == "module"),
        symbols=frozenset(n.id for n in graph.nodes if n.kind != "module"),
        dependencies=tuple(
            Dependency(
                edge.source,
                edge.target,
                edge.kind,
                frozenset(
                    (at.path, at.line, at.col, at.certainty, at.resolution, at.discards_result)
                    for at in edge.locations
                ),
            )
            for edge in graph.edges
        ),
        failures=graph.failures,
    )
