"""Stage 6: graph + clustering + metrics -> DecompositionPlan (plan.json).

Everything the plan says about a cut is derived here from the graph: what each context owns
and exposes, how the services will talk (REST where the caller needs the answer, SQS where it
does not), what the cut breaks, and in which order to extract the services.
"""

from __future__ import annotations

import keyword
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeAlias, TypeVar

import networkx as nx

from decomposer import __version__
from decomposer.config import Settings
from decomposer.models import (
    RESERVED_OPERATIONS,
    RUNTIME_KINDS,
    AsIsSplit,
    BaselineEdge,
    BoundedContext,
    BrokenRelation,
    Clustering,
    ContextDependency,
    ContextMetrics,
    CutMetrics,
    DatastoreChoice,
    DecompositionPlan,
    DependencyGraph,
    DistributedTransaction,
    EdgeKind,
    Evidence,
    ExtractionStep,
    GraphEdge,
    GraphNode,
    ModelColumn,
    Operation,
    OperationParameter,
    OwnedModel,
    PlanEntryPoint,
    Risks,
    SharedKernel,
    SharedTable,
    Style,
    WireValue,
    is_safe_name,
)
from decomposer.sqltypes import column_python, django_type, sqlalchemy_type
from decomposer.templating import snake_case
from decomposer.wire import Wire, constant, to_wire

_OPERATION_KINDS = frozenset({"call", "instantiation", "reference"})
_MAX_EVIDENCE = 20
_MAX_CYCLES = 20
_MAX_CYCLE_LENGTH = 4  # contexts on a cycle the plan reports

_T = TypeVar("_T")

# A value, or what gives it when asked (a result computed meanwhile on another core).
Later: TypeAlias = _T | Callable[[], _T]

# Public functions


def make_plan(
    graph: DependencyGraph,
    clustering: Clustering,
    *,
    metrics: Later[CutMetrics],
    context_metrics: Later[dict[str, ContextMetrics]],
    as_is: Later[AsIsSplit],
    settings: Settings,
) -> DecompositionPlan:
    """Assemble the decomposition plan of one cut. The metrics (`metrics`, `context_metrics`)
    and `as_is` are asked for last: a caller may compute them meanwhile, elsewhere."""
    clustering, renamed = _safe_context_names(clustering)
    cut = _Cut.of(graph, clustering)
    operations = _operations(cut)
    contracts = _contracts(cut)
    dependencies = _dependencies(cut, operations)
    risks = _risks(cut, graph)
    measured = {renamed.get(k, k): v for k, v in _now(context_metrics).items()}
    contexts = tuple(
        _context(
            cut,
            group.name,
            operations,
            contracts,
            dependencies,
            measured,
            settings.cluster.relational_engine,
        )
        for group in clustering.contexts
    )
    metrics = _now(metrics)
    as_is = _now(as_is)
    return DecompositionPlan(
        tool_version=__version__,
        repo=graph.repo,
        # how the run ran (--jobs, --no-cache) changes nothing in the plan, so it is not in it:
        # the plans of `--jobs 1` and `--jobs 2` are the same bytes
        settings=settings.model_dump(mode="json", by_alias=True, exclude={"jobs", "cache"}),
        summary=graph.stats,
        granularity=clustering.granularity,
        split_modules=clustering.split_modules,
        selection=clustering.selection,
        layout=clustering.layout,
        contexts=contexts,
        shared_kernel=SharedKernel(
            modules=tuple(u for u in clustering.shared_kernel.units if ":" not in u),
            symbols=tuple(u for u in clustering.shared_kernel.units if ":" in u),
            reasons=tuple(
                f"{p.unit}: {p.reasons[0].signal}"
                for p in clustering.shared_kernel.placements
                if p.reasons
            ),
        ),
        dependencies=dependencies,
        metrics=metrics,
        as_is=_compared(as_is, metrics, contexts),
        risks=risks,
        extraction_order=_extraction_order(contexts, dependencies, risks),
        # distinct (source, target, kind) first: a model per crossing edge cost a third of
        # the plan's time on saleor
        baseline=tuple(
            BaselineEdge(source=s, target=t, kind=kind)
            for s, t, kind in sorted(
                {(s, t, e.kind) for s, t, e in cut.crossing()} | cut.from_kernel()
            )
        ),
    )


