"""Stage 4: the dependency graph -> bounded contexts (Clustering), seeded and deterministic.

The recipe: choose the units (modules; god modules split into their classes and functions),
set the shared kernel aside (utilities that everything uses and that use little; settings, URL
wiring and server entry points by what they are), find the monolith's own domain units (apps
and the layer files named after them, cluster/domains.py) so that each moves as one node,
weigh every pair of units by the signals that tie them (structural, data, use case, package,
history), run Leiden at the configured resolution (or merge down to the requested number of
contexts), then honour the pins, "together" and "apart" rules, send contexts without a domain
to the kernel, name each context from its dominant domain and say why each unit is where it is.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from decomposer.cluster.communities import (
    Partitions,
    _adopt_orphans,
    _apply_rules,
    _choose_partition,
    _tie,
)
from decomposer.cluster.domains import DomainMap, find_domains, is_technical
from decomposer.cluster.families import group_domains, infrastructure_domains
from decomposer.cluster.signals import (
    _Weighted,
    _weighted_graph,
)
from decomposer.cluster.units import (
    _shared_kernel,
    _split_modules,
    _UnitView,
    common_root,
    domain_of,
)
from decomposer.config import ClusterSettings
from decomposer.errors import ConfigError
from decomposer.models import (
    KERNEL_NAME,
    Clustering,
    ContextCountChoice,
    ContextGroup,
    DependencyGraph,
    DomainGroup,
    Layout,
    Placement,
    Reason,
)

__all__ = [
    "KERNEL_NAME",
    "RUNTIME_KINDS",
    "Partitions",
    "as_is_contexts",
    "common_root",
    "domain_of",
    "explain",
    "find_contexts",
]


# Public functions


def find_contexts(
    graph: DependencyGraph,
    settings: ClusterSettings,
    *,
    cochanges: Iterable[tuple[str, ...]] = (),
    partitions: Partitions | None = None,
    jobs: int = 1,
) -> Clustering:
    """Cut the graph into bounded contexts plus a shared kernel.

    Args:
        graph: the dependency graph of the monolith.
        settings: weights, granularity, number of services, pins and rules.
        cochanges: paths changed together, one tuple per commit (only with `git` on).
        partitions: the partitions earlier runs found, by what they were computed from: the
            one for this graph's weighted unit graph is reused (Leiden not run again), a new
            one is added.
        jobs: processes for the sweep of resolutions (0: one per core); the partition is the
            same for any number.
    """
    _check_rules(graph, settings)
    # The kernel is decided on whole modules first: a utility module stays whole in the kernel,
    # and only the god modules left (a models.py) are split so their symbols can follow the
    # domains that use them.
    domains = _domain_map(graph)
    modules = _UnitView(graph, frozenset())
    kernel = _shared_kernel(modules, settings, _in_domain(domains))
    split = _split_modules(graph, settings) - kernel.keys()
    # without split modules, the units are the modules (their runtime edges are computed once)
    view = _UnitView(graph, split) if split else modules
    for module in sorted(split):
        # What is left of a split module is its imports and module-level code (a Base class
        # import, constants): shared by the symbols that went to their domains.
        kernel.setdefault(module, "the module-level part of a split module")
    weighted = _weighted_graph(view, settings, exclude=kernel, cochanges=cochanges)
    for unit, reason in _project_package(graph, view, domains).items():
        if unit not in settings.pin:
            kernel.setdefault(unit, reason)
    declared = set(graph.apps.apps) if graph.apps else set()
    for unit in sorted(view.units):
        why = _test_support(view.module_of(unit), domains.root, declared)
        if why and unit not in settings.pin:
            kernel.setdefault(unit, why)
    units_of = {
        unit: domain
        for unit in view.units
        if unit not in kernel and (domain := domains.domain_of(view.module_of(unit)))
    }
    infrastructure = infrastructure_domains(view, units_of)
    for unit, domain in sorted(units_of.items()):
        if domain in infrastructure and unit not in settings.pin:
            kernel.setdefault(unit, infrastructure[domain])
    units_of = {u: d for u, d in units_of.items() if u not in kernel}
    units_of, groups = group_domains(
        view, units_of, domains.root, lambda d: domains.spelling.get(d, d)
    )
    for unit in sorted(view.units):
        if unit not in kernel and unit not in units_of and unit not in settings.pin:
            why = _infrastructure_by_name(view.module_of(unit))
            if why:
                kernel[unit] = why
    weighted.graph.remove_nodes_from([u for u in kernel if weighted.graph.has_node(u)])
    partition, selection = (
        partitions.choose(weighted, settings, units_of=units_of, jobs=jobs)
        if partitions is not None
        else _choose_partition(weighted, settings, units_of=units_of, jobs=jobs)
    )
    partition = _apply_rules(partition, weighted, settings, kernel)
    partition = _adopt_orphans(partition, weighted, view, kernel, settings.apart)
    partition = _shells_to_kernel(
        partition, units_of, kernel, settings, view=view, weighted=weighted, domains=domains
    )
    if not partition:
        # Nothing left outside the kernel (a one-module repository): that is one context.
        partition = [set(kernel)] if kernel else []
        kernel.clear()
    sources: dict[str, str] = {}
    named = _apply_pins(_name_contexts(partition, view, domains, sources), settings)
    contexts = tuple(
        ContextGroup(
            name=name,
            name_source=sources.get(name, "pinned: a pin rule names this context"),
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
        layout=_layout(graph, domains, groups),
    )


def explain(
    graph: DependencyGraph, clustering: Clustering, settings: ClusterSettings
) -> Clustering:
    """The evidence of a cut someone else drew (a hand-edited plan): each member's strongest
    ties within its context, and why each kernel unit is shared (the kernel rules' reason, or
    that the plan put it there)."""
    view = _UnitView(graph, frozenset(clustering.split_modules))
    kernel_units = set(clustering.shared_kernel.units)
    weighted = _weighted_graph(view, settings, exclude={u: "" for u in kernel_units}, cochanges=())
    found = _shared_kernel(_UnitView(graph, frozenset()), settings, _in_domain(_domain_map(graph)))
    return clustering.model_copy(
        update={
            "contexts": tuple(
                group.model_copy(update={"placements": _placements(set(group.units), weighted)})
                for group in clustering.contexts
            ),
            "shared_kernel": clustering.shared_kernel.model_copy(
                update={
                    "placements": tuple(
                        Placement(
                            unit=u,
                            reasons=(
                                Reason(
                                    unit=u,
                                    signal=found.get(u, "placed in the shared kernel by the plan"),
                                    weight=0.0,
                                ),
                            ),
                        )
                        for u in sorted(kernel_units)
                    )
                }
            ),
        }
    )


def as_is_contexts(graph: DependencyGraph) -> Clustering:
    """The split the code already has, at the level an architect sees it: one context per
    domain unit (an app and the layer files named after it: saleor.order with
    saleor.graphql.order), and the rest by the first package below the common root."""
    modules = sorted(n.id for n in graph.nodes if n.kind == "module")
    root = common_root(modules)
    domains = find_domains(modules, (n.id for n in graph.nodes if n.is_package))
    groups: dict[str, list[str]] = defaultdict(list)
    for module in modules:
        domain = domains.domain_of(module)
        label = domains.label(module) if domain else domain_of(module, root)
        groups[_safe(label)].append(module)
    return Clustering(
        granularity="module",
        split_modules=(),
        contexts=tuple(
            ContextGroup(name=name, units=tuple(units)) for name, units in sorted(groups.items())
        ),
        shared_kernel=ContextGroup(name=KERNEL_NAME, units=()),
        selection=ContextCountChoice(
            criterion="as-is: one context per domain unit (an app with the layer files named"
            " after it), other modules by their first package",
            alternatives=(),
        ),
    )


# Modules that are infrastructure by what they are: configuration, URL wiring, the
# application server's entry points. Never a service, whatever they import.
_INFRASTRUCTURE_NAMES = {
    "settings": "settings",
    "setting": "settings",
    "conf": "settings",
    "config": "settings",
    "urls": "URL configuration",
    "wsgi": "application server entry point",
    "asgi": "application server entry point",
    "celery": "task queue wiring",
    "celery_app": "task queue wiring",
    "celeryconf": "task queue wiring",
    "manage": "command-line entry point",
    "bin": "command-line entry point",
    "scripts": "scripts",
    "__main__": "command-line entry point",
}


# Test support and demonstration code by its package's name: never a service. The demo names
# only below a top-level package (a LIMS may have a `samples` app) and never a declared app.
_TEST_SUPPORT = frozenset(
    {"mock", "mocks", "fakes", "fixtures", "testutils", "test_utils", "testing_utils"}
)
_DEMO = frozenset({"sample", "samples", "example", "examples", "demo", "demos"})


def _test_support(module: str, root: str, declared: set[str]) -> str | None:
    """Why a module is test support or demonstration code by its path, if it is."""
    parts = module.split(".")
    top = len(root.split(".")) if root and module.startswith(root + ".") else 0
    for depth, part in enumerate(parts):
        package = ".".join(parts[: depth + 1])
        if package in declared:
            continue
        if part.lower() in _TEST_SUPPORT:
            return f"test support by its name ({package})"
        if part.lower() in _DEMO and depth > top:
            return f"samples or demonstration code by its name ({package})"
    return None


def _domain_map(graph: DependencyGraph) -> DomainMap:
    return find_domains(
        (n.id for n in graph.nodes if n.kind == "module"),
        (n.id for n in graph.nodes if n.is_package),
        graph.apps.apps if graph.apps else (),
    )


def _in_domain(domains: DomainMap) -> Callable[[str], bool]:
    """Whether a unit's module belongs to a domain."""
    return lambda unit: domains.domain_of(unit.partition(":")[0]) is not None


