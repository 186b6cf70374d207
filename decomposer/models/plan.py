"""Models of stages 4-6: the clustering, the metrics of a cut, and plan.json.

`DecompositionPlan` is a public file format: architects edit it between `analyze` and
`scaffold`, so every field says what it means, and names are checked so that they can become
folder names, Python packages and Terraform identifiers.
"""

from __future__ import annotations

import keyword
import re
from collections import Counter
from collections.abc import Collection
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from decomposer.models.base import Model
from decomposer.models.graph import EdgeKind, GraphStats

PLAN_SCHEMA_VERSION = "1"
_SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_OPERATION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Operation names a generated service keeps for itself: `GET <prefix>health`, and the methods
# of the base class of the generated clients (ServiceClient.close() in templates/service/
# package/http.py), where a client method named after the operation would replace them.
RESERVED_OPERATIONS = frozenset({"health", "close"})
# Names Windows keeps for devices: a folder `services/nul/` cannot be created there.
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)


def _safe_name(value: str) -> str:
    if not _SAFE_NAME.match(value):
        raise ValueError(
            "must be lowercase letters, digits and '_', start with a letter, at most 40"
            f" characters (a service, folder and Python package name); got {value!r}"
        )
    if keyword.iskeyword(value):
        raise ValueError(f"must not be a Python keyword (it names Python code); got {value!r}")
    if value in WINDOWS_DEVICES:
        raise ValueError(
            f"must not be a name Windows keeps for a device (a folder name); got {value!r}"
        )
    return value


def is_safe_name(value: str) -> bool:
    """Whether `value` can name a context: a service, folder, package and Terraform name."""
    try:
        _safe_name(value)
    except ValueError:
        return False
    return True


def _operation_name(value: str) -> str:
    if not _OPERATION_NAME.match(value):
        raise ValueError(
            "must be lowercase letters, digits and '_', start with a letter, at most 64"
            f" characters (a Python function and URL path segment); got {value!r}"
        )
    return value


def _node(value: str) -> str:
    """A graph node as the plan names it: `package.module` or `package.module:Qual.Name`."""
    module, colon, qualname = value.partition(":")
    parts = [*module.split("."), *(qualname.split(".") if colon else ())]
    if not all(part.isidentifier() for part in parts):
        raise ValueError(
            "must be a dotted module name, or module:Name (Python identifiers joined by '.',"
            f" one ':' before the class or function); got {value!r}"
        )
    return value


def _model_node(value: str) -> str:
    if ":" not in _node(value):
        raise ValueError(f"must be module:Class, the ORM model's class; got {value!r}")
    return value


def _one_line(value: str) -> str:
    if not value or not value.isprintable() or len(value) > 255:
        raise ValueError(
            f"must be one line of printable characters, at most 255 (a folder name); got {value!r}"
        )
    return value


ContextName = Annotated[str, AfterValidator(_safe_name)]
Node = Annotated[str, AfterValidator(_node)]
ModelNode = Annotated[str, AfterValidator(_model_node)]

Style = Literal["rest", "sqs"]
Datastore = Literal["aurora-postgresql", "aurora-mysql", "dynamodb", "none"]


# --------------------------------------------------------------------------- stage 4: cluster


class Reason(Model):
    """Why a unit sits beside another: the signal that ties them and where it was seen."""

    unit: str = Field(description="The other unit of the same context")
    signal: str = Field(description="Edge kind or signal: call, orm_relation, use_case, ...")
    weight: float = Field(ge=0, description="Its weight in the clustering graph")
    location: str | None = Field(default=None, description="path:line where it was seen")


class Placement(Model):
    """A member of a context and the strongest ties that hold it there."""

    unit: str = Field(description="Module (dotted) or symbol (module:QualName)")
    reasons: tuple[Reason, ...] = Field(description="Strongest ties first")


# The name of the shared kernel's group, in a clustering and in a plan (no context takes it).
KERNEL_NAME = "shared"


class ContextGroup(Model):
    """One cluster of units, as the clustering stage found it."""

    name: str = Field(description="Name derived from the members' packages")
    name_source: str = Field(default="", description="Where the name came from")
    units: tuple[str, ...]
    placements: tuple[Placement, ...] = ()


LayoutKind = Literal["apps", "layers", "apps-and-layers", "packages"]


