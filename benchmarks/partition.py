"""Partitions the benchmarks compare: a plan's unit -> context, and plain Louvain's."""

from __future__ import annotations

import networkx as nx

from decomposer.models import DecompositionPlan, DependencyGraph

IMPORT_KINDS = frozenset({"import", "type_import", "dynamic_import"})


def unit_owners(plan: DecompositionPlan, *, kernel: str) -> dict[str, str]:
    """unit (module, or module:QualName of a split module) -> its context's name; units of the
    shared kernel -> `kernel`. The kernel claims first, then the first context to list a unit
    (as decomposer.metrics does), so the result is a partition even of a hand-edited plan."""
    owner = dict.fromkeys((*plan.shared_kernel.modules, *plan.shared_kernel.symbols), kernel)
    for context in plan.contexts:
        for unit in (*context.modules, *context.symbols):
            owner.setdefault(unit, context.name)
    return owner


def louvain(graph: DependencyGraph, *, seed: int = 0) -> dict[str, str]:
    """module -> community: what import-graph visualizers do. Louvain (networkx, `seed`) on the
    undirected graph of the module imports, every module of the graph a node."""
    imports = nx.Graph()
    imports.add_nodes_from(sorted(n.id for n in graph.nodes if n.kind == "module"))
    for edge in graph.edges:
        if edge.kind in IMPORT_KINDS and edge.source != edge.target:
            imports.add_edge(edge.source, edge.target)
    communities = nx.community.louvain_communities(imports, seed=seed)
    return {module: f"c{i}" for i, c in enumerate(communities) for module in c}
