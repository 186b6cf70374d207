"""Newman's modularity of a partition of a weighted undirected networkx graph, summed in an
order that does not depend on Python's string hashing; and the dependency graph's edges lifted
to the units that are clustered and measured."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    import networkx as nx


class _Edge(Protocol):
    """An edge between two nodes: the graph's `GraphEdge`, or the `Dependency` check reads."""

    @property
    def source(self) -> str: ...

    @property
    def target(self) -> str: ...


E = TypeVar("E", bound=_Edge)


def modularity(graph: nx.Graph, communities: Iterable[Collection[str]]) -> float:
    """Q = sum_c [L_c/m - (D_c/2m)^2] over the edges' `weight`, as
    `networkx.community.modularity` computes it, but with each community's nodes taken in
    sorted order: networkx walks a set of them, whose order changes with PYTHONHASHSEED, and
    a float sum depends on its order (plans differed in the last digit from run to run)."""
    return modularity_of(graph)(communities)


def modularity_of(graph: nx.Graph) -> Callable[[Iterable[Collection[str]]], float]:
    """`modularity` of any partition of `graph` (which must not change meanwhile), with the
    degrees summed once: a sweep of resolutions scores many partitions of one graph."""
    adjacency = graph.adj
    degree = {
        node: sum(data.get("weight", 1) for data in neighbours.values())
        + (neighbours[node].get("weight", 1) if node in neighbours else 0)
        for node, neighbours in adjacency.items()
    }
    degree_sum = sum(degree.values())
    m = degree_sum / 2
    norm = 1 / degree_sum**2

    def score(communities: Iterable[Collection[str]]) -> float:
        total: float = 0
        for community in communities:
            members = set(community)
            ordered = sorted(members)
            seen: set[str] = set()
            inside: float = 0
            for node in ordered:
                for other, data in adjacency[node].items():
                    if other not in seen and other in members:
                        inside += data.get("weight", 1)
                seen.add(node)
            degrees = sum(degree[node] for node in ordered)
            total += inside / m - degrees * degrees * norm
        return total

    return score


def undirected_graph(nodes: Iterable[str], edges: Iterable[tuple[str, str, float]]) -> nx.Graph:
    """The weighted undirected graph of `nodes` and directed (source, target, weight) `edges`:
    both directions of a pair, and its repeats, summed in a dict, then added once in the order
    of each pair's first edge, which is what adding them one by one gives without a networkx
    update per edge. Self-loops are left out."""
    # imported here: `check` lifts edges with this module and has no use for networkx
    import networkx as nx

    weights: dict[tuple[str, str], float] = {}
    for a, b, weight in edges:
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        weights[key] = weights[key] + weight if key in weights else weight
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    return graph


def lifted_edges(
    edges: Iterable[E], unit_of: Callable[[str], str], lifted: dict[str, str]
) -> Iterator[tuple[str, str, E]]:
    """(source unit, target unit, edge) for each edge, in order; each node is lifted to its
    unit once, and `lifted` keeps node -> unit for the caller."""
    for edge in edges:
        source = lifted.get(edge.source)
        if source is None:
            source = lifted[edge.source] = unit_of(edge.source)
        target = lifted.get(edge.target)
        if target is None:
            target = lifted[edge.target] = unit_of(edge.target)
        yield source, target, edge
