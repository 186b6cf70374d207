"""Stage 3: extracted facts -> the module/symbol dependency graph (DependencyGraph), or the
part of it `check` reads (CodeDependencies).

Every name is resolved against the modules of the repository: an import of a submodule goes to
that module, a use of `pkg.name` goes to the class or function `name` of `pkg` (following
re-exports and star imports), and anything that only a convention ties together (Django's
"app.Model" strings, SQLAlchemy's class and table names) is labelled `inferred`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from decomposer.models import (
    Certainty,
    CodeDependencies,
    Definition,
    Dependency,
    DependencyGraph,
    EdgeKind,
    FrameworkApps,
    GraphEdge,
    GraphEntryPoint,
    GraphNode,
    GraphStats,
    GraphTransaction,
    ImportRef,
    Location,
    ModuleFacts,
    OrmRef,
    ParseFailure,
    Resolution,
    SourceTree,
    SymbolRef,
    Unresolved,
)
from decomposer.models.base import trusted

_CERTAINTY_RANK: dict[Certainty, int] = {"certain": 0, "inferred": 1, "dynamic": 2}
_DJANGO_MODEL_BASES = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
_MAX_REEXPORT_HOPS = 8

# Public functions


def build_graph(
    tree: SourceTree, facts: Iterable[ModuleFacts], failures: Iterable[ParseFailure]
) -> DependencyGraph:
    """Resolve every import, reference, ORM relation and entry point into nodes and edges."""
    facts = sorted(facts, key=lambda f: f.module)
    failures = sorted(failures, key=lambda f: f.path)
    builder, entry_points = _resolved(tree, facts)
    index = builder.index
    nodes = _nodes(tree, facts, index)
    edges = builder.edges()
    return DependencyGraph(
        repo=tree.name,
        roots=tree.roots,
        stats=_stats(tree, facts, failures, nodes, edges, entry_points, index),
        nodes=nodes,
        edges=edges,
        entry_points=entry_points,
        transactions=builder.transactions(facts),
        unresolved=tuple(sorted(builder.unresolved, key=lambda u: (u.path, u.line, u.col, u.code))),
        failures=tuple(failures),
        skipped=tree.skipped,
        excluded=tree.excluded,
        apps=_framework_apps(facts, index),
    )


def code_dependencies(
    tree: SourceTree, facts: Iterable[ModuleFacts], failures: Iterable[ParseFailure]
) -> CodeDependencies:
    """What `check` reads of `build_graph(tree, facts, failures)`, without building the graph's
    models (see `CodeDependencies`): the same resolution, the same edges and locations."""
    facts = sorted(facts, key=lambda f: f.module)
    builder, _ = _resolved(tree, facts)
    # built with `trusted`: every value was computed here, from validated facts
    return trusted(
        CodeDependencies,
        {
            "repo": tree.name,
            "roots": tree.roots,
            "modules": frozenset(source.module for source in tree.files),
            "symbols": frozenset(f"{f.module}:{d.name}" for f in facts for d in f.definitions),
            "dependencies": tuple(
                [
                    Dependency(source, target, kind, frozenset(raw))
                    for (source, target, kind), raw in builder.locations.items()
                ]
            ),
            "failures": tuple(sorted(failures, key=lambda f: f.path)),
        },
    )


# Private functions


def _resolved(
    tree: SourceTree, facts: list[ModuleFacts]
) -> tuple[_Builder, tuple[GraphEntryPoint, ...]]:
    """Every import, reference, ORM relation and event of `facts` (sorted by module) resolved
    into the builder's edges; and the entry points, which the events are resolved through."""
    builder = _Builder(_Index.of(tree, facts))
    for module in facts:
        builder.add_module(module)
    builder.add_orm(facts)
    entry_points = builder.entry_points(facts)
    builder.add_events(facts, entry_points)
    return builder, entry_points