def operation_name(node: str) -> str:
    """snake_case name of the operation a graph node becomes: reserve_stock, product."""
    module, _, symbol = node.partition(":")
    name = symbol or module.rpartition(".")[2]
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    snake = re.sub(r"[^a-z0-9_]+", "_", snake).strip("_") or "operation"
    snake = snake if snake[0].isalpha() else f"op_{snake}"
    snake = snake[:56].rstrip("_")
    # A keyword cannot name the handler; a reserved name would replace the service's own.
    if keyword.iskeyword(snake) or snake in RESERVED_OPERATIONS:
        return f"{snake}_operation"
    return snake


# Private functions


def _now(value: Later[_T]) -> _T:
    return value() if callable(value) else value


def _safe_context_names(clustering: Clustering) -> tuple[Clustering, dict[str, str]]:
    """The clustering with every context name a service can take, and what was renamed.

    Contexts are named after packages, and a package may be called `lambda` or `nul`: a Python
    keyword cannot name the service's package, a Windows device name its folder. Such a name
    gets `_context` appended (numbered if that is taken too), before anything reads the names.
    """
    taken = {group.name for group in clustering.contexts}
    renamed: dict[str, str] = {}
    for group in clustering.contexts:
        if is_safe_name(group.name):
            continue
        base = f"{group.name[:32]}_context"
        name, number = base, 2
        while name in taken:
            name, number = f"{base}_{number}", number + 1
        taken.add(name)
        renamed[group.name] = name
    if not renamed:
        return clustering, renamed
    contexts = tuple(
        group.model_copy(update={"name": renamed.get(group.name, group.name)})
        for group in clustering.contexts
    )
    return clustering.model_copy(update={"contexts": contexts}), renamed


@dataclass
class _Cut:
    """The graph seen through a clustering: which context every node is in."""

    graph: DependencyGraph
    clustering: Clustering
    context_of_unit: dict[str, str]
    orm_models: tuple[GraphNode, ...]  # the ORM model nodes
    model_names: dict[str, str]  # dotted name of each ORM model (`shop.models.Order`) -> node
    # remembered as they are asked for
    context_of_node: dict[str, str | None] = field(default_factory=dict)
    wires: dict[str | None, Wire] = field(default_factory=dict)  # annotation -> to_wire
    crossings: list[tuple[str, str, GraphEdge]] | None = None
    kernel_edges: set[tuple[str, str, EdgeKind]] = field(default_factory=set)
    relations: list[GraphEdge] | None = None

    @classmethod
    def of(cls, graph: DependencyGraph, clustering: Clustering) -> _Cut:
        owner = {u: g.name for g in clustering.contexts for u in g.units}
        owner.update({u: clustering.shared_kernel.name for u in clustering.shared_kernel.units})
        models = tuple(n for n in graph.nodes if n.orm)
        names = {n.id.replace(":", "."): n.id for n in models}
        return cls(graph, clustering, owner, models, names)

    def wire(self, annotation: str | None) -> Wire:
        """`to_wire` of an annotation (the same few recur in every signature)."""
        found = self.wires.get(annotation)
        if found is None:
            found = self.wires[annotation] = to_wire(annotation, self.model_names)
        return found

    def context(self, node: str) -> str | None:
        known = self.context_of_node
        if node in known:
            return known[node]
        found = known[node] = self.context_of_unit.get(self.clustering.unit_of(node))
        return found

    def crossing(self) -> list[tuple[str, str, GraphEdge]]:
        """(source unit, target unit, edge) for runtime edges between two service contexts,
        in the graph's order (found once: every part of the plan walks them)."""
        if self.crossings is None:
            self.crossings = self._walk_boundaries()
        return self.crossings

    def from_kernel(self) -> set[tuple[str, str, EdgeKind]]:
        """(kernel unit, context unit, kind) of the runtime edges from the shared kernel into a
        service context: the code has them when the plan is made, so `check` must not fail on
        them (it fails on any new one)."""
        self.crossing()  # the same walk finds them
        return self.kernel_edges

    def _walk_boundaries(self) -> list[tuple[str, str, GraphEdge]]:
        """One pass over the runtime edges that cross a boundary: those between two service
        contexts, returned, and those from the kernel into one, into `kernel_edges`."""
        context, unit_of = self.context, self.clustering.unit_of
        kernel = self.clustering.shared_kernel.name
        crossings: list[tuple[str, str, GraphEdge]] = []
        for edge in self.graph.edges:
            if edge.kind not in RUNTIME_KINDS:
                continue
            source, target = context(edge.source), context(edge.target)
            if not source or not target or source == target or target == kernel:
                continue
            if source == kernel:
                self.kernel_edges.add((unit_of(edge.source), unit_of(edge.target), edge.kind))
            else:
                crossings.append((unit_of(edge.source), unit_of(edge.target), edge))
        return crossings

    def orm_relations(self) -> list[GraphEdge]:
        """The graph's orm_relation edges, in its order."""
        if self.relations is None:
            self.relations = [e for e in self.graph.edges if e.kind == "orm_relation"]
        return self.relations


