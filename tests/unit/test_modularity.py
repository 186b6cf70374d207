"""decomposer/quality.py: Newman's modularity, summed in an order Python's hashing cannot
change (networkx sums over a set of each community's nodes)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from decomposer.quality import modularity, undirected_graph

SCRIPT = """
import random
import networkx as nx
from decomposer.quality import modularity, undirected_graph
rng = random.Random(3)
g = nx.Graph()
nodes = [f"pkg.mod{i}" for i in range(120)]
for _ in range(600):
    a, b = rng.sample(nodes, 2)
    g.add_edge(a, b, weight=rng.random() * 10 / 3)
print(repr(modularity(g, [set(nodes[i::7]) for i in range(7)])))
"""


def weighted_graph() -> tuple[nx.Graph, list[set[str]]]:
    rng = random.Random(11)
    graph = nx.Graph()
    nodes = [f"app.module{i}" for i in range(60)]
    for _ in range(250):
        a, b = rng.sample(nodes, 2)
        graph.add_edge(a, b, weight=rng.random() * 5)
    graph.add_edge("app.module0", "app.module0", weight=2.0)  # a self-loop counts twice
    return graph, [set(nodes[i::5]) for i in range(5)]


def test_the_same_value_as_networkx() -> None:
    graph, communities = weighted_graph()
    expected = nx.community.modularity(graph, communities, weight="weight")
    assert modularity(graph, communities) == pytest.approx(expected, abs=1e-12)


def test_the_same_bits_whatever_the_hash_seed() -> None:
    root = Path(__file__).resolve().parents[2]
    values = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    # networkx's own gives up to six different last digits for these six seeds
    assert len(values) == 1


def test_undirected_graph_sums_both_directions_in_the_order_of_first_edges() -> None:
    graph = undirected_graph(
        ["c", "b", "a"], [("b", "a", 1.0), ("a", "c", 2.0), ("a", "b", 0.5), ("c", "c", 9.0)]
    )
    assert list(graph.nodes) == ["c", "b", "a"]
    assert list(graph.edges(data="weight")) == [("c", "a", 2.0), ("b", "a", 1.5)]
    assert list(graph.adj["a"]) == ["b", "c"]
