"""Stage 5: graph + clustering -> CutMetrics (quality of a cut) and per-context metrics."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import networkx as nx

from decomposer.config import ClusterSettings, Weights
from decomposer.models import Clustering, ContextMetrics, CutMetrics, DependencyGraph, GraphNode
from decomposer.quality import lifted_edges, modularity, undirected_graph

# Type-only coupling is not runtime coupling: these kinds never count in any metric.
_TYPE_ONLY_KINDS = frozenset({"annotation", "type_import"})
_CALL_KINDS = frozenset({"call", "instantiation"})
_INTERFACE_KINDS = frozenset({"call", "instantiation", "reference"})
_REACH_KINDS = frozenset({"call", "instantiation", "reference", "event"})
_REACH_DEPTH = 3

# One line per CutMetrics field, for the README and the report (see describe_metrics).
_FORMULAS: dict[str, str] = {
    "contexts": "K = number of contexts; the shared kernel is not one of them",
    "modularity": "Q = sum over contexts c of W_c/W - (D_c/2W)^2 on the undirected unit graph,"
    " edge weight = weights.of(kind) x call sites, both directions summed"
    " (Newman & Girvan 2004, weighted)",
    "structural_modularity": "SM = (1/K) sum_i mu_i/m_i^2 - (1/(K(K-1)/2)) sum_{i<j}"
    " sigma_ij/(2 m_i m_j); mu_i, sigma_ij = distinct directed unit edges inside i and between"
    " i and j, m_i = units of i (Jin et al. 2019; static edges instead of execution traces)",
    "icp": "ICP = call and instantiation sites between contexts / all such sites within and"
    " between contexts (Jin et al. 2019; static call sites instead of traced calls)",
    "ifn": "IFN = (1/K) sum_i |nodes of i called, instantiated or referenced from other"
    " contexts| (Jin et al. 2019; nodes stand for the paper's interface methods)",
    "ned": "NED = 1 - units in contexts of ned_bounds size (inclusive) / units in contexts"
    " (Desai et al. 2021, CoGCN variant)",
    "bcp": "BCP = (1/K) sum_i entropy (log2) of the entry points reaching context i, weighted by"
    " the units each reaches within 3 call/instantiation/reference/event hops"
    " (Jin et al. 2019; entry points stand for the paper's use cases)",
    "cross_context_edges": "distinct (source unit, target unit, kind) runtime edges between"
    " contexts",
    "cyclic_context_pairs": "unordered context pairs with runtime edges in both directions",
}
_KERNEL_NOTE = (
    "Runtime edges exclude annotation and type_import. Units of the shared kernel, and edges"
    " touching them, are left out of every cut metric: the kernel ships as a library in every"
    " service, so using it is no dependency between services."
)


# Public functions


def measure_cut(
    graph: DependencyGraph, clustering: Clustering, settings: ClusterSettings
) -> CutMetrics:
    """How good a cut is: modularity, coupling, interfaces, size balance, business purity.

    Runtime edges are the graph's edges minus `annotation` and `type_import`, lifted to units
    (`Clustering.unit_of`) without self-loops. The shared kernel is left out: its units do not
    count, and edges touching them are ignored. Formulas, sources and variants are in
    `describe_metrics()`, the helper docstrings below, and the README.
    """
    return _cut_metrics(
        _cut_of(graph, clustering, weights=settings.weights, with_kernel=False), settings
    )


def measure_contexts(
    graph: DependencyGraph, clustering: Clustering, settings: ClusterSettings
) -> dict[str, ContextMetrics]:
    """Size, cohesion and coupling of each context, and of the shared kernel, by name.

    A context's numbers leave out its edges to and from the kernel (a library, not a service);
    the kernel's own numbers count its edges with every context. Cohesion is internal weight /
    (internal + external weight) of the runtime edges, 1.0 without edges; efferent and
    afferent count distinct unit-to-unit runtime edges leaving and entering.
    """
    return _context_metrics(_cut_of(graph, clustering, weights=settings.weights, with_kernel=True))


def measure(
    graph: DependencyGraph, clustering: Clustering, settings: ClusterSettings
) -> tuple[CutMetrics, dict[str, ContextMetrics]]:
    """`measure_cut` and `measure_contexts` of one cut, with the graph's edges lifted to the
    units once for both (the lifting is most of their time)."""
    with_kernel = _cut_of(graph, clustering, weights=settings.weights, with_kernel=True)
    return (
        _cut_metrics(_without_kernel(with_kernel, settings.weights), settings),
        _context_metrics(with_kernel),
    )


def describe_metrics() -> dict[str, str]:
    """Each CutMetrics field's formula, source and variant, plus a note (key `scope`)."""
    return {**_FORMULAS, "scope": _KERNEL_NOTE}