class DomainGroup(Model):
    """Domain units that move as one through the clustering, and the rule that grouped them."""

    name: str = Field(description="The head domain, or the extension point of a plugin family")
    rule: Literal["compound-name", "plugin-family"]
    members: tuple[str, ...] = Field(description="The domain units grouped")
    why: str


class Layout(Model):
    """How the monolith arranges its domains, as the clustering recognised it."""

    kind: LayoutKind = Field(
        description="apps: one package per domain; layers: technical layers (models, views,"
        " api) each holding a slice of every domain; apps-and-layers: apps mirrored in layers;"
        " packages: no domain names found, plain packages are the units"
    )
    summary: str = Field(description="One sentence for the architect")
    apps_from: str = Field(description="Where the apps came from (INSTALLED_APPS, the folders)")
    domains: tuple[str, ...] = Field(default=(), description="The domain units found")
    layers: tuple[str, ...] = Field(default=(), description="Packages recognised as layers")
    notes: tuple[str, ...] = Field(default=(), description="What could not be read, and why")
    groups: tuple[DomainGroup, ...] = Field(
        default=(),
        description="Domain units grouped before clustering: a name that is a kind of another"
        " domain's (pending_certificate), sibling plugins extending one extension point",
    )

    def grouped(self) -> str:
        """The groups in one line: `grouped before clustering: 2 compound names (...), ...`."""
        if not self.groups:
            return ""
        parts = []
        for rule, label in (
            ("compound-name", "compound names"),
            ("plugin-family", "plugin families"),
        ):
            found = [g for g in self.groups if g.rule == rule]
            if found:
                shown = "; ".join(
                    f"{g.name}: {', '.join(m for m in g.members if m != g.name)}" for g in found[:4]
                )
                more = f"; {len(found) - 4} more" if len(found) > 4 else ""
                parts.append(f"{len(found)} {label} ({shown}{more})")
        return "grouped before clustering: " + ", ".join(parts)


class Alternative(Model):
    """One candidate number of contexts the tool considered."""

    contexts: int = Field(ge=1)
    resolution: float = Field(description="Louvain resolution that produced it")
    modularity: float = Field(description="Modularity Q of the candidate")
    chosen: bool = False


class ContextCountChoice(Model):
    """How the number of contexts was decided, and what else was on the table."""

    criterion: str = Field(description="The rule that picked the number")
    requested: int | None = Field(default=None, description="--services, if given")
    alternatives: tuple[Alternative, ...]

    def shortfall(self, contexts: int) -> str:
        """What to tell the user when --services asked for more contexts than the plan has
        ('' when it got what it asked for)."""
        if self.requested is None or contexts >= self.requested:
            return ""
        most = max((a.contexts for a in self.alternatives), default=contexts)
        return (
            f"--services {self.requested} gave {contexts} contexts, not {self.requested}: the"
            f" finest cut found has {max(most, contexts)} communities, and those without a"
            " domain unit of their own join a neighbour or the shared kernel"
        )


class Clustering(Model):
    """Stage 4's result: the units, how they are grouped, and the shared kernel."""

    granularity: Literal["module", "auto", "symbol"]
    split_modules: tuple[str, ...] = Field(
        description="Modules split into their classes and functions (god modules)"
    )
    contexts: tuple[ContextGroup, ...]
    shared_kernel: ContextGroup = Field(description="Units every service may depend on")
    selection: ContextCountChoice
    layout: Layout | None = Field(default=None, description="The layout recognised")

    def unit_of(self, node: str) -> str:
        """The unit a graph node belongs to: its module, or itself in a split module."""
        module, _, name = node.partition(":")
        return node if name and module in _as_set(self.split_modules) else module


# The set of each tuple of split modules unit_of was asked about, by the tuple's identity (the
# tuple is kept, so its id is not reused while here): a Clustering is frozen, but
# model_copy(update=...) may give it other split modules, so nothing is stored on it.
_SPLIT_SETS: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}


def _as_set(modules: tuple[str, ...]) -> Collection[str]:
    if len(modules) < 8:  # scanned as fast as hashed
        return modules
    known = _SPLIT_SETS.get(id(modules))
    if known is None or known[0] is not modules:
        if len(_SPLIT_SETS) >= 32:
            _SPLIT_SETS.clear()
        known = _SPLIT_SETS[id(modules)] = (modules, frozenset(modules))
    return known[1]


