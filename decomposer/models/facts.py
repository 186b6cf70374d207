"""Models of stages 1 and 2: the files found and the facts extracted from each."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from itertools import repeat
from types import GenericAlias
from typing import Annotated, Any, Literal, NamedTuple, get_type_hints

from pydantic import Discriminator, Field, GetPydanticSchema, Tag
from pydantic_core import core_schema

from decomposer.models.base import Model

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
    "outside-project",
    "symlink-outside",
    "symlink-duplicate",
]


class SkippedFile(Model):
    """A file discovery found but will not analyze, with the reason."""

    path: str = Field(description="POSIX path relative to the repository root")
    reason: SkipReason = Field(description="Why the file is skipped")
    message: str = Field(description="What happened and what to do about it")


ExclusionKind = Literal[
    "tests", "migrations", "scripts", "build output", "virtual environment", "docs",
    "hidden", "--exclude",
]  # fmt: skip


class Exclusion(Model):
    """A folder or file a default (or --exclude) leaves out, with the Python files in it."""

    kind: ExclusionKind = Field(description="Which rule left it out")
    path: str = Field(description="POSIX path relative to the repository root")
    files: int = Field(ge=0, description="Python files in it (1 for a file)")


class SourceTree(Model):
    """Everything discovery found: the source roots, the files to analyze, and what it skipped."""

    name: str = Field(description="The repository folder's name")
    roots: tuple[str, ...] = Field(description="Source roots, POSIX, relative to the repo root")
    files: tuple[SourceFile, ...] = Field(description="Files to analyze, sorted by path")
    skipped: tuple[SkippedFile, ...] = Field(description="Files skipped, sorted by path")
    excluded: tuple[Exclusion, ...] = Field(
        default=(), description="What the default exclusions left out, sorted by path"
    )


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


class Binding(NamedTuple):
    """A module-level name bound by an import: lets the graph stage follow re-exports. A typed
    NamedTuple, as ImportRef: a repository has about as many as imports (saleor 17,927)."""

    name: str
    target: str  # absolute dotted name the local name stands for


ParamKind = Literal[
    "positional_only", "positional", "var_positional", "keyword_only", "var_keyword"
]


class Parameter(Model):
    """One parameter of a function, as declared."""

    name: str
    kind: ParamKind
    annotation: str | None = Field(
        default=None, description="Its annotation, names made absolute (`shop.models.Order`)"
    )
    default: str | None = Field(default=None, description="Its default as written; None: required")


class FunctionSignature(Model):
    """What a top-level function takes and returns: the shape of an operation on the wire."""

    parameters: tuple[Parameter, ...] = ()
    returns: str | None = Field(default=None, description="Return annotation, names absolute")
    is_async: bool = False


class OrmColumn(Model):
    """A column an ORM model class declares, as written (names made absolute)."""

    name: str = Field(description="Column (attribute) name; `<field>_id` for a Django FK")
    annotation: str | None = Field(default=None, description="SQLAlchemy: T of Mapped[T]")
    sql_type: str | None = Field(
        default=None, description="The type as written: `sqlalchemy.String(64)`, a Django field"
    )
    nullable: bool | None = Field(default=None, description="As declared; None: not said")
    primary_key: bool = False
    unique: bool = False
    foreign_key: str | None = Field(
        default=None, description="`table.column` (SQLAlchemy) or the target model (Django)"
    )
    default: str | None = Field(
        default=None, description="Its default as written (a constant, a callable, ...)"
    )


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
    signature: FunctionSignature | None = Field(default=None, description="Set on functions")
    columns: tuple[OrmColumn, ...] = Field(default=(), description="Set on ORM model classes")


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


class InstalledApps(Model):
    """A Django settings module's INSTALLED_APPS, read without running it."""

    apps: tuple[str, ...] = Field(description="The entries that are string literals, in order")
    line: int = Field(ge=1, description="Line of the first assignment")
    computed: str | None = Field(
        default=None,
        description="Why the list cannot be read in full (a call, a name not bound to a literal"
        " list), if so: the apps then come from the AppConfig classes and the folder tree",
    )


class Diagnostic(Model):
    """A finding about code the analyzer could not resolve statically."""

    code: str = Field(description="Stable id, e.g. DYN001")
    message: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)