def mojofm(proposal: Mapping[str, str], truth: Mapping[str, str]) -> float:
    """MoJoFM(A, B) of the proposal A against the truth B (unit -> cluster label), in percent:
    100 means A is B, 0 means A is as far from B as any partition can be.

    Wen & Tzerpos 2004, "An effectiveness measure for software clustering algorithms":
    MoJoFM = (1 - mno(A, B) / max mno(any A, B)) x 100 over the units both maps label.
    mno = moves + joins: each cluster A_i keeps its largest overlap v_i = max_j |A_i & B_j|
    and moves the rest (sum |A_i| - v_i); a maximum matching g of the A_i to the B_j attaining
    v_i leaves l - g joins (l clusters in A). max mno = n - g_max, g_max counting up through
    B's cluster sizes in ascending order while count < size.
    """
    units = sorted(proposal.keys() & truth.keys())
    moves, joins = _moves_and_joins({u: proposal[u] for u in units}, {u: truth[u] for u in units})
    worst = len(units) - _max_groups(Counter(truth[u] for u in units).values())
    if worst == 0:
        return 100.0 if moves + joins == 0 else 0.0
    return (1 - (moves + joins) / worst) * 100


def mojofm_both(proposal: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float]:
    """(MoJoFM(A, B), MoJoFM(B, A)): moves are dear and joins cheap, so the first punishes A
    for lumping units together and the reverse punishes A for splitting them apart."""
    return mojofm(proposal, truth), mojofm(truth, proposal)


# Private functions


def _cut_metrics(cut: _Cut, settings: ClusterSettings) -> CutMetrics:
    clustering = cut.clustering
    return CutMetrics(
        contexts=len(clustering.contexts),
        modularity=_modularity(cut),
        structural_modularity=_structural_modularity(cut),
        icp=_icp(cut),
        ifn=_ifn(cut),
        ned=_ned(cut, settings.ned_bounds),
        bcp=_bcp(cut),
        cross_context_edges=len(
            {(e.source, e.target, e.kind) for e in cut.edges if not _is_internal(cut, e)}
        ),
        cyclic_context_pairs=_cyclic_context_pairs(cut),
    )


def _context_metrics(cut: _Cut) -> dict[str, ContextMetrics]:
    graph, clustering = cut.graph, cut.clustering
    kernel = clustering.shared_kernel.name
    nodes = {node.id: node for node in graph.nodes}
    leftover = _split_module_lines(graph, clustering)
    # one pass over the edges for every context at once; each context's sums still add its
    # edges in the graph's order
    internal = dict.fromkeys(cut.members, 0.0)
    external = dict.fromkeys(cut.members, 0.0)
    leaving: dict[str, set[tuple[str, str]]] = {name: set() for name in cut.members}
    entering: dict[str, set[tuple[str, str]]] = {name: set() for name in cut.members}
    for edge in cut.edges:
        source, target = cut.group_of[edge.source], cut.group_of[edge.target]
        if source == target:
            internal[source] += edge.weight
            continue
        touches_kernel = kernel in (source, target)
        for name in (source, target):
            if touches_kernel and name != kernel:
                continue
            external[name] += edge.weight
            (leaving if source == name else entering)[name].add((edge.source, edge.target))
    measured = {}
    for name, units in sorted(cut.members.items()):
        inside, outside = internal[name], external[name]
        measured[name] = ContextMetrics(
            units=len(units),
            lines=sum(_lines_of(unit, nodes, leftover) for unit in units),
            cohesion=inside / (inside + outside) if inside + outside else 1.0,
            efferent=len(leaving[name]),
            afferent=len(entering[name]),
        )
    return measured