def _framework_apps(facts: list[ModuleFacts], index: _Index) -> FrameworkApps | None:
    """Django's apps: the INSTALLED_APPS of the settings module that manage.py (or wsgi.py,
    asgi.py) names, or of every settings module if none is named; where that list is computed,
    the packages the AppConfig classes configure. Only packages of the repository count."""
    naming = [f for f in facts if f.django_settings and index.module_prefix(f.django_settings)]
    first = min(
        naming, key=lambda f: (f.module.rpartition(".")[2] != "manage", f.module), default=None
    )
    named = first.django_settings if first is not None else None
    settings = [f for f in facts if f.installed_apps is not None]
    if named is not None:
        package = named.rpartition(".")[0]
        near = [f for f in settings if f.module == named or f.module.rpartition(".")[0] == package]
        settings = near or settings
    if not settings and named is None:
        return None
    computed = next((f for f in settings if f.installed_apps and f.installed_apps.computed), None)
    note = None
    if settings and computed is None:
        entries = [e for f in settings if f.installed_apps for e in f.installed_apps.apps]
        source: Literal["INSTALLED_APPS", "AppConfig"] = "INSTALLED_APPS"
    else:
        entries = [c.app for f in facts for c in f.app_configs]
        source = "AppConfig"
        where = computed.installed_apps if computed and computed.installed_apps else None
        note = (
            f"INSTALLED_APPS of {computed.module} cannot be read statically ({where.computed})"
            if computed and where
            else f"no INSTALLED_APPS in the settings module {named}"
        ) + ": the apps are the packages the AppConfig classes name, and the folder tree"
    apps: list[str] = []
    for entry in entries:
        app = _app_package(entry, index)
        if app is not None and app not in apps:
            apps.append(app)
    return FrameworkApps(
        settings=named or (settings[0].module if settings else None),
        apps=tuple(sorted(apps)),
        source=source,
        note=note,
    )


def _app_package(entry: str, index: _Index) -> str | None:
    """The package of the repository an INSTALLED_APPS entry names: the package itself, or the
    package of the `apps` module its AppConfig path goes through."""
    module = index.module_prefix(entry)
    if module is None:
        return None
    facts = index.modules.get(module)
    if facts is not None and facts.is_package:
        return module
    parent = module.rpartition(".")[0]
    return parent or None


@dataclass
class _Index:
    """Lookup tables over the whole repository."""

    modules: dict[str, ModuleFacts]
    known_modules: frozenset[str]
    top_packages: frozenset[str]
    definitions: dict[tuple[str, str], Definition]
    bindings: dict[str, dict[str, str]]
    star_sources: dict[str, tuple[str, ...]]
    paths: dict[str, str]
    orm: dict[str, str] = field(default_factory=dict)  # node id -> framework
    # resolve() of each dotted name asked from outside: modules use the same names again
    resolved: dict[str, tuple[str, Resolution, str] | None] = field(default_factory=dict)

    @classmethod
    def of(cls, tree: SourceTree, facts: list[ModuleFacts]) -> _Index:
        known = frozenset(source.module for source in tree.files)
        return cls(
            modules={f.module: f for f in facts},
            known_modules=known,
            top_packages=frozenset(m.partition(".")[0] for m in known),
            definitions={(f.module, d.name): d for f in facts for d in f.definitions},
            bindings={f.module: {b.name: b.target for b in f.bindings} for f in facts},
            star_sources={
                f.module: tuple(
                    sorted(
                        {
                            i.module
                            for i in f.imports
                            if i.name == "*" and i.kind != "dynamic_import"
                        }
                    )
                )
                for f in facts
            },
            paths={source.module: source.path for source in tree.files},
        )

    def module_prefix(self, dotted: str) -> str | None:
        """The longest leading part of `dotted` that is a module of the repository."""
        candidate = dotted
        while candidate:
            if candidate in self.known_modules:
                return candidate
            candidate = candidate.rpartition(".")[0]
        return None

    def is_internal(self, dotted: str) -> bool:
        return dotted.partition(".")[0] in self.top_packages

    def resolve(self, dotted: str) -> tuple[str, Resolution, str] | None:
        """(node id, how, remainder after the node) for a dotted name, or None if external."""
        resolved = self.resolved
        if dotted in resolved:
            return resolved[dotted]
        found = resolved[dotted] = self._resolve(dotted, 0)
        return found

    def _resolve(self, dotted: str, hops: int) -> tuple[str, Resolution, str] | None:
        module = self.module_prefix(dotted)
        if module is None:
            return None
        rest = dotted[len(module) + 1 :]
        if not rest:
            return module, "import-table", ""
        name, _, remainder = rest.partition(".")
        if (module, name) in self.definitions:
            return f"{module}:{name}", "import-table", remainder
        if hops < _MAX_REEXPORT_HOPS:
            bound = self.bindings.get(module, {}).get(name)
            if bound is not None and bound != dotted:
                found = self._resolve(f"{bound}.{remainder}" if remainder else bound, hops + 1)
                if found is not None:
                    return found[0], "re-export", found[2]
            for star in self.star_sources.get(module, ()):
                found = self._resolve(f"{star}.{rest}", hops + 1)
                if found is not None and ":" in found[0]:
                    return found[0], "star-import", found[2]
        return module, "import-table", rest


