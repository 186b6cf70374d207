"""Units of the clustering (modules, split god modules) and the shared kernel."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from decomposer.config import ClusterSettings
from decomposer.models import (
    KERNEL_NAME,
    RUNTIME_KINDS,
    DependencyGraph,
    GraphEdge,
)
from decomposer.quality import lifted_edges

_USE_KINDS = frozenset({"call", "instantiation", "reference"})
_REACH_KINDS = frozenset({"call", "instantiation", "reference", "event"})
_SWEEP = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
_MAX_CLIQUE = 40  # a signal shared by more units than this is too common to mean anything
_USE_CASE_DEPTH = 2
_GOD_MIN_PACKAGES = 3
_GOD_MIN_SYMBOLS = 4


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


@dataclass
class _UnitView:
    """The graph seen as units: runtime dependencies between units, and their sizes."""

    graph: DependencyGraph
    split: frozenset[str]
    units: dict[str, int] = field(default_factory=dict)  # unit -> lines
    root: str = ""
    orm_units: frozenset[str] = frozenset()
    _runtime: list[tuple[str, str, GraphEdge]] | None = field(default=None, repr=False)
    _domains: dict[str, str] = field(default_factory=dict, repr=False)  # unit -> domain

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

    def runtime_edges(self) -> Iterable[tuple[str, str, GraphEdge]]:
        """(source unit, target unit, edge) for runtime edges between different units, in the
        graph's order (computed once: the clustering reads them several times)."""
        if self._runtime is None:
            edges = (e for e in self.graph.edges if e.kind in RUNTIME_KINDS)
            self._runtime = [
                (source, target, edge)
                for source, target, edge in lifted_edges(edges, self.unit_of, {})
                if source != target
            ]
        return self._runtime

    def module_of(self, unit: str) -> str:
        return unit.partition(":")[0]

    def domain(self, unit: str) -> str:
        found = self._domains.get(unit)
        if found is None:
            found = self._domains[unit] = domain_of(self.module_of(unit), self.root)
        return found


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
    domains: dict[str, str] = {}  # module -> domain, each module looked up once
    for edge in graph.edges:
        if edge.kind in RUNTIME_KINDS and ":" in edge.target:
            module = edge.target.partition(":")[0]
            source_module = edge.source.partition(":")[0]
            if source_module != module:
                domain = domains.get(source_module)
                if domain is None:
                    domain = domains[source_module] = domain_of(source_module, root)
                users[module].add(domain)
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


def _shared_kernel(
    view: _UnitView,
    settings: ClusterSettings,
    in_domain: Callable[[str], bool] = lambda unit: False,
) -> dict[str, str]:
    """Units to propose as a shared library (or glue each service replaces), with reasons.

    - A utility: a module outside every domain package (or in a package named like common,
      core, utils, lib, shared), used from `kernel_min_dependents` or more domains, with
      instability Ce/(Ca+Ce) at most `kernel_max_instability`, owning no ORM model.
    - A composition root: nothing uses it and it wires three or more domains together
      (create_app, a CLI registry): each service gets its own.
    - The root package, and units used only by utilities of the kernel (their configuration).
    Units pinned to "shared" are in; units pinned elsewhere are out. A unit of a domain
    (`in_domain`: its app's endpoints, however many domains they wire) is never a composition
    root: it is that domain's entry point.
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
        elif ca == 0 and len(target_domains) >= 3 and not in_domain(unit):
            kernel[unit] = f"composition root: uses {len(target_domains)} domains, nothing uses it"
        elif unit == view.root:
            kernel[unit] = "the root package"
    changed = True
    while changed:  # what only composition roots use, and that wires domains, is glue too
        changed = False
        for unit in sorted(view.units):
            if unit in kernel or unit in view.orm_units or unit in settings.pin or in_domain(unit):
                continue
            users = dependents[unit]
            if not users or not all(u in kernel and u not in utilities for u in users):
                continue
            target_domains = {view.domain(u) for u in dependencies[unit] if u not in kernel} - {
                view.domain(unit)
            }
            if len(target_domains) >= 3:
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
            if (users and all(u in kernel for u in users)) or (
                dependents[unit]
                and all(u in kernel for u in dependents[unit])
                and all(u in kernel for u in dependencies[unit])
            ):
                # `users` is empty when only composition roots use it: name those
                named = ", ".join(sorted(users or dependents[unit])[:3])
                kernel[unit] = f"used only by the shared kernel ({named})"
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