# --------------------------------------------------------------------------- stage 5: metrics


# Each metric of a cut, its label, and which way is better.
METRIC_DIRECTIONS: tuple[tuple[str, str, Literal["higher", "lower"]], ...] = (
    ("modularity", "modularity Q", "higher"),
    ("structural_modularity", "structural modularity", "higher"),
    ("icp", "inter-call percentage (ICP)", "lower"),
    ("ifn", "interface number (IFN)", "lower"),
    ("ned", "non-extreme distribution (NED)", "lower"),
    ("bcp", "business context purity (BCP)", "lower"),
    ("cross_context_edges", "dependencies across contexts", "lower"),
    ("cyclic_context_pairs", "context pairs depending on each other", "lower"),
)


class MetricVerdict(Model):
    """One metric of the proposal beside the as-is split."""

    metric: str
    label: str
    better: Literal["higher", "lower"] = Field(description="Which way is better")
    proposal: float | int
    as_is: float | int
    verdict: Literal["better", "same", "worse"] = Field(description="The proposal's, vs as-is")


class CutMetrics(Model):
    """Quality of a cut. Formulas and sources: README, "Metrics"."""

    contexts: int = Field(ge=0)
    modularity: float = Field(description="Newman-Girvan modularity Q, weighted (higher is better)")
    structural_modularity: float = Field(
        description="SM (Jin et al. 2019): mean cohesion minus mean pairwise coupling (higher)"
    )
    icp: float = Field(
        ge=0, le=1, description="Inter-call percentage: share of calls crossing contexts (lower)"
    )
    ifn: float = Field(ge=0, description="Interface number: mean symbols a context exposes (lower)")
    ned: float = Field(
        ge=0,
        le=1,
        description="Non-extreme distribution: units in too small or too large contexts (lower)",
    )
    bcp: float = Field(
        ge=0,
        description="Business context purity: mean entropy of entry points per context (lower)",
    )
    cross_context_edges: int = Field(ge=0, description="Runtime dependencies crossing contexts")
    cyclic_context_pairs: int = Field(ge=0, description="Context pairs that depend on each other")

    def compare(self, other: CutMetrics) -> tuple[MetricVerdict, ...]:
        """This cut's metrics beside another's, each with its verdict."""
        verdicts = []
        for name, label, better in METRIC_DIRECTIONS:
            mine, theirs = getattr(self, name), getattr(other, name)
            wins = mine > theirs if better == "higher" else mine < theirs
            verdict: Literal["better", "same", "worse"] = (
                "better" if wins else "same" if mine == theirs else "worse"
            )
            verdicts.append(
                MetricVerdict(
                    metric=name,
                    label=label,
                    better=better,
                    proposal=mine,
                    as_is=theirs,
                    verdict=verdict,
                )
            )
        return tuple(verdicts)


class ContextMetrics(Model):
    """Size, cohesion and coupling of one context."""

    units: int = Field(ge=0)
    lines: int = Field(ge=0)
    cohesion: float = Field(ge=0, le=1, description="Internal weight / (internal + external)")
    efferent: int = Field(ge=0, description="Dependencies to other contexts (count)")
    afferent: int = Field(ge=0, description="Dependencies from other contexts (count)")


# --------------------------------------------------------------------------- stage 6: plan


class PlanEntryPoint(Model):
    kind: str
    framework: str
    name: str = Field(description="Route, command, task or event name")
    methods: tuple[str, ...] = ()
    handler: str = Field(description="Graph node of the handler")
    location: str = Field(description="path:line")
    public: bool = Field(
        default=False,
        description="An HTTP route anyone may call (sign-up, login, a payment webhook): the API"
        " Gateway routes it without an authorizer. False: it is routed with the authorizer the"
        " Terraform variable `authorizer` chooses",
    )
    query_parameters: tuple[str, ...] | None = Field(
        default=None,
        description="HTTP route: the query parameters it reads ([] for none). Only a GET route"
        " whose query parameters are listed is cached by the API Gateway, keyed by them; null"
        " (unknown, the default) leaves it uncached",
    )