def _needs_answer(edge: GraphEdge) -> bool:
    """A call whose result is used somewhere: the caller waits for the answer."""
    return edge.kind != "event" and any(not loc.discards_result for loc in edge.locations)


def _operations(cut: _Cut) -> dict[str, list[Operation]]:
    """Per context, what other contexts call on it."""
    calls: dict[tuple[str, str], list[GraphEdge]] = defaultdict(list)
    nodes = {node.id: node for node in cut.graph.nodes}
    for _, _, edge in cut.crossing():
        node = nodes.get(edge.target)
        # Only functions are operations: a class another context uses (an exception, a model,
        # a value type) is a shared contract (see _contracts), never a REST endpoint.
        if edge.kind in _OPERATION_KINDS and node is not None and node.kind == "function":
            calls[(cut.context(edge.target) or "", edge.target)].append(edge)
    by_context: dict[str, list[Operation]] = defaultdict(list)
    used: dict[str, Counter[str]] = defaultdict(Counter)
    for (context, target), edges in sorted(calls.items()):
        name = operation_name(target)
        used[context][name] += 1
        if used[context][name] > 1:
            name = f"{name}_{used[context][name]}"
        callers = sorted({cut.context(e.source) or "" for e in edges})
        locations = sorted({str(loc) for e in edges for loc in e.locations})
        by_context[context].append(
            Operation(
                name=name,
                target=target,
                style="rest" if any(_needs_answer(e) for e in edges) else "sqs",
                callers=tuple(callers),
                locations=tuple(locations[:10]),
                **_interface(nodes.get(target), cut),
            )
        )
    return by_context


def _compared(
    as_is: AsIsSplit, metrics: CutMetrics, contexts: tuple[BoundedContext, ...]
) -> AsIsSplit:
    """The proposal beside the split the code already has, metric by metric, and a verdict
    that says so plainly when the proposal loses on most metrics."""
    verdicts = metrics.compare(as_is.metrics)
    won = [v.label for v in verdicts if v.verdict == "better"]
    lost = [v.label for v in verdicts if v.verdict == "worse"]
    merged = len(as_is.contexts) - len(contexts)
    shape = f"{len(contexts)} contexts for {len(as_is.contexts)} domain units" + (
        f" (merges {merged} units into their most coupled neighbours)" if merged > 0 else ""
    )
    if len(lost) > len(won):
        verdict = (
            f"worse than the as-is split on {len(lost)} of {len(verdicts)} metrics"
            f" ({', '.join(lost)}); {shape}. The as-is split, one context per domain unit, is"
            " the alternative: it is listed in as_is.contexts"
        )
    else:
        verdict = (
            f"better than the as-is split on {len(won)} of {len(verdicts)} metrics"
            f" ({', '.join(won) or 'none'})"
            + (f", worse on {', '.join(lost)}" if lost else "")
            + f"; {shape}"
        )
    return as_is.model_copy(update={"comparison": verdicts, "verdict": verdict})


