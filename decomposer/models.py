"""Frozen pydantic models: the data handed from one pipeline stage to the next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import networkx as nx


class Model(BaseModel):
    """Base of every stage model: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- stage 1: discover


class SourceFile(Model):
    """One Python file of the analyzed repository."""

    path: str = Field(description="POSIX path relative to the repository root")
    module: str = Field(description="Dotted module name, e.g. shop.orders.services")
    is_package: bool = Field(description="True for a package's __init__.py")
    root: str = Field(description="The source root the module name is relative to ('.' = repo)")
    size_bytes: int = Field(ge=0, description="File size in bytes")


SkipReason = Literal[
    "too-large",
    "symlink-loop",
    "unreadable",
    "duplicate-module",
    "invalid-module-name",
]


class SkippedFile(Model):
    """A file discovery found but will not analyze, with the reason."""

    path: str = Field(description="POSIX path relative to the repository root")
    reason: SkipReason = Field(description="Why the file is skipped")
    message: str = Field(description="What happened and what to do about it")


class SourceTree(Model):
    """Everything discovery found: the source roots, the files to analyze, and what it skipped."""

    name: str = Field(description="The repository folder's name")
    roots: tuple[str, ...] = Field(description="Source roots, POSIX, relative to the repo root")
    files: tuple[SourceFile, ...] = Field(description="Files to analyze, sorted by path")
    skipped: tuple[SkippedFile, ...] = Field(description="Files skipped, sorted by path")


# --------------------------------------------------------------------------- stage 2: extract

Certainty = Literal["certain", "inferred", "dynamic"]
ImportKind = Literal["import", "type_import", "dynamic_import"]
ImportScope = Literal["module", "conditional", "function"]
RefKind = Literal["call", "instantiation", "inheritance", "decorator", "annotation", "reference"]


class ImportRef(NamedTuple):
    """One imported name: `import a.b` gives module a.b; `from a import b` gives module a, name b.

    Whether `a.b` in `from a import b` is a submodule or a name inside `a` is decided by the graph
    stage, which knows every module of the repository.

    ImportRef, SymbolRef and OrmRef are typed NamedTuples rather than models: a large repository
    has tens of thousands of them, they cross process boundaries and fill the facts cache, and
    rebuilding that many pydantic models cost more than parsing. ModuleFacts still validates them.
    """

    module: str  # absolute dotted module the statement names
    name: str | None  # name imported from the module; '*' for a star import
    kind: ImportKind  # import, type_import (TYPE_CHECKING) or dynamic_import
    scope: ImportScope  # module level, conditional (if/try), or in a function
    level: int  # relative import level as written (0 = absolute)
    line: int
    col: int


class Binding(Model):
    """A module-level name bound by an import: lets the graph stage follow re-exports."""

    name: str
    target: str = Field(description="Absolute dotted name the local name stands for")


class Definition(Model):
    """A top-level class or function of a module."""

    name: str = Field(description="Name in the module")
    kind: Literal["class", "function"]
    line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    table: str | None = Field(
        default=None, description="ORM table name (__tablename__ or Django Meta.db_table)"
    )
    orm_fields: Literal["django", "sqlalchemy"] | None = Field(
        default=None, description="The ORM whose columns or relations the class body declares"
    )


class SymbolRef(NamedTuple):
    """A use, inside a top-level definition (or module code), of a name bound outside it."""

    source: str  # top-level definition holding the use; '' for module code
    target: str  # absolute dotted name, resolved through the import table
    kind: RefKind
    # How the name was bound: an import, a definition of the same module, or a star import
    # (the graph stage checks which star-imported module defines it).
    via: Literal["import", "same-module", "star-import"]
    line: int
    col: int
    discards_result: bool = False  # a call used as a statement: the caller needs no answer


OrmRefKind = Literal[
    "ForeignKey",
    "OneToOneField",
    "ManyToManyField",
    "relationship",
    "table_foreign_key",
    "get_model",
]