@dataclass
class _Builder:
    index: _Index
    # Raw (path, line, col, certainty, resolution) per edge: models are built once per unique
    # location in edges(), which halved this stage's time on Django.
    locations: dict[
        tuple[str, str, EdgeKind], set[tuple[str, int, int, Certainty, Resolution, bool]]
    ] = field(default_factory=lambda: defaultdict(set))
    # (line, resolved node) of every use, per source node: what a unit of work touches.
    used: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    unresolved: list[Unresolved] = field(default_factory=list)

    def add_module(self, facts: ModuleFacts) -> None:
        for ref in facts.imports:
            self._import(facts, ref)
        for symbol_ref in facts.references:
            self._reference(facts, symbol_ref)
        for diagnostic in facts.diagnostics:
            self.unresolved.append(
                Unresolved(
                    path=facts.path,
                    line=diagnostic.line,
                    col=diagnostic.col,
                    code=diagnostic.code,
                    message=diagnostic.message,
                )
            )

    def _import(self, facts: ModuleFacts, ref: ImportRef) -> None:
        index = self.index
        target = None
        if ref.name is not None and ref.name != "*":
            submodule = f"{ref.module}.{ref.name}" if ref.module else ref.name
            if submodule in index.known_modules:
                target = submodule
        if target is None and ref.module in index.known_modules:
            target = ref.module
        if target is None:
            if index.is_internal(ref.module):
                self.unresolved.append(
                    Unresolved(
                        path=facts.path,
                        line=ref.line,
                        col=ref.col,
                        code="IMP002",
                        message=f"imports {ref.module}, which is not among the analyzed modules",
                    )
                )
            return
        if target == facts.module:
            return
        resolution: Resolution = (
            "literal-string"
            if ref.kind == "dynamic_import"
            else "relative-import"
            if ref.level
            else "absolute-import"
        )
        certainty: Certainty = "dynamic" if ref.kind == "dynamic_import" else "certain"
        self._add(
            facts.module, target, ref.kind, facts.path, ref.line, ref.col, certainty, resolution
        )

    def _reference(self, facts: ModuleFacts, ref: SymbolRef) -> None:
        index = self.index
        source, target, kind, via = ref.source, ref.target, ref.kind, ref.via
        found: tuple[str, Resolution, str] | None = None
        if via == "star-import":
            for star in index.star_sources.get(facts.module, ()):
                candidate = index.resolve(f"{star}.{target}")
                if candidate is not None and ":" in candidate[0]:
                    found = (candidate[0], "star-import", candidate[2])
                    break
        else:
            found = index.resolve(target)
        if found is None:
            return
        node, resolution, remainder = found
        source_node = f"{facts.module}:{source}" if source else facts.module
        self.used[source_node].append((ref.line, node))
        if node in (source_node, facts.module):
            return
        if via == "same-module":
            resolution = "same-module"
        edge_kind: EdgeKind = kind
        if kind == "call" and not remainder and self._is_class(node):
            edge_kind = "instantiation"
        certainty: Certainty = "inferred" if resolution == "star-import" else "certain"
        self._add(
            source_node,
            node,
            edge_kind,
            facts.path,
            ref.line,
            ref.col,
            certainty,
            resolution,
            discards_result=ref.discards_result,
        )

    def _is_class(self, node: str) -> bool:
        module, _, name = node.partition(":")
        definition = self.index.definitions.get((module, name))
        return definition is not None and definition.kind == "class"

    def add_orm(self, facts: list[ModuleFacts]) -> None:
        self._mark_models(facts)
        labels = {c.app: c.label for f in facts for c in f.app_configs if c.label}
        registry = _OrmRegistry.of(self.index, labels)
        for module in facts:
            for ref in module.orm_refs:
                self._orm_ref(module, ref, registry)

    def _mark_models(self, facts: list[ModuleFacts]) -> None:
        """ORM models: Django's by their bases (transitively), SQLAlchemy's by a table."""
        bases: dict[str, set[str]] = defaultdict(set)
        for module in facts:
            for ref in module.references:
                if ref.kind == "inheritance" and ref.source:
                    found = self.index.resolve(ref.target)
                    bases[f"{module.module}:{ref.source}"].add(found[0] if found else ref.target)
        orm = self.index.orm
        for module in facts:
            for definition in module.definitions:
                node = f"{module.module}:{definition.name}"
                # A class declaring Django model fields is a model even when its base comes
                # from a library (treebeard's MP_Node, modelcluster's ClusterableModel).
                if bases[node] & _DJANGO_MODEL_BASES or definition.orm_fields == "django":
                    orm[node] = "django"
                elif definition.table is not None or (
                    definition.orm_fields == "sqlalchemy"
                    and any(base.startswith("sqlalchemy") for base in bases[node])
                ):
                    orm[node] = "sqlalchemy"
        changed = True
        while changed:
            changed = False
            for node, node_bases in sorted(bases.items()):
                if node in orm:
                    continue
                for base in sorted(node_bases):
                    if base in orm and (orm[base] == "django" or self._has_fields(node)):
                        orm[node] = orm[base]
                        changed = True
                        break

    def _has_fields(self, node: str) -> bool:
        module, _, name = node.partition(":")
        definition = self.index.definitions.get((module, name))
        return definition is not None and (
            definition.orm_fields is not None or definition.table is not None
        )

    def _orm_ref(self, module: ModuleFacts, ref: OrmRef, registry: _OrmRegistry) -> None:
        source = f"{module.module}:{ref.owner}" if ref.owner else module.module
        if ref.is_string:
            found = registry.lookup(ref, source)
        else:
            resolved = self.index.resolve(ref.target)
            found = (resolved[0], "import-table", "certain") if resolved else None
        if found is None:
            if ref.is_string or self.index.is_internal(ref.target):
                self.unresolved.append(
                    Unresolved(
                        path=module.path,
                        line=ref.line,
                        col=ref.col,
                        code="ORM001",
                        message=f"{ref.kind} to {ref.target!r} matches no model of the repository",
                    )
                )
            return
        target, resolution, certainty = found
        if target != source:
            self._add(
                source,
                target,
                "orm_relation",
                module.path,
                ref.line,
                ref.col,
                certainty,
                resolution,
            )

    def _add(
        self,
        source: str,
        target: str,
        kind: EdgeKind,
        path: str,
        line: int,
        col: int,
        certainty: Certainty,
        resolution: Resolution,
        *,
        discards_result: bool = False,
    ) -> None:
        self.locations[(source, target, kind)].add(
            (path, line, col, certainty, resolution, discards_result)
        )

    def edges(self) -> tuple[GraphEdge, ...]:
        # Built with `trusted`: every value here was computed from validated facts, and
        # validating ~80k models again cost a third of this stage on saleor.
        edges = []
        rank = _CERTAINTY_RANK.__getitem__
        locations = self.locations
        # the keys sorted alone: sorting the (key, locations) pairs took twice as long
        for source, target, kind in sorted(locations):
            raw = locations[source, target, kind]
            ordered = sorted(raw) if len(raw) > 1 else raw
            unique = tuple(
                [
                    trusted(
                        Location,
                        {
                            "path": path,
                            "line": line,
                            "col": col,
                            "certainty": certainty,
                            "resolution": resolution,
                            "discards_result": discards,
                        },
                    )
                    for path, line, col, certainty, resolution, discards in ordered
                ]
            )
            # most edges have one location: its certainty is the edge's
            certainty = (
                unique[0].certainty
                if len(unique) == 1
                else min({location.certainty for location in unique}, key=rank)
            )
            edges.append(
                trusted(
                    GraphEdge,
                    {
                        "source": source,
                        "target": target,
                        "kind": kind,
                        "weight": len(unique),
                        "certainty": certainty,
                        "locations": unique,
                    },
                )
            )
        return tuple(edges)

    def add_events(
        self, facts: list[ModuleFacts], entry_points: tuple[GraphEntryPoint, ...]
    ) -> None:
        """An `event` edge from each publisher to each handler subscribed to the same name."""
        handlers: dict[str, list[str]] = defaultdict(list)
        for entry in entry_points:
            if entry.kind in ("event_handler", "signal_receiver"):
                handlers[entry.name].append(entry.node)
        for module in facts:
            for emit in module.emits:
                source = f"{module.module}:{emit.owner}" if emit.owner else module.module
                for handler in sorted(set(handlers.get(emit.name, ()))):
                    if handler != source:
                        self._add(
                            source,
                            handler,
                            "event",
                            module.path,
                            emit.line,
                            emit.col,
                            "inferred",
                            "event-name",
                            discards_result=True,
                        )

    def transactions(self, facts: list[ModuleFacts]) -> tuple[GraphTransaction, ...]:
        """Units of work with the ORM models their code uses."""
        found = []
        for module in facts:
            for transaction in module.transactions:
                node = (
                    f"{module.module}:{transaction.owner}" if transaction.owner else module.module
                )
                models = {
                    target
                    for line, target in self.used.get(node, ())
                    if transaction.start_line <= line <= transaction.end_line
                    and target in self.index.orm
                }
                if models:
                    found.append(
                        GraphTransaction(
                            node=node,
                            kind=transaction.kind,
                            path=module.path,
                            line=transaction.line,
                            col=transaction.col,
                            models=tuple(sorted(models)),
                        )
                    )
        return tuple(sorted(set(found), key=lambda t: (t.path, t.line, t.col)))

    def entry_points(self, facts: list[ModuleFacts]) -> tuple[GraphEntryPoint, ...]:
        found = []
        routers = {f"{f.module}.{r.name}": r.prefix for f in facts for r in f.routers}
        for module in facts:
            for entry in module.entry_points:
                resolved = self.index.resolve(entry.target)
                node = resolved[0] if resolved else module.module
                name = entry.name
                if entry.router and not entry.router.startswith(module.module + "."):
                    prefix = routers.get(entry.router, "")
                    name = prefix.rstrip("/") + "/" + name.lstrip("/") if prefix else name
                found.append(
                    GraphEntryPoint(
                        kind=entry.kind,
                        framework=entry.framework,
                        node=node,
                        name=name,
                        methods=entry.methods,
                        path=module.path,
                        line=entry.line,
                        col=entry.col,
                    )
                )
        return tuple(sorted(set(found), key=lambda e: (e.path, e.line, e.col, e.kind, e.name)))