class ModelColumn(Model):
    """A column of an owned entity, as its service's database will have it."""

    name: str = Field(description="Column name")
    type: str = Field(
        description="SQLAlchemy type: Integer, BigInteger, SmallInteger, String(n), Text,"
        " Boolean, DateTime, Date, Time, Interval, Numeric(p, s), Float, JSON, LargeBinary, Uuid"
    )
    python: str = Field(description="Python type of its values (a wire type)")
    nullable: bool = True
    primary_key: bool = False
    unique: bool = False
    references: str | None = Field(
        default=None, description="`table.column` it refers to, when the same context owns it"
    )
    default: bool | int | float | str | None = Field(
        default=None, description="A constant default (None: none, or not a constant)"
    )
    note: str | None = Field(default=None, description="What changed from the monolith")


class OwnedModel(Model):
    model: ModelNode = Field(description="ORM model node (module:Class)")
    table: str | None = None
    framework: str
    columns: tuple[ModelColumn, ...] = Field(
        default=(), description="Its columns, from the monolith's model (empty: not known)"
    )


class DatastoreChoice(Model):
    kind: Datastore
    evidence: tuple[str, ...] = Field(description="Why this store: relations, transactions, access")


class WireValue(Model):
    """A value crossing between services: as the monolith declares it, and as it travels."""

    annotation: str | None = Field(
        default=None, description="The monolith's annotation, names made absolute"
    )
    type: str = Field(
        default="Any",
        description="Type on the wire: int, float, str, bool, bytes, None, Any, Literal[...],"
        " list[T], tuple[...], dict[K, V], decimal.Decimal, datetime.*, uuid.UUID, with |",
    )
    notes: tuple[str, ...] = Field(default=(), description="What the wire type cannot keep")
    models: tuple[str, ...] = Field(
        default=(), description="ORM models it names (module:Class): they travel as dicts"
    )


class OperationParameter(WireValue):
    """One field of an operation's request: a parameter of the monolith function."""

    name: str = Field(description="Parameter name: the request field")
    kind: Literal["positional_only", "positional", "keyword_only"] = "positional"
    required: bool = Field(default=True, description="False when the function has a default")
    default: str | None = Field(default=None, description="The default as written")

    @model_validator(mode="after")
    def _name_is_identifier(self) -> OperationParameter:
        if not self.name.isidentifier() or keyword.iskeyword(self.name):
            raise ValueError(f"parameter name {self.name!r} is not a Python identifier")
        return self


class Operation(Model):
    """What a service exposes to others (REST) or accepts as a message (SQS)."""

    name: str = Field(description="snake_case operation name, unique within the context")
    target: Node = Field(description="The graph node that implements it today")
    style: Style
    callers: tuple[ContextName, ...] = Field(description="Contexts that call it")
    locations: tuple[str, ...] = Field(description="Call sites, path:line (first 10)")
    parameters: tuple[OperationParameter, ...] = Field(
        default=(), description="The request's fields: the target function's parameters"
    )
    returns: WireValue | None = Field(
        default=None,
        description="The response's result; None when the target's signature is unknown (a"
        " class, or a plan written before signatures): its request then takes any field",
    )
    notes: tuple[str, ...] = Field(
        default=(), description="What the request cannot carry (*args, **kwargs)"
    )
    public: bool = Field(
        default=False,
        description="Clients outside the monolith call it too: the API Gateway routes"
        " POST /<context>/<name> to it without an authorizer. False: internal, only the"
        " contexts in `callers` reach it, through the internal load balancer",
    )

    @model_validator(mode="after")
    def _name_is_identifier(self) -> Operation:
        _operation_name(self.name)
        return self


class EventFlow(Model):
    """An event published in one context and consumed in another (an SQS queue)."""

    name: str = Field(description="snake_case event or message name")
    publisher: str = Field(description="Context that publishes it")
    consumer: str = Field(description="Context that consumes it")
    handlers: tuple[str, ...] = Field(description="Graph nodes that handle it in the consumer")