class _UnitEdge(NamedTuple):
    """One graph edge lifted to units: source and target differ and both sit in a group."""

    source: str
    target: str
    kind: str
    weight: float


@dataclass(frozen=True)
class _Cut:
    """A graph seen through a partition of its units into groups (contexts, maybe the kernel)."""

    graph: DependencyGraph
    clustering: Clustering
    group_of: dict[str, str]
    members: dict[str, tuple[str, ...]]
    edges: tuple[_UnitEdge, ...]
    # the group of each end of each graph edge, in the graph's order (None: in no group)
    ends: tuple[tuple[str | None, str | None], ...] = ()
    units: dict[str, str] = field(default_factory=dict)  # node -> unit, filled as asked

    def group(self, node: str) -> str | None:
        return self.group_of.get(self.unit_of(node))

    def unit_of(self, node: str) -> str:
        """`Clustering.unit_of`, remembered: the metrics ask it about each edge's nodes."""
        unit = self.units.get(node)
        if unit is None:
            unit = self.units[node] = self.clustering.unit_of(node)
        return unit


def _cut_of(
    graph: DependencyGraph, clustering: Clustering, *, weights: Weights, with_kernel: bool
) -> _Cut:
    # The kernel claims its units first, so a unit also listed in a context stays in the
    # kernel; after that the first context to list a unit keeps it. Groups are a partition.
    kernel = clustering.shared_kernel
    claims: dict[str, str | None] = dict.fromkeys(
        kernel.units, kernel.name if with_kernel else None
    )
    for context in clustering.contexts:
        for unit in context.units:
            claims.setdefault(unit, context.name)
    group_of = {unit: group for unit, group in claims.items() if group is not None}
    names = [c.name for c in clustering.contexts] + ([kernel.name] if with_kernel else [])
    members: dict[str, list[str]] = {name: [] for name in names}
    for unit, group in group_of.items():
        members[group].append(unit)
    lifted: dict[str, str] = {}  # node -> unit, each node lifted once
    kind_weights: dict[str, float] = {}
    edges = []
    ends = []
    for source, target, edge in lifted_edges(graph.edges, clustering.unit_of, lifted):
        source_group, target_group = group_of.get(source), group_of.get(target)
        ends.append((source_group, target_group))
        if (
            source_group is not None
            and target_group is not None
            and source != target
            and edge.kind not in _TYPE_ONLY_KINDS
        ):
            kind_weight = kind_weights.get(edge.kind)
            if kind_weight is None:
                kind_weight = kind_weights[edge.kind] = weights.of(edge.kind)
            edges.append(_UnitEdge(source, target, edge.kind, kind_weight * edge.weight))
    return _Cut(
        graph=graph,
        clustering=clustering,
        group_of=group_of,
        members={name: tuple(units) for name, units in members.items()},
        edges=tuple(edges),
        ends=tuple(ends),
        units=lifted,
    )


def _without_kernel(cut: _Cut, weights: Weights) -> _Cut:
    """The cut `_cut_of(..., with_kernel=False)` gives, from the one with the kernel: the
    kernel's units in no group, and the edges touching them left out."""
    kernel = cut.clustering.shared_kernel.name
    if any(context.name == kernel for context in cut.clustering.contexts):
        # a context under the kernel's name shares its group here: lifted again, apart
        return _cut_of(cut.graph, cut.clustering, weights=weights, with_kernel=False)
    group_of = {unit: group for unit, group in cut.group_of.items() if group != kernel}
    return replace(
        cut,
        group_of=group_of,
        members={name: units for name, units in cut.members.items() if name != kernel},
        edges=tuple(e for e in cut.edges if e.source in group_of and e.target in group_of),
        ends=tuple((None if s == kernel else s, None if t == kernel else t) for s, t in cut.ends),
    )


def _is_internal(cut: _Cut, edge: _UnitEdge) -> bool:
    return cut.group_of[edge.source] == cut.group_of[edge.target]