def _project_package(graph: DependencyGraph, view: _UnitView, domains: DomainMap) -> dict[str, str]:
    """The Django project package (the one holding the settings module manage.py names) is
    settings, URL wiring and the project's base classes, not a domain: where it sits beside the
    apps rather than around them, its units go to the shared kernel (its models are the
    abstract bases every app's models extend)."""
    if graph.apps is None or graph.apps.settings is None:
        return {}
    package = graph.apps.settings.rpartition(".")[0]
    inside = [a for a in graph.apps.apps if a != package and a.startswith(package + ".")]
    if not package or package == domains.root or inside:
        return {}
    why = (
        f"the Django project package {package} (its settings module {graph.apps.settings}):"
        " settings, URL wiring and the project's base classes"
    )
    return {
        unit: why
        for unit in sorted(view.units)
        if view.module_of(unit) == package or view.module_of(unit).startswith(package + ".")
    }


def _layout(
    graph: DependencyGraph, domains: DomainMap, groups: tuple[DomainGroup, ...] = ()
) -> Layout:
    """The layout the domains follow, said in one sentence, with where the apps came from."""
    kind, in_apps, in_layers = domains.layout()
    apps = graph.apps
    if apps is not None and apps.source == "INSTALLED_APPS":
        source = f"INSTALLED_APPS of {apps.settings} ({len(apps.apps)} apps of the repository)"
    elif apps is not None and apps.apps:
        source = f"the AppConfig classes ({len(apps.apps)} apps) and the folder tree"
    else:
        source = "the folder tree"
    layers = tuple(
        sorted(".".join(p for p in (domains.root, layer) if p) for layer in domains.containers)
    )
    summary = {
        "apps": f"one package per domain: {in_apps} modules sit in {len(domains.domains)} apps",
        "layers": (
            f"technical layers ({', '.join(layers[:4])}) each hold a slice of every domain:"
            f" {in_layers} modules are cut by the domain their file names"
        ),
        "apps-and-layers": (
            f"apps mirrored in technical layers: {in_apps} modules in apps, {in_layers} in"
            f" layers ({', '.join(layers[:4])}) named after the apps"
        ),
        "packages": "no domain names found: plain packages are the units",
    }[kind]
    return Layout(
        kind=kind,
        summary=summary,
        apps_from=source,
        domains=tuple(sorted(domains.spelling.get(d, d) for d in domains.domains)),
        layers=layers,
        notes=(apps.note,) if apps is not None and apps.note else (),
        groups=groups,
    )