class BoundedContext(Model):
    """One proposed service: its members, data, interface and why each member is here."""

    name: ContextName = Field(description="Service name: lowercase identifier, at most 40")
    name_source: str = Field(
        default="",
        description="Where the name came from: the dominant domain of the members, or the plan"
        " it was edited in (a renamed context keeps its name when the plan is scored again)",
    )
    modules: tuple[str, ...] = Field(description="Member modules (dotted names)")
    symbols: tuple[str, ...] = Field(
        default=(), description="Members split out of shared modules, as module:QualName"
    )
    entry_points: tuple[PlanEntryPoint, ...] = Field(
        default=(), description="Routes, tasks, commands and handlers that move here"
    )
    owned_data: tuple[OwnedModel, ...] = Field(default=(), description="ORM models it owns")
    datastore: DatastoreChoice = Field(description="Where its data goes, with the evidence")
    operations: tuple[Operation, ...] = Field(
        default=(), description="What the service exposes: its functions other contexts call"
    )
    contracts: tuple[str, ...] = Field(
        default=(),
        description="Its classes other contexts use (exceptions, models, value types): shared"
        " contracts to publish as a schema or a client library, never REST operations",
    )
    publishes: tuple[str, ...] = Field(default=(), description="Event names it publishes")
    consumes: tuple[str, ...] = Field(default=(), description="Event names it consumes")
    placements: tuple[Placement, ...] = Field(default=(), description="Why here, per member")
    metrics: ContextMetrics = Field(description="Size, cohesion and coupling")


class SharedKernel(Model):
    modules: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    reasons: tuple[str, ...] = Field(default=(), description="Why each unit is shared")


class Evidence(Model):
    source: str = Field(description="Graph node")
    target: str = Field(description="Graph node")
    kind: EdgeKind
    location: str = Field(description="path:line")


class ContextDependency(Model):
    """Everything one context needs from another, and how the services will talk."""

    source: str
    target: str
    style: Style = Field(description="rest: the caller needs the answer; sqs: fire-and-forget")
    reason: str
    weight: int = Field(ge=1, description="Number of code locations")
    operations: tuple[str, ...] = Field(default=(), description="Operations of target it calls")
    events: tuple[str, ...] = Field(default=(), description="Events or messages it sends")
    evidence: tuple[Evidence, ...] = Field(description="Strongest locations (first 20)")

    def what(self) -> str:
        """The operations and events of the dependency, each named once (an SQS operation is
        also the event that carries it)."""
        return ", ".join(dict.fromkeys((*self.operations, *self.events)))


class BrokenRelation(Model):
    source_model: str
    target_model: str
    source_context: str
    target_context: str
    location: str


class DistributedTransaction(Model):
    node: str
    location: str
    models: tuple[str, ...]
    contexts: tuple[str, ...]


class SharedTable(Model):
    model: str
    table: str | None
    owner: str = Field(description="Context that owns the model")
    used_by: tuple[str, ...] = Field(description="Other contexts whose code uses it")


class Risks(Model):
    cycles: tuple[tuple[str, ...], ...] = Field(description="Cycles between contexts")
    broken_relations: tuple[BrokenRelation, ...]
    distributed_transactions: tuple[DistributedTransaction, ...]
    shared_tables: tuple[SharedTable, ...]
    parse_failures: int = Field(ge=0)
    unresolved: int = Field(ge=0)

    def found(self) -> list[tuple[str, int, str]]:
        """(kind, count, what) of each risk the cut has, in the order the report and the
        console list them; a kind with none is no risk and is left out."""
        counts = [
            ("cycles", len(self.cycles), "dependency cycle(s) of 2 to 4 contexts"),
            ("shared_tables", len(self.shared_tables), "table(s) used across contexts"),
            (
                "transactions",
                len(self.distributed_transactions),
                "distributed transaction(s) the cut creates",
            ),
            ("broken_relations", len(self.broken_relations), "ORM relation(s) cut"),
            ("parse_failures", self.parse_failures, "file(s) failed to parse"),
            ("unresolved", self.unresolved, "unresolved dependency(-ies)"),
        ]
        return [(kind, n, _plural(what, n)) for kind, n, what in counts if n]


def _plural(what: str, count: int) -> str:
    """`cycle(s) between contexts` -> `cycle between contexts` / `cycles between contexts`."""
    if "(-ies)" in what:
        return what.replace("y(-ies)", "y" if count == 1 else "ies")
    return what.replace("(s)", "" if count == 1 else "s")


class ExtractionStep(Model):
    order: int = Field(ge=1)
    context: str
    entanglement: float = Field(ge=0, description="Lower is easier to extract")
    reasons: tuple[str, ...]