def _contracts(cut: _Cut) -> dict[str, tuple[str, ...]]:
    """Per context, its classes that other contexts use: shared contracts."""
    kinds = {node.id: node.kind for node in cut.graph.nodes}
    used: dict[str, set[str]] = defaultdict(set)
    for _, _, edge in cut.crossing():
        if kinds.get(edge.target) == "class" and edge.kind in RUNTIME_KINDS - {"orm_relation"}:
            used[cut.context(edge.target) or ""].add(edge.target)
    return {context: tuple(sorted(targets)) for context, targets in used.items()}


def _interface(node: GraphNode | None, cut: _Cut) -> dict[str, Any]:
    """The request fields and the result of an operation, from its function's signature."""
    signature = node.signature if node else None
    if signature is None:
        return {}
    parameters, notes = [], []
    for parameter in signature.parameters:
        if parameter.kind == "var_positional" or parameter.kind == "var_keyword":
            star = "*" if parameter.kind == "var_positional" else "**"
            notes.append(f"{star}{parameter.name} is not on the wire: send named fields")
            continue
        wire = cut.wire(parameter.annotation)
        parameters.append(
            OperationParameter(
                name=parameter.name,
                kind=parameter.kind,
                annotation=parameter.annotation,
                type=wire.type,
                notes=wire.notes,
                models=wire.models,
                required=parameter.default is None,
                default=parameter.default,
            )
        )
    result = cut.wire(signature.returns)
    notes_of_result = result.notes
    if signature.returns is None:
        notes_of_result = ("the return value is not annotated in the monolith",)
    return {
        "parameters": tuple(parameters),
        "returns": WireValue(
            annotation=signature.returns,
            type=result.type,
            notes=notes_of_result,
            models=result.models,
        ),
        "notes": tuple(notes),
    }


def _event_names(cut: _Cut, edge: GraphEdge) -> list[str]:
    names = [
        operation_name(entry.name.replace(".", "_"))
        for entry in cut.graph.entry_points
        if entry.node == edge.target and entry.kind in ("event_handler", "signal_receiver")
    ]
    return sorted(set(names)) or [operation_name(edge.target)]


def _dependencies(
    cut: _Cut, operations: dict[str, list[Operation]]
) -> tuple[ContextDependency, ...]:
    grouped: dict[tuple[str, str], list[GraphEdge]] = defaultdict(list)
    for _, _, edge in cut.crossing():
        grouped[(cut.context(edge.source) or "", cut.context(edge.target) or "")].append(edge)
    op_of = {(c, op.target): op for c, ops in operations.items() for op in ops}
    dependencies = []
    for (source, target), edges in sorted(grouped.items()):
        kinds: Counter[str] = Counter(e.kind for e in edges)
        ops = sorted({op_of[(target, e.target)].name for e in edges if (target, e.target) in op_of})
        events = sorted({n for e in edges if e.kind == "event" for n in _event_names(cut, e)})
        events += sorted(
            op_of[(target, e.target)].name
            for e in edges
            if (target, e.target) in op_of and op_of[(target, e.target)].style == "sqs"
        )
        waits = any(_needs_answer(e) for e in edges if e.kind in _OPERATION_KINDS)
        data = kinds.get("orm_relation", 0)
        style: Style = "rest" if waits or (data and not events) or not (events or waits) else "sqs"
        # the first few by (location, kind, target), in the edges' order where those tie; a
        # model only for those kept
        evidence = sorted(
            (
                (f"{loc.path}:{loc.line}:{loc.col}", e.kind, e.target, e.source)
                for e in edges
                for loc in e.locations
            ),
            key=lambda ev: ev[:3],
        )[:_MAX_EVIDENCE]
        dependencies.append(
            ContextDependency(
                source=source,
                target=target,
                style=style,
                reason=_dependency_reason(style, kinds, waits, events),
                weight=sum(e.weight for e in edges),
                operations=tuple(ops),
                events=tuple(sorted(set(events))),
                evidence=tuple(
                    Evidence(source=source_node, target=target_node, kind=kind, location=location)
                    for location, kind, target_node, source_node in evidence
                ),
            )
        )
    return tuple(dependencies)