def _as_rows(kind: type[tuple[Any, ...]]) -> GetPydanticSchema:
    """The schema of `tuple[kind, ...]` for a typed NamedTuple `kind`: each row is validated as
    a plain tuple of the fields' types, in pydantic's core, and then made a `kind` without a
    Python call per row (validated as NamedTuples, every row is a call of `kind(...)`: saleor's
    facts cache holds 88,000 rows)."""
    row = GenericAlias(tuple, tuple(get_type_hints(kind).values()))
    return GetPydanticSchema(
        lambda _, handler: core_schema.no_info_after_validator_function(
            partial(_named, kind), handler(GenericAlias(tuple, (row, ...)))
        )
    )


def _named(kind: type[tuple[Any, ...]], rows: Iterable[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Each of `rows` (plain tuples of a NamedTuple's fields) as a `kind`, made by
    `tuple.__new__` without a Python call per row."""
    return tuple(map(tuple.__new__, repeat(kind), rows))


class ModuleFacts(Model):
    """Everything extracted from one module."""

    module: str
    path: str
    is_package: bool
    lines: int = Field(ge=0, description="Physical lines in the file")
    imports: Annotated[tuple[ImportRef, ...], _as_rows(ImportRef)] = ()
    bindings: Annotated[tuple[Binding, ...], _as_rows(Binding)] = ()
    definitions: tuple[Definition, ...] = ()
    references: Annotated[tuple[SymbolRef, ...], _as_rows(SymbolRef)] = ()
    orm_refs: Annotated[tuple[OrmRef, ...], _as_rows(OrmRef)] = ()
    entry_points: tuple[EntryPoint, ...] = ()
    routers: tuple[RouterDef, ...] = ()
    app_configs: tuple[AppConfigDef, ...] = ()
    django_settings: str | None = Field(
        default=None, description="The settings module it names in DJANGO_SETTINGS_MODULE"
    )
    installed_apps: InstalledApps | None = None
    transactions: tuple[Transaction, ...] = ()
    emits: tuple[EventEmit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (from the worker processes that extract the facts) with its imports,
        references and ORM refs as plain tuples: pickling and unpickling 70,000 NamedTuples
        one at a time cost about 0.3 s of saleor's extraction."""
        state = self.__getstate__()
        fields = dict(state["__dict__"])
        for name in _NAMED_TUPLES:
            fields[name] = tuple(map(tuple, fields[name]))
        return (_unpickle_facts, ({**state, "__dict__": fields},))


_NAMED_TUPLES = {
    "imports": ImportRef,
    "bindings": Binding,
    "references": SymbolRef,
    "orm_refs": OrmRef,
}


def _unpickle_facts(state: dict[str, Any]) -> ModuleFacts:
    fields = state["__dict__"]
    for name, kind in _NAMED_TUPLES.items():
        fields[name] = _named(kind, fields[name])
    facts = ModuleFacts.__new__(ModuleFacts)
    facts.__setstate__(state)
    return facts


FailureReason = Literal[
    "syntax-error",
    "python2",
    "newer-syntax",
    "encoding",
    "nul-bytes",
    "too-deep",
    "too-slow",
    "too-much-memory",
    "crash",
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


def _result_kind(value: Any) -> str:
    """The kind of a cached result: a model, or its JSON object (facts name their module)."""
    if isinstance(value, dict):
        return "facts" if "module" in value else "failure"
    return "facts" if isinstance(value, ModuleFacts) else "failure"


class CachedFacts(Model):
    """What extraction gave for one file, kept for the next run while its content is unchanged."""

    digest: str = Field(description="sha256 of the file's bytes")
    module: str
    is_package: bool
    # Tagged: a plain union validates each entry against both models (strict, then lax), which
    # was 60% of loading saleor's cache (1.1 s of a run where one file changed).
    result: Annotated[
        Annotated[ModuleFacts, Tag("facts")] | Annotated[ParseFailure, Tag("failure")],
        Discriminator(_result_kind),
    ]


class FactsCache(Model):
    """The facts cache: plain data (JSON), never code, keyed by the tool and extractor versions.

    A file that does not validate as this model (corrupt, foreign, from another version) is
    ignored and rebuilt.
    """

    format: Literal["decomposer-facts-cache"] = "decomposer-facts-cache"
    tool_version: str
    extractor_version: str
    repo: str = Field(description="The analyzed repository's absolute path")
    entries: dict[str, CachedFacts] = Field(description="By repo-relative POSIX path")