def _infrastructure_by_name(module: str) -> str | None:
    """Why a module outside every domain is infrastructure by its name, if it is."""
    for part in reversed(module.split(".")):
        # base_settings.py, _settings.py: settings too
        kind = _INFRASTRUCTURE_NAMES.get(part) or _INFRASTRUCTURE_NAMES.get(
            "settings" if part.rpartition("_")[2] == "settings" else ""
        )
        if kind:
            return f"infrastructure by what it is: {kind} ({module})"
    return None


def _check_rules(graph: DependencyGraph, settings: ClusterSettings) -> None:
    """Every unit a pin, `together` or `apart` rule names exists in the graph.

    Raises:
        ConfigError: one line per unknown unit, naming the setting.
    """
    known = {n.id for n in graph.nodes}
    problems = [
        f"tool.decomposer.cluster.pin: {unit!r} is not a module or symbol of the repository"
        for unit in sorted(settings.pin)
        if unit not in known
    ]
    for rule in ("together", "apart"):
        for index, group in enumerate(getattr(settings, rule)):
            problems += [
                f"tool.decomposer.cluster.{rule}[{index}]: {unit!r} is not a module or symbol"
                " of the repository"
                for unit in group
                if unit not in known
            ]
    if problems:
        raise ConfigError(
            "\n".join(problems),
            hint="name modules by their dotted name (shop.orders.services) and symbols as"
            " module:Name, as graph.json lists them",
        )


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


