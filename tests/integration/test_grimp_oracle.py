"""grimp as a test oracle: every module import edge it finds, decomposer finds too."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import grimp
import pytest

from decomposer.config import Settings
from decomposer.discover import find_sources, read_source
from decomposer.extract import extract_facts
from decomposer.graph import build_graph
from decomposer.models import ModuleFacts

pytestmark = pytest.mark.integration


def module_edges(root: Path, package: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(grimp's edges, decomposer's static import edges) for `package` under `root`."""
    sys.path.insert(0, str(root))
    try:
        oracle = grimp.build_graph(package, cache_dir=None)
    finally:
        sys.path.remove(str(root))
    theirs = {
        (importer, imported)
        for importer in oracle.modules
        for imported in oracle.find_modules_directly_imported_by(importer)
    }
    settings = Settings(source_roots=(".",), include_tests=True, include_migrations=True)
    tree = find_sources(root, settings)
    files = tuple(f for f in tree.files if f.module.partition(".")[0] == package)
    tree = tree.model_copy(update={"files": files})
    results = [extract_facts(f, read_source(root, f)) for f in files]
    graph = build_graph(tree, [r for r in results if isinstance(r, ModuleFacts)], [])
    ours = {(e.source, e.target) for e in graph.edges if e.kind in ("import", "type_import")}
    return theirs, ours


def test_example_monolith_matches_grimp_exactly(example_repo: Path) -> None:
    theirs, ours = module_edges(example_repo, "shop")
    assert theirs - ours == set()
    assert ours - theirs == set()


@pytest.mark.skipif(
    "DECOMPOSER_ORACLE_DJANGO" not in os.environ,
    reason="set DECOMPOSER_ORACLE_DJANGO to a folder holding Django's source (.ci/run does)",
)
def test_django_source_matches_grimp_exactly() -> None:
    theirs, ours = module_edges(Path(os.environ["DECOMPOSER_ORACLE_DJANGO"]), "django")
    assert len(theirs) > 3000
    assert theirs - ours == set()
    assert ours - theirs == set()