def _modularity(cut: _Cut) -> float:
    """Q = sum_c [W_c/W - (D_c/2W)^2] (Newman & Girvan 2004; Newman 2004 for weights): W the
    total edge weight, W_c the weight inside context c, D_c the weighted degree of its units.

    Variant: the directed unit graph is made undirected by summing both directions; a kind's
    weight is weights.of(kind) x call sites, and kinds weighted 0 drop out. Units without
    edges still belong to their context. A graph without weight has Q = 0.
    """
    undirected = undirected_graph(
        sorted(cut.group_of), ((e.source, e.target, e.weight) for e in cut.edges if e.weight > 0)
    )
    if undirected.size(weight="weight") == 0:
        return 0.0
    communities = [set(units) for units in cut.members.values() if units]
    return float(modularity(undirected, communities))


def _structural_modularity(cut: _Cut) -> float:
    """SM = (1/K) sum_i mu_i/m_i^2 - (1/(K(K-1)/2)) sum_{i<j} sigma_ij/(2 m_i m_j)
    (Jin et al. 2019, TSE, "Service candidate identification from monolithic systems based on
    execution traces"), where mu_i counts distinct directed unit edges inside context i,
    sigma_ij those between i and j (both directions) and m_i the units of i.

    Variant: static runtime edges instead of traced calls. With K = 1 the coupling term is 0;
    an empty context adds 0 to the cohesion term.
    """
    inside: Counter[str] = Counter()
    between: Counter[tuple[str, str]] = Counter()
    for source, target in sorted({(e.source, e.target) for e in cut.edges}):
        first, second = sorted((cut.group_of[source], cut.group_of[target]))
        if first == second:
            inside[first] += 1
        else:
            between[first, second] += 1
    sizes = {name: len(units) for name, units in cut.members.items()}
    count = len(sizes)
    if count == 0:
        return 0.0
    cohesion = sum(inside[name] / size**2 for name, size in sizes.items() if size) / count
    if count == 1:
        return cohesion
    coupling = sum(n / (2 * sizes[a] * sizes[b]) for (a, b), n in between.items())
    return cohesion - coupling / (count * (count - 1) / 2)


def _icp(cut: _Cut) -> float:
    """ICP = call sites between contexts / all call sites of contexts (Jin et al. 2019).

    Call sites are the locations of `call` and `instantiation` edges whose two nodes both sit
    in contexts. Variant: static sites instead of traced calls, and calls inside one unit
    count as internal (so splitting a module into symbols does not move ICP). 0 without calls.
    """
    crossing = total = 0
    for edge, (source, target) in zip(cut.graph.edges, cut.ends, strict=True):
        if edge.kind in _CALL_KINDS and source is not None and target is not None:
            total += edge.weight
            crossing += edge.weight if source != target else 0
    return crossing / total if total else 0.0


def _ifn(cut: _Cut) -> float:
    """IFN = (1/K) sum_i |interfaces of i| (Jin et al. 2019): the interfaces of a context are
    the distinct nodes in it that other contexts call, instantiate or reference.

    Variant: graph nodes (classes, functions, modules) stand for the paper's published methods.
    """
    interfaces: defaultdict[str, set[str]] = defaultdict(set)
    for edge, (source, target) in zip(cut.graph.edges, cut.ends, strict=True):
        if edge.kind in _INTERFACE_KINDS and source is not None and target not in (None, source):
            interfaces[target].add(edge.target)
    contexts = len(cut.members)
    return sum(len(nodes) for nodes in interfaces.values()) / contexts if contexts else 0.0


def _ned(cut: _Cut, bounds: tuple[int, int]) -> float:
    """NED = 1 - (units in contexts whose size lies within `ned_bounds`, inclusive) / (units in
    contexts) (Desai et al. 2021, "Graph neural network to dilute outliers for refactoring monolith
    application", CoGCN's variant of Jin et al.'s NED). 0 without units."""
    low, high = bounds
    sizes = [len(units) for units in cut.members.values()]
    total = sum(sizes)
    return 1 - sum(s for s in sizes if low <= s <= high) / total if total else 0.0