def _dependency_reason(style: str, kinds: Counter[str], waits: bool, events: list[str]) -> str:
    counted = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    if style == "sqs":
        return f"fire-and-forget: no caller uses a result ({counted}); publish to SQS"
    if waits:
        return f"the caller uses the answer ({counted}); synchronous REST call"
    if kinds.get("orm_relation"):
        return f"its models reference the other's ({counted}); keep ids, look up over REST"
    return f"module-level dependency ({counted}); expose what is used over REST"


def _context(
    cut: _Cut,
    name: str,
    operations: dict[str, list[Operation]],
    contracts: dict[str, tuple[str, ...]],
    dependencies: tuple[ContextDependency, ...],
    context_metrics: dict[str, ContextMetrics],
    engine: Literal["aurora-postgresql", "aurora-mysql"],
) -> BoundedContext:
    group = next(g for g in cut.clustering.contexts if g.name == name)
    graph = cut.graph
    owned = [n for n in cut.orm_models if cut.context(n.id) == name]
    entry_points = tuple(
        PlanEntryPoint(
            kind=e.kind,
            framework=e.framework,
            name=e.name,
            methods=e.methods,
            handler=e.node,
            location=f"{e.path}:{e.line}",
        )
        for e in graph.entry_points
        if cut.context(e.node) == name
    )
    publishes = sorted({ev for d in dependencies if d.source == name for ev in d.events})
    consumes = sorted({ev for d in dependencies if d.target == name for ev in d.events})
    return BoundedContext(
        name=name,
        name_source=group.name_source,
        modules=tuple(u for u in group.units if ":" not in u),
        symbols=tuple(u for u in group.units if ":" in u),
        entry_points=entry_points,
        owned_data=tuple(
            OwnedModel(
                model=n.id,
                table=n.table,
                framework=n.orm or "",
                columns=_columns(n, cut, name),
            )
            for n in owned
        ),
        datastore=_datastore(cut, {n.id for n in owned}, engine),
        operations=tuple(operations.get(name, ())),
        contracts=contracts.get(name, ()),
        publishes=tuple(publishes),
        consumes=tuple(consumes),
        placements=group.placements,
        metrics=context_metrics.get(name)
        or ContextMetrics(units=len(group.units), lines=0, cohesion=1.0, efferent=0, afferent=0),
    )


def _datastore(
    cut: _Cut, owned: set[str], engine: Literal["aurora-postgresql", "aurora-mysql"]
) -> DatastoreChoice:
    """Aurora where the data needs relational integrity or multi-entity transactions,
    DynamoDB where each entity stands alone and is reached by key."""
    if not owned:
        return DatastoreChoice(kind="none", evidence=("owns no ORM model",))
    relations = [
        f"{e.source} -> {e.target} at {e.locations[0]}"
        for e in cut.orm_relations()
        if e.source in owned and e.target in owned
    ]
    transactions = [
        f"{t.node} changes {', '.join(m.partition(':')[2] for m in t.models)} at {t.path}:{t.line}"
        for t in cut.graph.transactions
        if len(set(t.models) & owned) >= 2
    ]
    if relations or transactions:
        evidence = [f"relation: {r}" for r in relations[:5]]
        evidence += [f"multi-entity transaction: {t}" for t in transactions[:5]]
        return DatastoreChoice(kind=engine, evidence=tuple(evidence))
    models = ", ".join(sorted(m.partition(":")[2] for m in owned))
    return DatastoreChoice(
        kind="dynamodb",
        evidence=(
            f"{models}: no relation between its models and no transaction over several of them;"
            " each entity is read and written by key",
        ),
    )


