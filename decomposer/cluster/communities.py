"""Leiden at a resolution (and a sweep for the alternatives), the requested count, and the
placement rules."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

import igraph
import leidenalg
import networkx as nx

from decomposer import forks
from decomposer.cluster.signals import (
    _Weighted,
)
from decomposer.cluster.units import (
    _SWEEP,
    _UnitView,
)
from decomposer.config import ClusterSettings
from decomposer.keys import key_of
from decomposer.models import (
    KERNEL_NAME,
    Alternative,
    ContextCountChoice,
    StoredPartition,
)
from decomposer.quality import modularity_of, undirected_graph

# The contracted graph's node for a domain unit: `unit:<domain>`.
_UNIT = "unit:"


def _choose_partition(
    weighted: _Weighted, settings: ClusterSettings, *, units_of: dict[str, str], jobs: int = 1
) -> tuple[list[set[str]], ContextCountChoice]:
    """Leiden over a sweep of resolutions; take the configured resolution, or the requested
    count.

    `units_of` maps a unit to the domain unit it moves with (its app, its mirrored layer
    files): those move as one node. The sweep runs on `jobs` processes (see `_sweep`)."""
    graph = _contracted(weighted.graph, settings, units_of)
    # The igraph graph is built once for every resolution of the sweep, and the partition at
    # the configured resolution computed once: the sweep reuses it.
    lifted = _Lifted.of(graph.graph)
    score = _scorer(graph.graph)  # the degrees summed once for the whole sweep
    sweep = _sweep(lifted, settings, jobs)
    configured = next(sweep)[1]
    candidates: dict[int, tuple[float, float, list[set[str]]]] = {}
    for resolution, communities in sweep:
        if not communities:
            break
        quality = score(communities)
        count = len(communities)
        if count not in candidates or quality > candidates[count][1]:
            candidates[count] = (resolution, quality, communities)
        if settings.services and count >= settings.services * 2:
            break
    if settings.services:
        if len(configured) >= settings.services:
            communities = configured
            # a community without a domain unit goes to the shared kernel, not to a service
            while _services(communities, units_of) > settings.services:
                communities = _merge_closest(graph.graph, communities)
        else:
            communities = _with_count(graph.graph, candidates, settings.services, settings.seed)
        criterion = (
            f"--services {settings.services}: the Leiden partition at resolution"
            f" {settings.resolution}, its most coupled contexts merged down to that many; where"
            " it has fewer, the candidate of the sweep with that many (or split further)"
        )
    else:
        communities = configured
        criterion = (
            f"Leiden at resolution {settings.resolution} on the graph of domain units (apps and"
            " the layer files named after them move as one); the sweep below shows the"
            " modularity Q of other resolutions"
        )
    chosen = len(communities)
    alternatives = tuple(
        Alternative(
            contexts=count,
            resolution=resolution,
            modularity=round(quality, 4),
            chosen=count == chosen,
        )
        for count, (resolution, quality, _) in sorted(candidates.items())
    )
    if chosen and chosen not in candidates:
        alternatives += (
            Alternative(
                contexts=chosen,
                resolution=0.0,
                modularity=round(score(communities), 4),
                chosen=True,
            ),
        )
    return graph.expand(communities), ContextCountChoice(
        criterion=criterion, requested=settings.services, alternatives=alternatives
    )


@dataclass
class Partitions:
    """Partitions found before (`entries`, by key), for `find_contexts` to reuse and add to.

    `_choose_partition` reads the weighted unit graph (its nodes, and its edges with their
    weights: not the evidence, whose locations move with every edit above them), the units'
    domain units and the cluster settings, and nothing else; Leiden is seeded. So a partition
    is found again for the same key: those inputs, in order, with `salt` (what the caller's
    code is: the tool's version and stamp) and the versions of the libraries that compute it.
    `reused` tells whether this run found its partition here."""

    salt: str
    entries: dict[str, StoredPartition] = field(default_factory=dict)
    reused: bool = False

    def choose(
        self,
        weighted: _Weighted,
        settings: ClusterSettings,
        *,
        units_of: dict[str, str],
        jobs: int = 1,
    ) -> tuple[list[set[str]], ContextCountChoice]:
        """`_choose_partition`'s answer: the one kept for the same inputs, or computed (and
        kept)."""
        key = self.key(weighted, settings, units_of)
        stored = self.entries.get(key)
        if stored is not None:
            self.reused = True
            return [set(c) for c in stored.communities], stored.selection
        partition, selection = _choose_partition(weighted, settings, units_of=units_of, jobs=jobs)
        self.entries[key] = StoredPartition(
            communities=tuple(tuple(sorted(c)) for c in partition), selection=selection
        )
        return partition, selection

    def key(self, weighted: _Weighted, settings: ClusterSettings, units_of: dict[str, str]) -> str:
        graph = weighted.graph
        return key_of(
            (
                self.salt,
                f"igraph {igraph.__version__} leidenalg {leidenalg.version}"
                f" networkx {nx.__version__}",
                settings.model_dump_json(),
                "\n".join(f"{u}\t{d}" for u, d in sorted(units_of.items())),
                "\n".join(graph.nodes),
                "\n".join(f"{a}\t{b}\t{w!r}" for a, b, w in graph.edges(data="weight")),
            )
        )


def _services(communities: list[set[str]], units_of: dict[str, str]) -> int:
    """How many of the communities (of the contracted graph) hold a domain unit."""
    if not units_of:
        return len(communities)
    return sum(1 for c in communities if any(n.startswith(_UNIT) for n in c))


def _sweep(
    lifted: _Lifted, settings: ClusterSettings, jobs: int
) -> Iterator[tuple[float, list[set[str]]]]:
    """The partition at the configured resolution, then (resolution, partition) for each
    resolution of the sweep, in order (the configured one again where it falls). Computed a
    batch at a time on `jobs` processes: Leiden is seeded, so each partition is the same
    wherever it is computed, and a caller that stops early leaves later batches undone."""
    resolutions = _resolutions(settings)
    pending = [settings.resolution, *(r for r in resolutions if r != settings.resolution)]
    found: dict[float, list[set[str]]] = {}
    position = 0  # the next resolution of the sweep to hand out
    batch = len(_SWEEP)
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        partitions = forks.map_forked(partial(lifted.leiden, seed=settings.seed), chunk, jobs)
        found.update(zip(chunk, partitions, strict=True))
        if start == 0:
            yield settings.resolution, found[settings.resolution]
        while position < len(resolutions) and resolutions[position] in found:
            yield resolutions[position], found[resolutions[position]]
            position += 1


def _resolutions(settings: ClusterSettings) -> tuple[float, ...]:
    if not settings.services:
        return _SWEEP
    # A finer, wider sweep to find the requested count.
    return tuple(round(0.1 * 1.15**i, 4) for i in range(40))


def _leiden(graph: nx.Graph, resolution: float, seed: int) -> list[set[str]]:
    """Leiden (Traag et al. 2019, `leidenalg` over igraph, in C++) on the modularity with a
    resolution: unlike Louvain, every community it returns is connected. Nodes are handed over
    in sorted order and the seed is fixed, so the same graph gives the same partition."""
    return _Lifted.of(graph).leiden(resolution, seed)


@dataclass(frozen=True)
class _Lifted:
    """A networkx graph as igraph sees it: nodes in sorted order, edges sorted by index.
    Built once, it serves every resolution of a sweep."""

    nodes: list[str]
    graph: igraph.Graph
    weights: list[float]

    @classmethod
    def of(cls, graph: nx.Graph) -> _Lifted:
        nodes = sorted(graph.nodes)
        index = {node: i for i, node in enumerate(nodes)}
        edges = sorted((index[a], index[b], float(w)) for a, b, w in graph.edges(data="weight"))
        # The C constructor: `igraph.Graph(...)` imports numpy (a quarter of a second) only to
        # ask whether the edge list is an array; its graph is this one plus attribute handling.
        lifted = igraph.Graph.__new__(igraph.Graph)
        igraph.GraphBase.__init__(lifted, len(nodes), [(a, b) for a, b, _ in edges], False)
        return cls(nodes, lifted, [w for _, _, w in edges])

    def leiden(self, resolution: float, seed: int) -> list[set[str]]:
        if not self.nodes:
            return []
        partition = leidenalg.find_partition(
            self.graph,
            leidenalg.RBConfigurationVertexPartition,
            weights=self.weights,
            resolution_parameter=resolution,
            seed=seed,
            n_iterations=-1,
        )
        nodes = self.nodes
        return sorted(({nodes[i] for i in members} for members in partition), key=lambda c: min(c))


def _scorer(graph: nx.Graph) -> Callable[[list[set[str]]], float]:
    """The modularity of partitions of `graph`; 0 without edges or communities."""
    if graph.number_of_edges() == 0:
        return lambda communities: 0.0
    of = modularity_of(graph)
    return lambda communities: float(of(communities)) if communities else 0.0


def _with_count(
    graph: nx.Graph,
    candidates: dict[int, tuple[float, float, list[set[str]]]],
    wanted: int,
    seed: int,
) -> list[set[str]]:
    if wanted in candidates:
        return candidates[wanted][2]
    larger = sorted(c for c in candidates if c > wanted)
    if larger:
        communities = [set(c) for c in candidates[larger[0]][2]]
        while len(communities) > wanted:
            communities = _merge_closest(graph, communities)
        return communities
    communities = [set(c) for c in candidates[max(candidates)][2]] if candidates else []
    while 0 < len(communities) < wanted:
        biggest = max(communities, key=len)
        if len(biggest) < 2:
            break
        halves = _split_one(graph.subgraph(biggest), seed)
        communities.remove(biggest)
        communities.extend(halves)
    return sorted(communities, key=lambda c: min(c))


def _merge_closest(graph: nx.Graph, communities: list[set[str]]) -> list[set[str]]:
    """Merge the two contexts with the most coupling per unit pair."""
    owner = {unit: i for i, c in enumerate(communities) for unit in c}
    between: Counter[tuple[int, int]] = Counter()
    for a, b, data in graph.edges(data=True):
        i, j = sorted((owner[a], owner[b]))
        if i != j:
            between[(i, j)] += data["weight"]
    if between:
        i, j = max(
            between,
            key=lambda p: (
                between[p] / (len(communities[p[0]]) * len(communities[p[1]])),
                -p[0],
                -p[1],
            ),
        )
    else:
        smallest = sorted(range(len(communities)), key=lambda k: (len(communities[k]), k))
        i, j = sorted(smallest[:2])
    merged = communities[i] | communities[j]
    rest = [c for k, c in enumerate(communities) if k not in (i, j)]
    return sorted([*rest, merged], key=lambda c: min(c))


def _split_one(graph: nx.Graph, seed: int) -> list[set[str]]:
    for resolution in (1.0, 2.0, 4.0, 8.0, 16.0):
        parts = _leiden(nx.Graph(graph), resolution, seed)
        if len(parts) > 1:
            return parts
    nodes = sorted(graph.nodes)
    return [set(nodes[: len(nodes) // 2]), set(nodes[len(nodes) // 2 :])]


@dataclass
class _Contracted:
    """The unit graph with pinned and "together" units merged into single nodes."""

    graph: nx.Graph
    members: dict[str, set[str]]

    def expand(self, communities: list[set[str]]) -> list[set[str]]:
        return [set().union(*(self.members[n] for n in c)) for c in communities]


def _contracted(
    graph: nx.Graph, settings: ClusterSettings, units_of: dict[str, str]
) -> _Contracted:
    group_of: dict[str, str] = {u: f"{_UNIT}{d}" for u, d in units_of.items() if graph.has_node(u)}
    for unit, name in sorted(settings.pin.items()):
        if name != KERNEL_NAME and graph.has_node(unit):
            group_of[unit] = f"pin:{name}"
    for index, together in enumerate(settings.together):
        present = [u for u in together if graph.has_node(u)]
        target = next((group_of[u] for u in present if u in group_of), f"together:{index}")
        for unit in present:
            group_of[unit] = target
    members: dict[str, set[str]] = defaultdict(set)
    for node in sorted(graph.nodes):
        members[group_of.get(node, node)].add(node)
    contracted = undirected_graph(
        members,
        (
            (group_of.get(a, a), group_of.get(b, b), weight)
            for a, b, weight in sorted(graph.edges(data="weight"))
        ),
    )
    return _Contracted(contracted, dict(members))


def _apply_rules(
    partition: list[set[str]],
    weighted: _Weighted,
    settings: ClusterSettings,
    kernel: dict[str, str],
) -> list[set[str]]:
    """Keep "apart" groups apart: all but the best-anchored member move to their next-best
    context (a new one if there is none)."""
    communities = [set(c) for c in partition]
    for group in settings.apart:
        for community in communities:
            clash = sorted(u for u in group if u in community and u not in kernel)
            if len(clash) < 2:
                continue
            anchored = max(clash, key=lambda u: (_tie(weighted, u, community), u))
            for unit in clash:
                if unit == anchored:
                    continue
                community.discard(unit)
                others = [c for c in communities if c is not community and not (c & set(group))]
                best = max(others, key=lambda c: _tie(weighted, unit, c), default=None)
                if best is not None and _tie(weighted, unit, best) > 0:
                    best.add(unit)
                else:
                    communities.append({unit})
    return sorted((c for c in communities if c), key=lambda c: min(c))


def _adopt_orphans(
    partition: list[set[str]],
    weighted: _Weighted,
    view: _UnitView,
    kernel: dict[str, str],
    apart: tuple[tuple[str, ...], ...],
) -> list[set[str]]:
    """A context whose units have no tie to each other is no context: each of its units joins
    the context it is most tied to, else the one holding most of its domain, else the kernel.
    A unit kept apart from others by a rule stays on its own rather than rejoin them."""
    real = [c for c in partition if _has_ties(weighted, c)]
    orphans = sorted(u for c in partition if not _has_ties(weighted, c) for u in c)
    for unit in orphans:
        partners = {p for group in apart if unit in group for p in group if p != unit}
        allowed = [c for c in real if not c & partners]
        if len(allowed) < len(real):
            real.append({unit})
            continue
        best = max(real, key=lambda c: (_tie(weighted, unit, c), min(c)), default=None)
        if best is None or _tie(weighted, unit, best) == 0:
            domain = view.domain(unit)
            same = [c for c in real if any(view.domain(u) == domain for u in c)]
            best = max(
                same, key=lambda c: (sum(view.domain(u) == domain for u in c), min(c)), default=None
            )
        if best is not None:
            best.add(unit)
        else:
            kernel[unit] = "no dependency ties it to any context"
    return sorted(real, key=lambda c: min(c))


def _has_ties(weighted: _Weighted, community: set[str]) -> bool:
    """Whether two units of the community are tied (every edge weighs more than 0)."""
    adjacency = weighted.graph.adj
    return any(
        other in community for unit in community if unit in adjacency for other in adjacency[unit]
    )


def _tie(weighted: _Weighted, unit: str, community: set[str]) -> float:
    ties = weighted.graph.adj[unit] if unit in weighted.graph else {}
    return sum(
        float(ties[other]["weight"]) if other in ties else 0.0
        for other in community
        if other != unit
    )