def _bcp(cut: _Cut) -> float:
    """BCP = (1/K) sum_i H_i (Jin et al. 2019), H_i the Shannon entropy (log2) of the entry
    points touching context i, each weighted by how many of i's units it reaches.

    Variant: entry points stand for the paper's business use cases. An entry point reaches its
    handler's unit and the units of the nodes at most 3 call, instantiation, reference or event
    hops from the handler, walking only through nodes in contexts. Untouched contexts add 0.
    """
    successors: defaultdict[str, set[str]] = defaultdict(set)
    for edge, (source, target) in zip(cut.graph.edges, cut.ends, strict=True):
        if edge.kind in _REACH_KINDS and source is not None and target is not None:
            successors[edge.source].add(edge.target)
    touches: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for index, entry in enumerate(cut.graph.entry_points):
        if cut.group(entry.node) is None:
            continue
        for unit in {cut.unit_of(node) for node in _reach(entry.node, successors)}:
            touches[cut.group_of[unit]][index] += 1
    contexts = len(cut.members)
    # summed in the order of the contexts' names: `touches` fills in the order of a set of
    # units (that order changes with PYTHONHASHSEED), and a float sum depends on its order
    return (
        sum(_entropy(touches[name].values()) for name in sorted(touches)) / contexts
        if contexts
        else 0.0
    )


def _reach(start: str, successors: Mapping[str, set[str]]) -> set[str]:
    seen = {start}
    frontier = {start}
    for _ in range(_REACH_DEPTH):
        frontier = {t for node in frontier for t in successors.get(node, ())} - seen
        seen |= frontier
    return seen


def _entropy(counts: Collection[int]) -> float:
    total = sum(counts)
    # p * log2(1/p) rather than -p * log2(p): a single entry point gives 0.0, not -0.0
    return sum(c / total * math.log2(total / c) for c in counts) if total else 0.0


def _cyclic_context_pairs(cut: _Cut) -> int:
    directed = {(cut.group_of[e.source], cut.group_of[e.target]) for e in cut.edges}
    return sum(1 for a, b in directed if a < b and (b, a) in directed)


def _split_module_lines(graph: DependencyGraph, clustering: Clustering) -> dict[str, int]:
    """Lines of the symbols of each split module: they are units of their own."""
    split = set(clustering.split_modules)
    lines: Counter[str] = Counter()
    for node in graph.nodes:
        if node.kind != "module" and node.module in split:
            lines[node.module] += node.lines
    return dict(lines)


def _lines_of(unit: str, nodes: Mapping[str, GraphNode], symbol_lines: Mapping[str, int]) -> int:
    node = nodes.get(unit)
    if node is None:
        return 0
    # a split module keeps only the code outside its classes and functions
    return max(node.lines - symbol_lines.get(unit, 0), 0)


def _moves_and_joins(proposal: Mapping[str, str], truth: Mapping[str, str]) -> tuple[int, int]:
    """MoJo's moves and joins to turn `proposal` into `truth` (both label the same units)."""
    overlaps: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for unit, label in proposal.items():
        overlaps[label][truth[unit]] += 1
    # A cluster may tie between several truth clusters: link it to every one of them and let
    # a maximum matching pick, so that as many clusters as possible stay apart (fewer joins).
    ties = nx.Graph()
    moves = 0
    for label, counts in sorted(overlaps.items()):
        kept = max(counts.values())
        moves += sum(counts.values()) - kept
        ties.add_node(("proposal", label))
        for other, count in sorted(counts.items()):
            if count == kept:
                ties.add_edge(("proposal", label), ("truth", other))
    tops = [("proposal", label) for label in sorted(overlaps)]
    matched = len(nx.bipartite.hopcroft_karp_matching(ties, top_nodes=tops)) // 2
    return moves, len(overlaps) - matched


def _max_groups(sizes: Collection[int]) -> int:
    """g_max of MoJoFM: the most groups any partition can keep against clusters of `sizes`."""
    groups = 0
    for size in sorted(sizes):
        if groups < size:
            groups += 1
    return groups
