"""Models of stage 3: the dependency graph (graph.json)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import Field

from decomposer.models.base import Model
from decomposer.models.facts import (
    Certainty,
    EntryKind,
    Exclusion,
    FunctionSignature,
    OrmColumn,
    ParseFailure,
    SkippedFile,
)

if TYPE_CHECKING:
    import networkx as nx
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

# Edge kinds that are coupling at run time. Annotations and TYPE_CHECKING imports are not:
# they vanish when the code runs, so no stage counts them as a dependency between services.
RUNTIME_KINDS: frozenset[str] = frozenset(
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
    signature: FunctionSignature | None = Field(
        default=None, description="Parameters and return annotation of a function"
    )
    columns: tuple[OrmColumn, ...] = Field(
        default=(), description="Columns an ORM model class declares"
    )


class GraphEdge(Model):
    """All uses of one kind from one node to another, with every location."""

    source: str
    target: str
    kind: EdgeKind
    weight: int = Field(ge=1, description="Number of locations")
    certainty: Certainty = Field(description="The strongest certainty among the locations")
    locations: tuple[Location, ...]


# One location of an edge as the graph stage collects it, before it builds `Location`:
# (path, line, col, certainty, resolution, discards_result).
RawLocation = tuple[str, int, int, Certainty, Resolution, bool]


class Dependency(NamedTuple):
    """One edge as `check` reads it: its ends, its kind and where it is seen."""

    source: str
    target: str
    kind: EdgeKind
    locations: frozenset[RawLocation]


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


class FrameworkApps(Model):
    """The apps the framework's own configuration names, read statically."""

    settings: str | None = Field(
        default=None, description="Django's settings module (named by manage.py, wsgi or asgi)"
    )
    apps: tuple[str, ...] = Field(
        default=(), description="Packages of the repository the configuration names as apps"
    )
    source: Literal["INSTALLED_APPS", "AppConfig"] = Field(
        description="INSTALLED_APPS of the settings, or (where it is computed) the AppConfig"
        " classes of the code"
    )
    note: str | None = Field(default=None, description="Why the settings could not be read")


class GraphSummary(Model):
    """What a run reports about its graph (counts and the files not analyzed), without the
    nodes and edges: kept with the outputs, so a run that reuses them can report it."""

    repo: str
    stats: GraphStats
    unresolved: tuple[Unresolved, ...] = ()
    failures: tuple[ParseFailure, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    excluded: tuple[Exclusion, ...] = ()


class CodeDependencies(Model):
    """What `decompose check` reads of the code as it is now: the ids of the graph's nodes and
    its edges (`dependencies`, in no particular order), without a model per node, edge and
    location, and without the statistics, entry points and transactions only `analyze` writes.
    Building those models is about half of the graph stage on saleor."""

    repo: str = Field(description="Name of the analyzed repository folder")
    roots: tuple[str, ...]
    modules: frozenset[str]
    symbols: frozenset[str] = Field(description="module:Name of each class and function")
    dependencies: tuple[Dependency, ...]
    failures: tuple[ParseFailure, ...]


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
    excluded: tuple[Exclusion, ...] = Field(
        default=(), description="What the default exclusions left out (tests, migrations, ...)"
    )
    apps: FrameworkApps | None = Field(
        default=None, description="Django's apps, where the project declares them"
    )

    def summary(self) -> GraphSummary:
        """The counts and the files not analyzed, without the nodes and edges."""
        return GraphSummary(
            repo=self.repo,
            stats=self.stats,
            unresolved=self.unresolved,
            failures=self.failures,
            skipped=self.skipped,
            excluded=self.excluded,
        )

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