def _risks(cut: _Cut, graph: DependencyGraph) -> Risks:
    pairs: dict[tuple[str, str], None] = {}  # the context pairs, each once
    broken = []
    for _, _, edge in cut.crossing():
        source, target = cut.context(edge.source) or "", cut.context(edge.target) or ""
        pairs[source, target] = None
        if edge.kind == "orm_relation":
            broken.append(
                BrokenRelation(
                    source_model=edge.source,
                    target_model=edge.target,
                    source_context=source,
                    target_context=target,
                    location=str(edge.locations[0]),
                )
            )
    cycles = _shortest_cycles(nx.DiGraph(list(pairs)))
    distributed = []
    for transaction in graph.transactions:
        spanned = sorted({c for m in transaction.models if (c := cut.context(m))})
        if len(spanned) > 1:
            distributed.append(
                DistributedTransaction(
                    node=transaction.node,
                    location=f"{transaction.path}:{transaction.line}",
                    models=transaction.models,
                    contexts=tuple(spanned),
                )
            )
    return Risks(
        cycles=cycles,
        broken_relations=tuple(sorted(broken, key=lambda b: (b.location, b.target_model))),
        distributed_transactions=tuple(distributed),
        shared_tables=_shared_tables(cut, graph),
        parse_failures=len(graph.failures),
        unresolved=len(graph.unresolved),
    )


def _shortest_cycles(contexts: nx.DiGraph) -> tuple[tuple[str, ...], ...]:
    """The `_MAX_CYCLES` shortest cycles of at most `_MAX_CYCLE_LENGTH` contexts, shortest and
    then least first, each from its least context. Listed with a growing length bound, which
    stops as soon as there are enough: the shortest are the same, and saleor's contexts have
    5,415 cycles of up to 4, whose listing was a tenth of the plan stage."""
    cycles: set[tuple[str, ...]] = set()
    for bound in range(2, _MAX_CYCLE_LENGTH + 1):
        cycles = set()
        for cycle in nx.simple_cycles(contexts, length_bound=bound):
            start = cycle.index(min(cycle))
            cycles.add(tuple(cycle[start:] + cycle[:start]))
        if len(cycles) >= _MAX_CYCLES:
            break
    return tuple(sorted(cycles, key=lambda c: (len(c), c))[:_MAX_CYCLES])


def _shared_tables(cut: _Cut, graph: DependencyGraph) -> tuple[SharedTable, ...]:
    users: dict[str, set[str]] = defaultdict(set)
    for _, _, edge in cut.crossing():
        if edge.kind in _OPERATION_KINDS:
            users[edge.target].add(cut.context(edge.source) or "")
    tables = []
    for node in graph.nodes:
        if node.orm and users.get(node.id):
            tables.append(
                SharedTable(
                    model=node.id,
                    table=node.table,
                    owner=cut.context(node.id) or "",
                    used_by=tuple(sorted(users[node.id])),
                )
            )
    return tuple(tables)


def _extraction_order(
    contexts: tuple[BoundedContext, ...],
    dependencies: tuple[ContextDependency, ...],
    risks: Risks,
) -> tuple[ExtractionStep, ...]:
    """Strangler fig: the least entangled context first.

    entanglement = dependencies in + out (locations) + 5 per broken ORM relation, shared table
    or distributed transaction it is part of + 10 per cycle it is on.
    """
    scored = []
    for context in contexts:
        incoming = sum(d.weight for d in dependencies if d.target == context.name)
        outgoing = sum(d.weight for d in dependencies if d.source == context.name)
        relations = sum(
            1
            for b in risks.broken_relations
            if context.name in (b.source_context, b.target_context)
        )
        tables = sum(1 for t in risks.shared_tables if t.owner == context.name)
        transactions = sum(1 for t in risks.distributed_transactions if context.name in t.contexts)
        cycles = sum(1 for c in risks.cycles if context.name in c)
        score = incoming + outgoing + 5 * (relations + tables + transactions) + 10 * cycles
        reasons = [
            f"{incoming} dependency locations from other contexts, {outgoing} to them",
            f"{relations} ORM relations cross its boundary, {tables} of its tables are used"
            f" elsewhere, {transactions} transactions span it and another context",
        ]
        if cycles:
            reasons.append(f"on {cycles} dependency cycles between contexts: break them first")
        if not incoming:
            reasons.append("nothing depends on it: it can move without changing other code")
        scored.append((score, context.name, tuple(reasons)))
    scored.sort()
    return tuple(
        ExtractionStep(order=i, context=name, entanglement=float(score), reasons=reasons)
        for i, (score, name, reasons) in enumerate(scored, start=1)
    )