class OrmRef(NamedTuple):
    """An ORM relation declared in a model class, or a model looked up by name."""

    owner: str  # top-level definition holding it; '' for module code
    field: str  # field or attribute name; '' where there is none
    kind: OrmRefKind
    framework: Literal["django", "sqlalchemy"]
    # What it points at: a dotted name resolved through imports, or the string as written
    # ('app.Model', 'self', 'ClassName', 'table.column').
    target: str
    is_string: bool  # the target was written as a string literal
    line: int
    col: int


EntryKind = Literal[
    "http_route",
    "celery_task",
    "signal_receiver",
    "event_handler",
    "management_command",
    "cli_command",
]


class EntryPoint(Model):
    """A way into the monolith from outside: a route, a task, a command, a signal handler."""

    kind: EntryKind
    framework: str = Field(description="django, flask, fastapi, celery, click, sqlalchemy, ...")
    target: str = Field(description="Absolute dotted name of the handler")
    name: str = Field(description="Route path, command, task or signal name")
    methods: tuple[str, ...] = Field(default=(), description="HTTP methods for routes")
    router: str | None = Field(
        default=None, description="Dotted name of the blueprint/router the route hangs on"
    )
    line: int = Field(ge=1)
    col: int = Field(ge=1)


class RouterDef(Model):
    """A Flask Blueprint/app or FastAPI APIRouter/app created at module level."""

    name: str = Field(description="Variable name in the module")
    framework: Literal["flask", "fastapi"]
    prefix: str = Field(description="url_prefix / prefix given where it is created")
    line: int = Field(ge=1)


class Transaction(Model):
    """A unit of work: `transaction.atomic`, `session.begin()`, or a function that commits."""

    owner: str = Field(description="Top-level definition holding it; '' for module code")
    kind: Literal["atomic", "session", "commit"]
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    start_line: int = Field(ge=1, description="First line of the code the unit of work covers")
    end_line: int = Field(ge=1, description="Last line of the code the unit of work covers")


class EventEmit(Model):
    """An event published by name (`publish("order_placed")`) or a signal object sent."""

    owner: str = Field(description="Top-level definition holding it; '' for module code")
    name: str = Field(description="Event name, or the dotted name of the signal object")
    line: int = Field(ge=1)
    col: int = Field(ge=1)


class AppConfigDef(Model):
    """A Django AppConfig subclass: which app it configures and the label it gives it."""

    app: str = Field(description="AppConfig.name: the dotted package of the app")
    label: str | None = Field(description="AppConfig.label, if set")


class Diagnostic(Model):
    """A finding about code the analyzer could not resolve statically."""

    code: str = Field(description="Stable id, e.g. DYN001")
    message: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)