def _name_contexts(
    partition: list[set[str]], view: _UnitView, domains: DomainMap, sources: dict[str, str]
) -> dict[str, set[str]]:
    """Name each context after the domain most of its code lives in; where another context
    already has that name, add the context's next domain, then its central ORM model. Each
    name's origin goes to `sources`."""
    named: dict[str, set[str]] = {}
    models = _ModelRanks.of(view)
    for community in sorted(partition, key=lambda c: (-len(c), min(c))):
        lines: Counter[str] = Counter()
        for unit in community:
            label = _snake(unit.rpartition(":")[2]) if ":" in unit else domains.label(unit)
            lines[label] += max(view.units.get(unit, 0), 1)
        # a technical word (models, api, common) names a context only where nothing else can
        ranked = sorted(lines, key=lambda name: (is_technical(name), -lines[name], name))
        share = round(100 * lines[ranked[0]] / max(sum(lines.values()), 1))
        first = f"{ranked[0]!r}, where {share}% of its lines are"
        candidates = [(ranked[0], f"its dominant domain {first}")]
        candidates += [
            (f"{ranked[0]}_{other}", f"its dominant domain {first}, and its next, {other!r}")
            for other in ranked[1:3]
        ]
        candidates += [
            (f"{ranked[0]}_{model}", f"its dominant domain {first}, and its central model")
            for model in models.central(community)
        ]
        chosen = next(
            (
                (safe, why)
                for c, why in candidates
                if (safe := _safe(c)) not in named and safe != KERNEL_NAME
            ),
            None,
        )
        if chosen is None:
            base, number = _safe(ranked[0]), 2
            while f"{base[:36]}_{number}" in named or f"{base[:36]}_{number}" == KERNEL_NAME:
                number += 1
            chosen = (f"{base[:36]}_{number}", f"its dominant domain {first}, numbered")
        named[chosen[0]] = community
        sources[chosen[0]] = chosen[1]
    return named