class AsIsSplit(Model):
    """The split the code already has (one context per domain unit), for comparison."""

    description: str
    contexts: tuple[ContextGroup, ...]
    metrics: CutMetrics
    comparison: tuple[MetricVerdict, ...] = Field(
        default=(), description="Metric by metric: the proposal against this split"
    )
    verdict: str = Field(
        default="", description="In a sentence: is the proposal better than this split, and why"
    )


class BaselineEdge(Model):
    """A cross-context dependency that existed when the plan was made (for `decompose check`)."""

    source: str = Field(description="Unit (module or module:QualName)")
    target: str = Field(description="Unit")
    kind: EdgeKind


class DecompositionPlan(Model):
    """plan.json: where to cut the monolith, why, and what each cut costs."""

    schema_version: Literal["1"] = Field(default="1", description="plan.json format version")
    tool_version: str = Field(description="Version of decomposer that wrote the plan")
    repo: Annotated[str, AfterValidator(_one_line)] = Field(
        description="Name of the analyzed repository folder"
    )
    settings: dict[str, object] = Field(description="Effective settings of the run")
    summary: GraphStats = Field(description="Size of the monolith and of its graph")
    granularity: Literal["module", "auto", "symbol"] = Field(
        description="Units clustered: whole modules, or god modules split (auto), or symbols"
    )
    split_modules: tuple[str, ...] = Field(
        default=(), description="Modules whose classes and functions were placed one by one"
    )
    selection: ContextCountChoice = Field(description="How the number of contexts was chosen")
    layout: Layout | None = Field(
        default=None, description="How the monolith arranges its domains, as recognised"
    )
    contexts: tuple[BoundedContext, ...] = Field(
        description="The proposed bounded contexts: one service each"
    )
    shared_kernel: SharedKernel = Field(
        description="Units proposed as a library every service may depend on"
    )
    dependencies: tuple[ContextDependency, ...] = Field(
        description="What each context needs from another, as REST calls or SQS messages"
    )
    metrics: CutMetrics = Field(description="Quality of the proposed cut")
    as_is: AsIsSplit = Field(description="The same metrics for the split the code already has")
    risks: Risks = Field(description="What the cut breaks: cycles, relations, transactions")
    extraction_order: tuple[ExtractionStep, ...] = Field(
        description="Strangler-fig order: the least entangled context first"
    )
    baseline: tuple[BaselineEdge, ...] = Field(
        description="Dependencies across the plan's boundaries when it was made (between"
        " contexts, and from the shared kernel into a context): `decompose check` fails on"
        " any other"
    )

    def inboxes(self) -> dict[str, tuple[str, ...]]:
        """Context -> the other contexts that send it events. Each of these contexts gets an
        SQS inbox: infra/ builds them, the report's diagram and workspace.dsl draw them, all
        from here. Events go by SQS whatever the style of the dependency that carries them."""
        names = {context.name for context in self.contexts}
        producers: dict[str, set[str]] = {}
        for dependency in self.dependencies:
            ends = {dependency.source, dependency.target}
            if dependency.events and len(ends) == 2 and ends <= names:
                producers.setdefault(dependency.target, set()).add(dependency.source)
        return {consumer: tuple(sorted(p)) for consumer, p in sorted(producers.items())}

    def data_links(self) -> list[tuple[str, str, int]]:
        """(context, context, count) of data coupling between two different contexts: ORM
        relations the cut breaks, and tables one context owns and another uses."""
        data: Counter[tuple[str, str]] = Counter()
        for relation in self.risks.broken_relations:
            data[relation.source_context, relation.target_context] += 1
        for table in self.risks.shared_tables:
            for user in table.used_by:
                data[user, table.owner] += 1
        return [(s, t, n) for (s, t), n in sorted(data.items()) if s != t]

    @model_validator(mode="after")
    def _consistent(self) -> DecompositionPlan:
        problems = []
        names = [context.name for context in self.contexts]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"contexts: name {name!r} is used twice")
        seen: dict[str, str] = {}
        for context in self.contexts:
            for unit in (*context.modules, *context.symbols):
                if unit in seen:
                    problems.append(
                        f"contexts.{context.name}: {unit} is also in contexts.{seen[unit]}"
                    )
                seen[unit] = context.name
        if problems:
            raise ValueError("; ".join(problems))
        return self