@dataclass
class _OrmRegistry:
    """Model lookups by the strings ORMs accept: Django app labels, SQLAlchemy names and tables."""

    by_label: dict[tuple[str, str], list[str]]
    by_class_name: dict[str, list[str]]
    by_table: dict[str, list[str]]
    label_of: dict[str, str]

    @classmethod
    def of(cls, index: _Index, app_labels: dict[str, str]) -> _OrmRegistry:
        by_label: dict[tuple[str, str], list[str]] = defaultdict(list)
        by_class_name: dict[str, list[str]] = defaultdict(list)
        by_table: dict[str, list[str]] = defaultdict(list)
        label_of: dict[str, str] = {}
        for node, framework in sorted(index.orm.items()):
            module, _, name = node.partition(":")
            if framework == "django":
                label = _django_app_label(module, app_labels)
                label_of[node] = label
                by_label[(label, name.lower())].append(node)
            else:
                by_class_name[name].append(node)
                definition = index.definitions[(module, name)]
                if definition.table:
                    by_table[definition.table].append(node)
        return cls(by_label, by_class_name, by_table, label_of)

    def lookup(self, ref: OrmRef, source: str) -> tuple[str, Resolution, Certainty] | None:
        text = ref.target
        if ref.framework == "django":
            if text == "self":
                return (source, "django-self", "certain") if ":" in source else None
            label, _, name = text.rpartition(".")
            label = label or self.label_of.get(source, "")
            nodes = self.by_label.get((label.rpartition(".")[2], name.lower()), [])
            return (nodes[0], "django-app-label", "inferred") if len(nodes) == 1 else None
        if ref.kind == "table_foreign_key":
            nodes = self.by_table.get(text.partition(".")[0], [])
            return (nodes[0], "sqlalchemy-table-name", "inferred") if len(nodes) == 1 else None
        nodes = self.by_class_name.get(text.rpartition(".")[2], [])
        if len(nodes) > 1:  # the same class name twice: prefer the one beside the owner
            nodes = [n for n in nodes if n.partition(":")[0] == source.partition(":")[0]]
        return (nodes[0], "sqlalchemy-class-name", "inferred") if len(nodes) == 1 else None


