"""The clustering reuses the partition of an earlier run on the same weighted unit graph, and
gives byte for byte the clustering a fresh run gives: an edit that moves lines (every position
in the graph, and the sizes) reuses it, a changed dependency does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from decomposer import pipeline
from decomposer.cluster import Partitions, find_contexts
from decomposer.config import ClusterSettings, Settings
from decomposer.models import DependencyGraph, GraphEdge, Location

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> DependencyGraph:
    out = tmp_path_factory.mktemp("shop")
    document = pipeline.build_graph(SHOP, Settings(cache=False), out=out).graph
    assert document is not None
    return document


def shifted(graph: DependencyGraph, by: int) -> DependencyGraph:
    """Every position moved down `by` lines and right 2 columns, every node `by` lines longer:
    what inserting lines above everything would do."""

    def location(at: Location) -> Location:
        return at.model_copy(update={"line": at.line + by, "col": at.col + 2})

    return graph.model_copy(
        update={
            "nodes": tuple(
                n.model_copy(
                    update={"line": n.line + by, "end_line": n.end_line + by, "lines": n.lines + by}
                )
                for n in graph.nodes
            ),
            "edges": tuple(
                e.model_copy(update={"locations": tuple(location(at) for at in e.locations)})
                for e in graph.edges
            ),
            "entry_points": tuple(
                p.model_copy(update={"line": p.line + by, "col": p.col + 2})
                for p in graph.entry_points
            ),
            "transactions": tuple(
                t.model_copy(update={"line": t.line + by, "col": t.col + 2})
                for t in graph.transactions
            ),
            "unresolved": tuple(
                u.model_copy(update={"line": u.line + by, "col": u.col + 2})
                for u in graph.unresolved
            ),
        }
    )


@pytest.mark.parametrize("settings", [ClusterSettings(), ClusterSettings(services=3)])
def test_moved_lines_reuse_the_partition_and_give_the_fresh_clustering(
    shop: DependencyGraph, settings: ClusterSettings
) -> None:
    memo = Partitions(salt="test")
    before = find_contexts(shop, settings, partitions=memo)
    assert not memo.reused and len(memo.entries) == 1
    assert before == find_contexts(shop, settings)
    moved = shifted(shop, 40)
    fresh = find_contexts(moved, settings)
    # the clustering holds positions (each tie's location): it is not the same as before
    assert fresh.model_dump_json() != before.model_dump_json()
    reused = find_contexts(moved, settings, partitions=memo)
    assert memo.reused and len(memo.entries) == 1
    assert reused.model_dump_json() == fresh.model_dump_json()


def test_a_changed_dependency_computes_the_partition_again(shop: DependencyGraph) -> None:
    memo = Partitions(salt="test")
    clustering = find_contexts(shop, ClusterSettings(), partitions=memo)
    # an import between two contexts: a new tie in the weighted unit graph
    source, target = (c.units[0] for c in clustering.contexts[:2])
    at = Location(
        path="shop/x.py", line=1, col=1, certainty="certain", resolution="absolute-import"
    )
    edge = GraphEdge(
        source=source, target=target, kind="import", weight=1, certainty="certain", locations=(at,)
    )
    changed = shop.model_copy(update={"edges": (*shop.edges, edge)})
    again = find_contexts(changed, ClusterSettings(), partitions=memo)
    assert not memo.reused and len(memo.entries) == 2
    assert again.model_dump_json() == find_contexts(changed, ClusterSettings()).model_dump_json()
    # other code computing it (the salt: the tool's stamp) never reuses it
    other = Partitions(salt="other", entries=dict(memo.entries))
    find_contexts(shop, ClusterSettings(), partitions=other)
    assert not other.reused
