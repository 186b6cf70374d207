"""Compare decomposer's module import edges with grimp's, as a test oracle.

    python benchmarks/compare_grimp.py PATH/TO/SOURCE_ROOT PACKAGE [PACKAGE ...]

SOURCE_ROOT is the folder that holds the top-level packages (it is put on sys.path for grimp).
Prints the edges grimp finds that decomposer misses (the goal: none), and the extra edges
decomposer finds, grouped by why (dynamic imports, and so on).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import grimp

from decomposer.config import Settings
from decomposer.discover import find_sources, read_source
from decomposer.extract import extract_facts
from decomposer.graph import build_graph
from decomposer.models import ModuleFacts

STATIC_KINDS = ("import", "type_import")


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    packages = sys.argv[2:]
    sys.path.insert(0, str(root))
    oracle = grimp.build_graph(*packages, cache_dir=None, include_external_packages=False)
    # grimp keeps a module importing itself (`from .x import *` inside x); decomposer does not
    # draw self-edges, so they are left out of the comparison.
    theirs = {
        (importer, imported)
        for importer in oracle.modules
        for imported in oracle.find_modules_directly_imported_by(importer)
        if importer != imported
    }
    settings = Settings(source_roots=(".",), include_tests=True, include_migrations=True)
    tree = find_sources(root, settings)
    tree = tree.model_copy(
        update={"files": tuple(f for f in tree.files if f.module.partition(".")[0] in packages)}
    )
    results = [extract_facts(f, read_source(root, f)) for f in tree.files]
    facts = [r for r in results if isinstance(r, ModuleFacts)]
    failures = [r for r in results if not isinstance(r, ModuleFacts)]
    graph = build_graph(tree, facts, failures)
    ours_by_kind: dict[tuple[str, str], set[str]] = {}
    for edge in graph.edges:
        if edge.kind in (*STATIC_KINDS, "dynamic_import"):
            ours_by_kind.setdefault((edge.source, edge.target), set()).add(edge.kind)
    ours = set(ours_by_kind)
    missing = sorted(theirs - ours)
    extra = sorted(ours - theirs)
    ours_modules = {n.id for n in graph.nodes if n.kind == "module"}
    print(f"modules: grimp {len(oracle.modules)}, decomposer {len(ours_modules)}")
    print(f"  only grimp: {sorted(set(oracle.modules) - ours_modules)[:20]}")
    print(f"  only decomposer: {sorted(ours_modules - set(oracle.modules))[:20]}")
    print(f"module import edges: grimp {len(theirs)}, decomposer {len(ours)}")
    print(f"failures: {len(failures)}")
    for failure in failures:
        print(f"  {failure}")
    print(f"missing (grimp has, decomposer lacks): {len(missing)}")
    for importer, imported in missing:
        details = oracle.get_import_details(importer=importer, imported=imported)
        where = ", ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details[:2])
        print(f"  {importer} -> {imported}  [{where}]")
    reasons = Counter("+".join(sorted(ours_by_kind[e])) for e in extra)
    print(f"extra (decomposer has, grimp lacks): {len(extra)} by kind {dict(reasons)}")
    for importer, imported in extra[:40]:
        print(
            f"  {importer} -> {imported}  ({'+'.join(sorted(ours_by_kind[(importer, imported)]))})"
        )
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
