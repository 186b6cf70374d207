"""Stage 4: the dependency graph -> bounded contexts (Clustering), seeded and deterministic.

The recipe: choose the units (modules; god modules split into their classes and functions),
set the shared kernel aside (utilities that everything uses and that use little), weigh every
pair of units by the signals that tie them (structural, data, use case, package, history),
run Louvain community detection over a sweep of resolutions, keep the candidate the quality
criterion prefers (or the one with the requested number of contexts), then honour the pins,
"together" and "apart" rules, name each context from its members and say why each unit is
where it is.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import networkx as nx

from decomposer.config import ClusterSettings
from decomposer.models import (
    Alternative,
    Clustering,
    ContextCountChoice,
    ContextGroup,
    DependencyGraph,
    GraphEdge,
    Placement,
    Reason,
)

KERNEL_NAME = "shared"
# Edge kinds that are coupling at run time (annotations and TYPE_CHECKING imports are not).
RUNTIME_KINDS = frozenset(
    {
        "import",
        "dynamic_import",
        "call",
        "instantiation",
        "inheritance",
        "decorator",
        "reference",
        "event",
        "orm_relation",
    }
)
_USE_KINDS = frozenset({"call", "instantiation", "reference"})
_REACH_KINDS = frozenset({"call", "instantiation", "reference", "event"})
_SWEEP = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
_MAX_CLIQUE = 40  # a signal shared by more units than this is too common to mean anything
_USE_CASE_DEPTH = 2
_GOD_MIN_PACKAGES = 3
_GOD_MIN_SYMBOLS = 4

# Public functions


def find_contexts(
    graph: DependencyGraph,
    settings: ClusterSettings,
    *,
    cochanges: Iterable[tuple[str, ...]] = (),
) -> Clustering:
    """Cut the graph into bounded contexts plus a shared kernel.

    Args:
        graph: the dependency graph of the monolith.
        settings: weights, granularity, number of services, pins and rules.
        cochanges: paths changed together, one tuple per commit (only with `git` on).
    """
    # The kernel is decided on whole modules first: a utility module stays whole in the kernel,
    # and only the god modules left (a models.py) are split so their symbols can follow the
    # domains that use them.
    kernel = _shared_kernel(_UnitView(graph, frozenset()), settings)
    split = _split_modules(graph, settings) - kernel.keys()
    view = _UnitView(graph, split)
    for module in sorted(split):
        # What is left of a split module is its imports and module-level code (a Base class
        # import, constants): shared by the symbols that went to their domains.
        kernel.setdefault(module, "the module-level part of a split module")
    weighted = _weighted_graph(view, settings, exclude=kernel, cochanges=cochanges)
    partition, selection = _choose_partition(weighted, settings)
    partition = _apply_rules(partition, weighted, settings, kernel)
    partition = _adopt_orphans(partition, weighted, view, kernel, settings.apart)
    if not partition:
        # Nothing left outside the kernel (a one-module repository): that is one context.
        partition = [set(kernel)] if kernel else []
        kernel.clear()
    named = _apply_pins(_name_contexts(partition, view), settings)
    contexts = tuple(
        ContextGroup(
            name=name,
            units=tuple(sorted(units)),
            placements=_placements(units, weighted),
        )
        for name, units in sorted(named.items())
    )
    return Clustering(
        granularity=settings.granularity,
        split_modules=tuple(sorted(split)),
        contexts=contexts,
        shared_kernel=ContextGroup(
            name=KERNEL_NAME,
            units=tuple(sorted(kernel)),
            placements=tuple(
                Placement(unit=u, reasons=(Reason(unit=u, signal=why, weight=0.0),))
                for u, why in sorted(kernel.items())
            ),
        ),
        selection=selection,
    )


def as_is_contexts(graph: DependencyGraph) -> Clustering:
    """The split the code already has: one context per package below the common root
    (shop.orders.*, shop.payments.*, and each top-level module on its own)."""
    modules = sorted(n.id for n in graph.nodes if n.kind == "module")
    root = common_root(modules)
    groups: dict[str, list[str]] = defaultdict(list)
    for module in modules:
        groups[_safe(domain_of(module, root))].append(module)
    return Clustering(
        granularity="module",
        split_modules=(),
        contexts=tuple(
            ContextGroup(name=name, units=tuple(units)) for name, units in sorted(groups.items())
        ),
        shared_kernel=ContextGroup(name=KERNEL_NAME, units=()),
        selection=ContextCountChoice(
            criterion="as-is: one context per top-level package", alternatives=()
        ),
    )


def domain_of(module: str, root: str) -> str:
    """The first package level below the common root: shop.orders.services -> orders."""
    if root and (module == root or module.startswith(root + ".")):
        rest = module[len(root) + 1 :]
        return rest.partition(".")[0] or module.rpartition(".")[2]
    return module.partition(".")[0]


def common_root(modules: Iterable[str]) -> str:
    """The dotted prefix every module shares (usually the top-level package), or ''."""
    parts: list[str] | None = None
    for module in modules:
        current = module.split(".")
        if parts is None:
            parts = current
            continue
        length = 0
        for mine, theirs in zip(parts, current, strict=False):
            if mine != theirs:
                break
            length += 1
        parts = parts[:length]
    if not parts:
        return ""
    return ".".join(parts[:-1]) if len(parts) > 1 else parts[0]


# Private functions


@dataclass
class _UnitView:
    """The graph seen as units: runtime dependencies between units, and their sizes."""

    graph: DependencyGraph
    split: frozenset[str]
    units: dict[str, int] = field(default_factory=dict)  # unit -> lines
    root: str = ""
    orm_units: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        modules = [n.id for n in self.graph.nodes if n.kind == "module"]
        self.root = common_root(modules)
        symbol_lines: Counter[str] = Counter()
        for node in self.graph.nodes:
            if node.kind == "module":
                continue
            if node.module in self.split:
                self.units[node.id] = node.lines
                symbol_lines[node.module] += node.lines
        for node in self.graph.nodes:
            if node.kind == "module":
                self.units[node.id] = max(node.lines - symbol_lines[node.id], 0)
        self.orm_units = frozenset(self.unit_of(n.id) for n in self.graph.nodes if n.orm)

    def unit_of(self, node: str) -> str:
        module, _, name = node.partition(":")
        return node if name and module in self.split else module

    def module_of(self, unit: str) -> str:
        return unit.partition(":")[0]

    def domain(self, unit: str) -> str:
        return domain_of(self.module_of(unit), self.root)

    def runtime_edges(self) -> Iterable[tuple[str, str, GraphEdge]]:
        """(source unit, target unit, edge) for runtime edges between different units."""
        for edge in self.graph.edges:
            if edge.kind not in RUNTIME_KINDS:
                continue
            source, target = self.unit_of(edge.source), self.unit_of(edge.target)
            if source != target:
                yield source, target, edge


def _split_modules(graph: DependencyGraph, settings: ClusterSettings) -> frozenset[str]:
    """Modules to split into their classes and functions.

    `auto` splits god modules: modules with at least four top-level definitions whose
    definitions are used from three or more domains (a models.py or utils.py that serves
    everyone). Symbols of such a module can then follow the domain that uses them.
    """
    if settings.granularity == "module":
        return frozenset()
    symbols_by_module: Counter[str] = Counter(n.module for n in graph.nodes if n.kind != "module")
    if settings.granularity == "symbol":
        return frozenset(symbols_by_module)
    root = common_root(n.id for n in graph.nodes if n.kind == "module")
    users: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        if edge.kind in RUNTIME_KINDS and ":" in edge.target:
            module = edge.target.partition(":")[0]
            source_module = edge.source.partition(":")[0]
            if source_module != module:
                users[module].add(domain_of(source_module, root))
    packages = {n.id for n in graph.nodes if n.is_package}
    return frozenset(
        module
        for module, domains in users.items()
        # only a module outside every domain package (shop/models.py, shop/utils.py): a
        # domain's own services module used by others is an API, not a god module
        if module not in packages
        and module.rpartition(".")[0] == root
        and len(domains - {domain_of(module, root)}) >= _GOD_MIN_PACKAGES
        and symbols_by_module[module] >= _GOD_MIN_SYMBOLS
        and _serves_domains_apart(graph, module, root)
    )


def _serves_domains_apart(graph: DependencyGraph, module: str, root: str) -> bool:
    """A god module's symbols are used by different domains, not each symbol by everyone:
    at least half of its used symbols have users from at most two domains."""
    users: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        if edge.kind in _USE_KINDS and edge.target.startswith(module + ":"):
            source_module = edge.source.partition(":")[0]
            if source_module != module:
                users[edge.target].add(domain_of(source_module, root))
    if not users:
        return False
    focused = sum(1 for domains in users.values() if len(domains) <= 2)
    return focused * 2 >= len(users)


def _shared_kernel(view: _UnitView, settings: ClusterSettings) -> dict[str, str]:
    """Units to propose as a shared library (or glue each service replaces), with reasons.

    - A utility: a module outside every domain package (or in a package named like common,
      core, utils, lib, shared), used from `kernel_min_dependents` or more domains, with
      instability Ce/(Ca+Ce) at most `kernel_max_instability`, owning no ORM model.
    - A composition root: nothing uses it and it wires three or more domains together
      (create_app, a CLI registry): each service gets its own.
    - The root package, and units used only by utilities of the kernel (their configuration).
    Units pinned to "shared" are in; units pinned elsewhere are out.
    """
    dependents: dict[str, set[str]] = defaultdict(set)
    dependencies: dict[str, set[str]] = defaultdict(set)
    for source, target, _ in view.runtime_edges():
        dependents[target].add(source)
        dependencies[source].add(target)
    kernel: dict[str, str] = {
        unit: "pinned to the shared kernel"
        for unit, name in sorted(settings.pin.items())
        if name == KERNEL_NAME and unit in view.units
    }
    if not settings.shared_kernel:
        return kernel
    utilities: set[str] = set()
    for unit in sorted(view.units):
        if unit in settings.pin or unit in view.orm_units:
            continue
        ca, ce = len(dependents[unit]), len(dependencies[unit])
        # Users are counted by package, so that a layer's own core (saleor.graphql.core, used
        # by every saleor.graphql.<app>) is recognised as shared by that layer's packages.
        own_package = _package_of(view.module_of(unit))
        domains = {_package_of(view.module_of(u)) for u in dependents[unit]} - {own_package}
        target_domains = {view.domain(u) for u in dependencies[unit]} - {view.domain(unit)}
        if (
            _outside_domains(unit, view)
            and len(domains) >= settings.kernel_min_dependents
            and ce / (ca + ce) <= settings.kernel_max_instability
        ):
            utilities.add(unit)
            kernel[unit] = (
                f"utility used by {ca} units in {len(domains)} domains,"
                f" instability {ce / (ca + ce):.2f}"
            )
        elif ca == 0 and len(target_domains) >= 3:
            kernel[unit] = f"composition root: uses {len(target_domains)} domains, nothing uses it"
        elif unit == view.root:
            kernel[unit] = "the root package"
    changed = True
    while changed:  # what only composition roots use, and that wires domains, is glue too
        changed = False
        for unit in sorted(view.units):
            if unit in kernel or unit in view.orm_units or unit in settings.pin:
                continue
            users = dependents[unit]
            target_domains = {view.domain(u) for u in dependencies[unit] if u not in kernel} - {
                view.domain(unit)
            }
            if users and users <= kernel.keys() - utilities and len(target_domains) >= 3:
                kernel[unit] = "composition root: used only by other composition roots"
                changed = True
    roots = set(kernel) - utilities
    changed = True
    while changed:  # what serves only the utilities (their configuration) is shared too
        changed = False
        for unit in sorted(view.units):
            if unit in kernel or unit in view.orm_units or unit in settings.pin:
                continue
            users = dependents[unit] - roots
            own = dependencies[unit] - kernel.keys()
            if (users and users <= kernel.keys() - roots) or (
                dependents[unit] and dependents[unit] <= kernel.keys() and not own
            ):
                kernel[unit] = f"used only by the shared kernel ({', '.join(sorted(users)[:3])})"
                changed = True
    return kernel


_COMMON_PACKAGES = frozenset(
    {"common", "core", "utils", "util", "lib", "libs", "shared", "helpers", "infrastructure"}
)


def _package_of(module: str) -> str:
    return module.rpartition(".")[0]


def _outside_domains(unit: str, view: _UnitView) -> bool:
    """A top-level module of the root package, or one in a package named like a library."""
    module = view.module_of(unit)
    below_root = module[len(view.root) + 1 :] if view.root else module
    return module.rpartition(".")[0] in (view.root, "") or any(
        part in _COMMON_PACKAGES for part in below_root.split(".")[:-1]
    )


@dataclass
class _Weighted:
    """The undirected weighted unit graph, with the strongest evidence of every pair."""

    graph: nx.Graph = field(default_factory=nx.Graph)
    evidence: dict[tuple[str, str], dict[str, tuple[float, str | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def add(self, a: str, b: str, weight: float, signal: str, location: str | None) -> None:
        if a == b or weight <= 0:
            return
        key = (a, b) if a < b else (b, a)
        if self.graph.has_edge(*key):
            self.graph[key[0]][key[1]]["weight"] += weight
        else:
            self.graph.add_edge(*key, weight=weight)
        best = self.evidence[key].get(signal)
        total = (best[0] if best else 0.0) + weight
        self.evidence[key][signal] = (total, best[1] if best and best[1] else location)

    def weight(self, a: str, b: str) -> float:
        data = self.graph.get_edge_data(a, b)
        return float(data["weight"]) if data else 0.0


def _weighted_graph(
    view: _UnitView,
    settings: ClusterSettings,
    *,
    exclude: dict[str, str],
    cochanges: Iterable[tuple[str, ...]],
) -> _Weighted:
    weights = settings.weights
    weighted = _Weighted()
    weighted.graph.add_nodes_from(sorted(u for u in view.units if u not in exclude))

    def add(a: str, b: str, weight: float, signal: str, location: str | None = None) -> None:
        if a not in exclude and b not in exclude:
            weighted.add(a, b, weight, signal, location)

    # Structural and ORM coupling: each edge kind by its weight, damped by log of repetitions.
    for source, target, edge in view.runtime_edges():
        if edge.kind in ("import", "dynamic_import") and target in view.split:
            continue  # the module part of a god module: its symbols carry the real edges
        kind: str = edge.kind
        if kind == "instantiation" and target in view.orm_units:
            kind = "ownership"  # creating a model's instances is what owning its data means
        weight = weights.of(kind) * (1 + math.log2(edge.weight))
        first = edge.locations[0]
        add(source, target, weight, kind, f"{first.path}:{first.line}")
    _data_sharing(view, weights.data_sharing, add)
    _transactions(view, weights.transaction, add)
    _use_cases(view, weights.use_case, add)
    _packages(view, weights.package, exclude, add)
    _cochange(view, weights.cochange, cochanges, add)
    return weighted


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


def _choose_partition(
    weighted: _Weighted, settings: ClusterSettings
) -> tuple[list[set[str]], ContextCountChoice]:
    """Louvain over a sweep of resolutions; pick by modularity, or by the requested count."""
    graph = _contracted(weighted.graph, settings)
    candidates: dict[int, tuple[float, float, list[set[str]]]] = {}
    for resolution in _resolutions(settings):
        communities = _louvain(graph.graph, resolution, settings.seed)
        if not communities:
            break
        quality = _modularity(graph.graph, communities)
        count = len(communities)
        if count not in candidates or quality > candidates[count][1]:
            candidates[count] = (resolution, quality, communities)
        if settings.services and count >= settings.services * 2:
            break
    if settings.services:
        communities = _with_count(graph.graph, candidates, settings.services, settings.seed)
        criterion = (
            f"--services {settings.services}: the Louvain candidate with that many contexts and"
            " the highest modularity; otherwise the nearest larger one, merging the most"
            " coupled contexts"
        )
    else:
        best = max(candidates.values(), key=lambda c: (round(c[1], 6), -len(c[2])), default=None)
        communities = best[2] if best else []
        criterion = (
            "highest modularity Q of the weighted unit graph over Louvain resolutions"
            f" {', '.join(str(r) for r in _SWEEP)} (fewer contexts on a tie)"
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
                modularity=round(_modularity(graph.graph, communities), 4),
                chosen=True,
            ),
        )
    return graph.expand(communities), ContextCountChoice(
        criterion=criterion, requested=settings.services, alternatives=alternatives
    )


def _resolutions(settings: ClusterSettings) -> tuple[float, ...]:
    if not settings.services:
        return _SWEEP
    # A finer, wider sweep to find the requested count.
    return tuple(round(0.1 * 1.15**i, 4) for i in range(40))


def _louvain(graph: nx.Graph, resolution: float, seed: int) -> list[set[str]]:
    if graph.number_of_nodes() == 0:
        return []
    communities = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    return sorted((set(c) for c in communities), key=lambda c: min(c))


def _modularity(graph: nx.Graph, communities: list[set[str]]) -> float:
    if graph.number_of_edges() == 0 or not communities:
        return 0.0
    return float(nx.community.modularity(graph, communities, weight="weight"))


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
        parts = _louvain(nx.Graph(graph), resolution, seed)
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


def _contracted(graph: nx.Graph, settings: ClusterSettings) -> _Contracted:
    group_of: dict[str, str] = {}
    for unit, name in sorted(settings.pin.items()):
        if name != KERNEL_NAME and graph.has_node(unit):
            group_of[unit] = f"pin:{name}"
    for index, together in enumerate(settings.together):
        present = [u for u in together if graph.has_node(u)]
        target = next((group_of[u] for u in present if u in group_of), f"together:{index}")
        for unit in present:
            group_of[unit] = target
    members: dict[str, set[str]] = defaultdict(set)
    contracted = nx.Graph()
    for node in sorted(graph.nodes):
        key = group_of.get(node, node)
        members[key].add(node)
        contracted.add_node(key)
    for a, b, data in sorted(graph.edges(data=True)):
        ka, kb = group_of.get(a, a), group_of.get(b, b)
        if ka == kb:
            continue
        if contracted.has_edge(ka, kb):
            contracted[ka][kb]["weight"] += data["weight"]
        else:
            contracted.add_edge(ka, kb, weight=data["weight"])
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
    real = [c for c in partition if _internal_weight(weighted, c) > 0]
    orphans = sorted(u for c in partition if _internal_weight(weighted, c) == 0 for u in c)
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


def _internal_weight(weighted: _Weighted, community: set[str]) -> float:
    return float(weighted.graph.subgraph(community).size(weight="weight"))


def _tie(weighted: _Weighted, unit: str, community: set[str]) -> float:
    return sum(weighted.weight(unit, other) for other in community if other != unit)


def _apply_pins(named: dict[str, set[str]], settings: ClusterSettings) -> dict[str, set[str]]:
    """Pinned units move to the context of that name, created if no context has it."""
    for unit, name in sorted(settings.pin.items()):
        target = _safe(name)
        if target == KERNEL_NAME or not any(unit in units for units in named.values()):
            continue
        for units in named.values():
            units.discard(unit)
        named.setdefault(target, set()).add(unit)
    return {name: units for name, units in named.items() if units}


def _name_contexts(partition: list[set[str]], view: _UnitView) -> dict[str, set[str]]:
    """Name each context after the domain most of its code lives in."""
    named: dict[str, set[str]] = {}
    for community in sorted(partition, key=lambda c: (-len(c), min(c))):
        votes: Counter[str] = Counter()
        for unit in community:
            if ":" not in unit:
                votes[view.domain(unit)] += max(view.units.get(unit, 0), 1)
        if not votes:
            votes.update({_snake(unit.rpartition(":")[2]): 1 for unit in community})
        ranked = [name for name, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))]
        name = _safe(ranked[0])
        if name in named or name == KERNEL_NAME:
            name = _safe("_".join(ranked[:2])) if len(ranked) > 1 else name
        base, number = name, 2
        while name in named or name == KERNEL_NAME:
            name, number = f"{base[:36]}_{number}", number + 1
        named[name] = community
    return named


def _safe(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"ctx_{slug}"
    return slug[:40].rstrip("_")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _placements(units: set[str], weighted: _Weighted) -> tuple[Placement, ...]:
    """Why here: each member's three strongest ties to other members, with the evidence."""
    placements = []
    for unit in sorted(units):
        ties = []
        for other in sorted(units):
            if other == unit or not weighted.graph.has_edge(unit, other):
                continue
            key = (unit, other) if unit < other else (other, unit)
            signals = weighted.evidence.get(key, {})
            signal, (_, location) = max(
                signals.items(), key=lambda kv: (kv[1][0], kv[0]), default=("", (0.0, None))
            )
            ties.append((weighted.weight(unit, other), other, signal, location))
        ties.sort(key=lambda t: (-t[0], t[1]))
        placements.append(
            Placement(
                unit=unit,
                reasons=tuple(
                    Reason(unit=other, signal=signal, weight=round(total, 3), location=location)
                    for total, other, signal, location in ties[:3]
                ),
            )
        )
    return tuple(placements)