class ModuleFacts(Model):
    """Everything extracted from one module."""

    module: str
    path: str
    is_package: bool
    lines: int = Field(ge=0, description="Physical lines in the file")
    imports: tuple[ImportRef, ...] = ()
    bindings: tuple[Binding, ...] = ()
    definitions: tuple[Definition, ...] = ()
    references: tuple[SymbolRef, ...] = ()
    orm_refs: tuple[OrmRef, ...] = ()
    entry_points: tuple[EntryPoint, ...] = ()
    routers: tuple[RouterDef, ...] = ()
    app_configs: tuple[AppConfigDef, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    emits: tuple[EventEmit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


FailureReason = Literal[
    "syntax-error",
    "python2",
    "newer-syntax",
    "encoding",
    "nul-bytes",
]


class ParseFailure(Model):
    """A file that could not be parsed; it costs only itself."""

    path: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    reason: FailureReason
    message: str
    source_line: str = Field(default="", description="The offending line, for a caret display")

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


# --------------------------------------------------------------------------- stage 3: graph

NodeKind = Literal["module", "class", "function"]
EdgeKind = Literal[
    "import",
    "type_import",
    "dynamic_import",
    "call",
    "instantiation",
    "inheritance",
    "decorator",
    "annotation",
    "reference",
    "orm_relation",
    "event",
]
Resolution = Literal[
    "absolute-import",
    "relative-import",
    "literal-string",
    "import-table",
    "same-module",
    "re-export",
    "star-import",
    "django-app-label",
    "django-self",
    "sqlalchemy-class-name",
    "sqlalchemy-table-name",
    "event-name",
]


class Location(Model):
    """Where in the repository an edge was seen."""

    path: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    certainty: Certainty = Field(description="certain, inferred (a documented convention), dynamic")
    resolution: Resolution = Field(description="How the target was resolved")
    discards_result: bool = Field(
        default=False,
        description="A call used as a statement: the caller does not need an answer",
    )

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class GraphNode(Model):
    """A module, or a top-level class or function inside one."""

    id: str = Field(description="Dotted module name, or module:QualName for a symbol")
    kind: NodeKind
    module: str = Field(description="The module the node is, or belongs to")
    path: str
    line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    lines: int = Field(ge=0, description="Lines of code the node spans")
    is_package: bool = False
    parse_failed: bool = Field(default=False, description="The module's file could not be parsed")
    orm: Literal["django", "sqlalchemy"] | None = Field(
        default=None, description="Set on ORM model classes"
    )
    table: str | None = Field(default=None, description="ORM table name, if known")


class GraphEdge(Model):
    """All uses of one kind from one node to another, with every location."""

    source: str
    target: str
    kind: EdgeKind
    weight: int = Field(ge=1, description="Number of locations")
    certainty: Certainty = Field(description="The strongest certainty among the locations")
    locations: tuple[Location, ...]


class GraphEntryPoint(Model):
    """An entry point attached to the graph node that handles it."""

    kind: EntryKind
    framework: str
    node: str = Field(description="Graph node id of the handler (module or module:QualName)")
    name: str
    methods: tuple[str, ...] = ()
    path: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)


class GraphTransaction(Model):
    """A unit of work and the ORM models it touches: what must stay in one database."""

    node: str = Field(description="Graph node holding the unit of work")
    kind: Literal["atomic", "session", "commit"]
    path: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    models: tuple[str, ...] = Field(description="ORM model nodes used inside it")


class Unresolved(Model):
    """A dependency the analyzer saw but could not pin to a node, and why."""

    path: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


class GraphStats(Model):
    """Counts for the summary."""

    files: int
    lines: int
    modules: int
    symbols: int
    failed_files: int
    skipped_files: int
    empty_files: int
    edges_by_kind: dict[str, int]
    entry_points_by_kind: dict[str, int]
    orm_models: int


class DependencyGraph(Model):
    """graph.json: the dependency graph of a repository, as written to disk."""

    schema_version: Literal["1"] = Field(default="1", description="graph.json format version")
    repo: str = Field(description="Name of the analyzed repository folder")
    roots: tuple[str, ...]
    stats: GraphStats
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    entry_points: tuple[GraphEntryPoint, ...]
    transactions: tuple[GraphTransaction, ...]
    unresolved: tuple[Unresolved, ...]
    failures: tuple[ParseFailure, ...]
    skipped: tuple[SkippedFile, ...]

    def to_networkx(self) -> nx.MultiDiGraph:
        """A networkx view: nodes carry `node` (GraphNode), edges are keyed by kind and carry
        `edge` (GraphEdge) and `weight`. Build it once per stage and work on copies."""
        import networkx as nx  # imported here: `analyze` alone does not need it (0.1 s)

        graph = nx.MultiDiGraph(repo=self.repo)
        for node in self.nodes:
            graph.add_node(node.id, node=node, kind=node.kind, module=node.module)
        for edge in self.edges:
            graph.add_edge(edge.source, edge.target, key=edge.kind, edge=edge, weight=edge.weight)
        return graph