def _columns(node: GraphNode, cut: _Cut, context: str) -> tuple[ModelColumn, ...]:
    """The columns of an owned model in its service's database. A foreign key keeps its
    constraint only to a table the same context owns; to another context's it becomes a
    plain id, with a note."""
    models = cut.model_names
    columns = []
    for column in node.columns:
        if node.orm == "django":
            sql = django_type(column.sql_type)
        else:
            annotated = cut.wire(column.annotation).type if column.annotation else None
            sql = sqlalchemy_type(column.sql_type, annotated)
        target = _referenced(column.foreign_key, node, cut) if column.foreign_key else None
        references, note = None, sql.note
        if target is not None:
            if node.orm == "django" and target.sql_type:  # the key's type, not Integer
                sql = sql._replace(type=target.sql_type)
            owner = cut.context(target.node)
            if owner == context:
                references = f"{target.table}.{target.column}"
            else:
                note = (
                    f"referred to {target.table}.{target.column}, owned by {owner}: a plain id now"
                )
        elif column.foreign_key:
            note = f"referred to {column.foreign_key}, not found in the repository: a plain id"
        nullable = column.nullable
        if nullable is None:
            nullable = bool(column.annotation and "None" in column.annotation.split(" | "))
            nullable = nullable or (column.annotation is None and not column.primary_key)
        default = None
        if column.default is not None:
            try:
                default = constant(column.default)
            except ValueError:
                note = "; ".join(filter(None, [note, f"default {column.default} left to the code"]))
        columns.append(
            ModelColumn(
                name=column.name,
                default=default,
                type=sql.type,
                python=column_python(sql.type, column.annotation, models),
                nullable=nullable and not column.primary_key,
                primary_key=column.primary_key,
                unique=column.unique,
                references=references,
                note=note,
            )
        )
    if columns and not any(c.primary_key for c in columns):
        # Django's implicit `id` (SQLAlchemy needs a primary key too).
        columns.insert(
            0,
            ModelColumn(name="id", type="Integer", python="int", nullable=False, primary_key=True),
        )
    return tuple(columns)


class _Target(NamedTuple):
    """What a foreign key points at."""

    node: str  # the target model
    table: str
    column: str
    sql_type: str | None  # the type of the target column, if declared


def _referenced(foreign_key: str, node: GraphNode, cut: _Cut) -> _Target | None:
    """The model, table and column a foreign key points at, if the model is in the graph.
    A Django foreign key points at its target's primary key (`id` unless declared)."""
    models = cut.orm_models
    if node.orm == "sqlalchemy":
        table, _, column = foreign_key.rpartition(".")
        found = [n for n in models if n.table == table]
        return _Target(found[0].id, table, column or "id", None) if len(found) == 1 else None
    name = foreign_key.rpartition(".")[2]
    found = [node] if foreign_key == "self" else [n for n in models if n.id.endswith(f":{name}")]
    if len(found) != 1:
        return None
    target = found[0]
    table = target.table or snake_case(target.id.rpartition(":")[2])
    key = next((c for c in target.columns if c.primary_key), None)
    if key is None:
        return _Target(target.id, table, "id", None)
    return _Target(target.id, table, key.name, django_type(key.sql_type).type)