def _django_app_label(module: str, app_labels: dict[str, str]) -> str:
    """The app label of a models module: AppConfig.label where an AppConfig sets one for the
    app package, else Django's default, the last part of the app package."""
    parts = module.split(".")
    if "models" in parts:
        parts = parts[: parts.index("models")]
    elif len(parts) > 1:
        parts = parts[:-1]
    for end in range(len(parts), 0, -1):
        label = app_labels.get(".".join(parts[:end]))
        if label:
            return label
    return parts[-1] if parts else module


def _nodes(tree: SourceTree, facts: list[ModuleFacts], index: _Index) -> tuple[GraphNode, ...]:
    nodes = []
    by_module = {f.module: f for f in facts}
    for source in tree.files:
        module = by_module.get(source.module)
        lines = module.lines if module else 0
        nodes.append(
            GraphNode(
                id=source.module,
                kind="module",
                module=source.module,
                path=source.path,
                line=1,
                end_line=max(lines, 1),
                lines=lines,
                is_package=source.is_package,
                parse_failed=module is None,
            )
        )
        for definition in module.definitions if module else ():
            node = f"{source.module}:{definition.name}"
            nodes.append(
                GraphNode(
                    id=node,
                    kind=definition.kind,
                    module=source.module,
                    path=source.path,
                    line=definition.line,
                    end_line=definition.end_line,
                    lines=definition.end_line - definition.line + 1,
                    orm=index.orm.get(node),  # type: ignore[arg-type]
                    table=definition.table,
                    signature=definition.signature,
                    columns=definition.columns,
                )
            )
    # A later definition of the same name wins, as at run time.
    unique = {node.id: node for node in nodes}
    return tuple(sorted(unique.values(), key=lambda n: n.id))


def _stats(
    tree: SourceTree,
    facts: list[ModuleFacts],
    failures: list[ParseFailure],
    nodes: tuple[GraphNode, ...],
    edges: tuple[GraphEdge, ...],
    entry_points: tuple[GraphEntryPoint, ...],
    index: _Index,
) -> GraphStats:
    edge_counts: Counter[str] = Counter()
    for edge in edges:
        edge_counts[edge.kind] += edge.weight
    return GraphStats(
        files=len(tree.files),
        lines=sum(f.lines for f in facts),
        modules=sum(1 for n in nodes if n.kind == "module"),
        symbols=sum(1 for n in nodes if n.kind != "module"),
        failed_files=len(failures),
        skipped_files=len(tree.skipped),
        empty_files=sum(1 for f in facts if f.lines == 0),
        edges_by_kind=dict(sorted(edge_counts.items())),
        entry_points_by_kind=dict(sorted(Counter(e.kind for e in entry_points).items())),
        orm_models=len(index.orm),
    )
