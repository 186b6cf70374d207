"""The weighted unit graph: every signal that ties two units together, with evidence."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import networkx as nx

from decomposer.cluster.units import (
    _MAX_CLIQUE,
    _REACH_KINDS,
    _USE_CASE_DEPTH,
    _USE_KINDS,
    _UnitView,
)
from decomposer.config import ClusterSettings


@dataclass
class _Weighted:
    """The undirected weighted unit graph, with the strongest evidence of every pair."""

    graph: nx.Graph = field(default_factory=nx.Graph)
    evidence: dict[tuple[str, str], dict[str, tuple[float, str | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def weight(self, a: str, b: str) -> float:
        data = self.graph.get_edge_data(a, b)
        return float(data["weight"]) if data else 0.0


@dataclass
class _Builder:
    """Sums the signals into plain dicts, then builds the networkx graph once: the edges in
    the order of their first signal, as adding them one by one would (a networkx edge update
    per signal cost most of the clustering's time)."""

    exclude: Container[str] = ()  # units that get no edges (the shared kernel)
    weights: dict[tuple[str, str], float] = field(default_factory=dict)
    evidence: dict[tuple[str, str], dict[str, tuple[float, str | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def add(self, a: str, b: str, weight: float, signal: str, location: str | None = None) -> None:
        if a == b or weight <= 0 or a in self.exclude or b in self.exclude:
            return
        key = (a, b) if a < b else (b, a)
        weights = self.weights
        weights[key] = weights[key] + weight if key in weights else weight
        signals = self.evidence[key]
        best = signals.get(signal)
        if best is None:
            signals[signal] = (weight, location)
        else:
            signals[signal] = (best[0] + weight, best[1] if best[1] else location)

    def build(self, nodes: list[str]) -> _Weighted:
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_weighted_edges_from((a, b, w) for (a, b), w in self.weights.items())
        return _Weighted(graph, self.evidence)


def _weighted_graph(
    view: _UnitView,
    settings: ClusterSettings,
    *,
    exclude: dict[str, str],
    cochanges: Iterable[tuple[str, ...]],
) -> _Weighted:
    weights = settings.weights
    builder = _Builder(exclude)
    add = builder.add

    # Structural and ORM coupling: each edge kind by its weight, damped by log of repetitions.
    kind_weights: dict[str, float] = {}
    for source, target, edge in view.runtime_edges():
        if edge.kind in ("import", "dynamic_import") and target in view.split:
            continue  # the module part of a god module: its symbols carry the real edges
        kind: str = edge.kind
        if kind == "instantiation" and target in view.orm_units:
            kind = "ownership"  # creating a model's instances is what owning its data means
        kind_weight = kind_weights.get(kind)
        if kind_weight is None:
            kind_weight = kind_weights[kind] = weights.of(kind)
        weight = kind_weight * (1 + math.log2(edge.weight))
        first = edge.locations[0]
        add(source, target, weight, kind, f"{first.path}:{first.line}")
    _data_sharing(view, weights.data_sharing, add)
    _transactions(view, weights.transaction, add)
    _use_cases(view, weights.use_case, add)
    _packages(view, weights.package, exclude, add)
    _cochange(view, weights.cochange, cochanges, add)
    return builder.build(sorted(u for u in view.units if u not in exclude))


def _data_sharing(view: _UnitView, weight: float, add: _Adder) -> None:
    """Units whose code uses the same ORM model are tied together."""
    users: dict[str, set[str]] = defaultdict(set)
    for source, target, edge in view.runtime_edges():
        if edge.kind in _USE_KINDS and target in view.orm_units:
            users[target].add(source)
    for model, units in sorted(users.items()):
        if 1 < len(units) <= _MAX_CLIQUE:
            share = weight / (len(units) - 1)
            for a in sorted(units):
                for b in sorted(units):
                    if a < b:
                        add(a, b, share, "data_sharing", f"both use {model}")


def _transactions(view: _UnitView, weight: float, add: _Adder) -> None:
    """Models changed in one unit of work must stay in one database."""
    for transaction in view.graph.transactions:
        units = sorted(
            {view.unit_of(m) for m in transaction.models} | {view.unit_of(transaction.node)}
        )
        location = f"{transaction.path}:{transaction.line}"
        for a in units:
            for b in units:
                if a < b:
                    add(a, b, weight, "transaction", location)


def _use_cases(view: _UnitView, weight: float, add: _Adder) -> None:
    """Units an entry point reaches (within two hops) belong with the unit that handles it."""
    outgoing: dict[str, list[str]] = defaultdict(list)
    for edge in view.graph.edges:
        if edge.kind in _REACH_KINDS:
            outgoing[edge.source].append(edge.target)
    for entry in view.graph.entry_points:
        reached = {entry.node}
        frontier = [entry.node]
        for _ in range(_USE_CASE_DEPTH):
            frontier = [t for n in frontier for t in outgoing.get(n, ()) if t not in reached]
            reached.update(frontier)
        handler = view.unit_of(entry.node)
        units = {view.unit_of(n) for n in reached} - {handler}
        if not units or len(units) > _MAX_CLIQUE:
            continue
        share = weight / math.log2(2 + len(units))
        for unit in sorted(units):
            add(handler, unit, share, "use_case", f"{entry.path}:{entry.line} {entry.name}")


def _packages(view: _UnitView, weight: float, exclude: dict[str, str], add: _Adder) -> None:
    """A weak prior: modules of one package (not symbols of a split module) stay close."""
    members: dict[str, list[str]] = defaultdict(list)
    for unit in view.units:
        if ":" in unit or unit in exclude:
            continue
        members[unit.rpartition(".")[0]].append(unit)
    packages = {n.id for n in view.graph.nodes if n.is_package}
    for package, units in sorted(members.items()):
        group = sorted(set(units) | ({package} if package in packages else set()))
        if 1 < len(group) <= _MAX_CLIQUE:
            share = weight / (len(group) - 1)
            for a in group:
                for b in group:
                    if a < b:
                        add(a, b, share, "package", f"both in {package}")


def _cochange(
    view: _UnitView, weight: float, cochanges: Iterable[tuple[str, ...]], add: _Adder
) -> None:
    """Files committed together change together."""
    unit_of_path = {n.path: n.id for n in view.graph.nodes if n.kind == "module"}
    for paths in cochanges:
        units = sorted({unit_of_path[p] for p in paths if p in unit_of_path})
        if 1 < len(units) <= 20:
            share = weight / (len(units) - 1)
            for a in units:
                for b in units:
                    if a < b:
                        add(a, b, share, "cochange", None)


class _Adder(Protocol):
    def __call__(
        self, a: str, b: str, weight: float, signal: str, location: str | None = None
    ) -> None: ...
