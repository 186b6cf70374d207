"""The example monolith against its answer key: every edge its README lists is found, there."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from decomposer import pipeline
from decomposer.config import Settings
from decomposer.models import DependencyGraph

README = Path(__file__).resolve().parents[2] / "examples" / "shop" / "README.md"
MODULE_EDGE_KINDS = {"import", "type_import", "dynamic_import"}


@dataclass(frozen=True)
class Row:
    kind: str
    source: str
    target: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind} {self.source} -> {self.target}"


def table(section: str) -> list[list[str]]:
    """The cells of the first markdown table under `## section` in the example's README."""
    text = README.read_text()
    start = text.index(f"## {section}")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("## "):
            break
        if line.startswith("|") and not re.match(r"^\|\s*-", line):
            rows.append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # the header row


def edge_rows() -> list[Row]:
    rows = []
    for kind, source, target, location in table("Edges the analyzer must find"):
        path, _, line = location.rpartition(":")
        rows.append(Row(kind, source, target, path, int(line)))
    return rows


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> DependencyGraph:
    out = tmp_path_factory.mktemp("example")
    document = pipeline.analyze(README.parent, Settings(cache=False), out=out).graph
    assert document is not None  # --no-cache: built, never reused
    return document


def found(graph: DependencyGraph, row: Row) -> bool:
    prefix = "shop/"
    if row.kind == "entry_point":
        return any(
            entry.node == row.source
            and entry.path.endswith(row.path.removeprefix(prefix))
            and _describes(entry, row.target)
            for entry in graph.entry_points
        )
    return any(
        edge.source == row.source
        and edge.target == row.target
        and edge.kind == row.kind
        and any(loc.path == row.path and loc.line == row.line for loc in edge.locations)
        for edge in graph.edges
    )


def _describes(entry: object, description: str) -> bool:
    kind, _, rest = description.partition(":")
    name = entry.name
    if kind == "cli":
        return entry.kind == "cli_command" and name == rest
    if kind == "event":
        return entry.kind in ("event_handler", "signal_receiver") and name == rest
    method, _, route = description.partition(" ")
    return method in entry.methods and name == route


def test_answer_key_lists_edges_of_every_kind() -> None:
    kinds = {row.kind for row in edge_rows()}
    assert kinds >= {
        "import",
        "type_import",
        "dynamic_import",
        "call",
        "instantiation",
        "inheritance",
        "decorator",
        "annotation",
        "orm_relation",
        "entry_point",
    }


@pytest.mark.parametrize("row", edge_rows(), ids=str)
def test_every_listed_edge_is_found_at_its_location(graph: DependencyGraph, row: Row) -> None:
    assert found(graph, row), f"not found: {row}"


def test_every_module_of_the_example_is_in_the_expected_split(graph: DependencyGraph) -> None:
    units = {unit for unit, _ in table("Expected split")}
    modules = {node.id for node in graph.nodes if node.kind == "module"}
    assert modules - units == set()
    assert {u for u in units if ":" not in u} - modules == set()


def test_models_of_the_shared_models_module_are_orm_models(graph: DependencyGraph) -> None:
    models = {unit for unit, _ in table("Expected split") if unit.startswith("shop.models:")}
    orm = {node.id for node in graph.nodes if node.orm == "sqlalchemy"}
    assert models and models <= orm


def test_example_parses_cleanly(graph: DependencyGraph) -> None:
    assert graph.failures == ()
    assert graph.stats.lines >= 3000
    assert [u.code for u in graph.unresolved] == ["DYN001"]  # the non-literal carrier import


@pytest.mark.integration
def test_example_monolith_passes_its_own_tests() -> None:
    pytest.importorskip("flask")
    pytest.importorskip("sqlalchemy")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=README.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