# Below this share of units with a domain, the monolith does not name its domains (plain
# packages, no framework): every context stays, domain or not.
_MIN_DOMAIN_SHARE = 0.3


def _shells_to_kernel(
    partition: list[set[str]],
    units_of: dict[str, str],
    kernel: dict[str, str],
    settings: ClusterSettings,
    *,
    view: _UnitView,
    weighted: _Weighted,
    domains: DomainMap,
) -> list[set[str]]:
    """A context in which no unit belongs to a domain is infrastructure (the layers' shells,
    settings, generic views and types): it joins the shared kernel instead of becoming a
    service. An ORM model among them joins the domain context most tied to it instead. Only
    where the monolith names its domains, and never a unit pinned elsewhere."""
    placed = [u for c in partition for u in c]
    # a unit of a domain, or of a package named other than technically (one plugin of a family)
    in_domain = {u for u in placed if u in units_of}
    if not placed or len(in_domain) < _MIN_DOMAIN_SHARE * len(placed):
        return partition
    kept = []
    for community in partition:
        if community & in_domain or any(u in settings.pin for u in community):
            kept.append(community)
            continue
        labels = sorted({domains.label(u.partition(":")[0]) for u in community})
        for unit in sorted(community):
            if unit in view.orm_units:
                # a model's data belongs to the domain that uses it most
                best = max(kept, key=lambda c: (_tie(weighted, unit, c), min(c)), default=None)
                if best is not None and _tie(weighted, unit, best) > 0:
                    best.add(unit)
                    continue
            kernel[unit] = f"infrastructure: no business domain among {', '.join(labels[:4])}"
    return kept


@dataclass(frozen=True)
class _ModelRanks:
    """The ORM models with their units and how often they are referenced, counted once for
    every context."""

    units: dict[str, str]  # model -> its unit
    pointed: Counter[str]

    @classmethod
    def of(cls, view: _UnitView) -> _ModelRanks:
        units = {n.id: view.unit_of(n.id) for n in view.graph.nodes if n.orm}
        pointed: Counter[str] = Counter(
            edge.target
            for edge in view.graph.edges
            if edge.target in units and edge.kind in ("orm_relation", "reference", "call")
        )
        return cls(units, pointed)

    def central(self, community: set[str]) -> list[str]:
        """The ORM models of a context, the most referenced first (its aggregates)."""
        models = [m for m, unit in self.units.items() if unit in community]
        ranked = sorted(models, key=lambda m: (-self.pointed[m], m))
        return [_snake(m.rpartition(":")[2]) for m in ranked[:3]]


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
    graph = weighted.graph
    for unit in sorted(units):
        # Neighbours, not every other member: a context of 5,000 modules would otherwise cost
        # 25 million look-ups (issue 13.7).
        neighbours = graph.adj[unit] if unit in graph else {}
        ties = [
            (float(neighbours[other]["weight"]), other)
            for other in sorted(n for n in neighbours if n in units)
            if other != unit
        ]
        # the three strongest (sorted()[:3] would give the same), and their evidence only
        reasons = []
        for total, other in heapq.nsmallest(3, ties, key=lambda t: (-t[0], t[1])):
            key = (unit, other) if unit < other else (other, unit)
            signals = weighted.evidence.get(key, {})
            signal, (_, location) = max(
                signals.items(), key=lambda kv: (kv[1][0], kv[0]), default=("", (0.0, None))
            )
            reasons.append(
                Reason(unit=other, signal=signal, weight=round(total, 3), location=location)
            )
        placements.append(Placement(unit=unit, reasons=tuple(reasons)))
    return tuple(placements)
