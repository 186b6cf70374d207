"""Stage 7b, services: plan + InfraSpec -> ServiceSpec per context -> services/<name>/ files.

Ports, path prefixes, service names and inbox queues are read from the `InfraSpec`, so the
code and the Terraform agree; this module adds routes, clients, events and tables, and checks
that every plan name can become a Python identifier and a file name under the output folder.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter

from decomposer import sqltypes, templating, wire
from decomposer.errors import PlanError
from decomposer.models import (
    RESERVED_OPERATIONS,
    BoundedContext,
    ClientSpec,
    ColumnSpec,
    DecompositionPlan,
    EventInbox,
    FieldSpec,
    InfraSpec,
    ModelColumn,
    MonolithCall,
    Operation,
    OperationRoute,
    PublishedEvent,
    RenderedFile,
    ServiceMigration,
    ServiceSet,
    ServiceSpec,
    TableSpec,
)
from decomposer.scaffold.infra import DATABASE_SCHEME, rest_calls

LOCAL_PORT_BASE = 8001
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,79}$")
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# Attribute names a SQLAlchemy declarative class keeps for itself (a trailing _ is added).
_RESERVED_ATTRIBUTES = frozenset({"metadata", "registry", "__tablename__", "__table__"})
_RELATIONAL = frozenset({"aurora-postgresql", "aurora-mysql"})

# (template under templates/service/, output under services/<name>/, when)
# when: "always", "relational", "dynamodb", "inbox"
_FILES: tuple[tuple[str, str, str], ...] = (
    ("pyproject.toml.j2", "pyproject.toml", "always"),
    ("README.md.j2", "README.md", "always"),
    ("Dockerfile.j2", "Dockerfile", "always"),
    ("dockerignore", ".dockerignore", "always"),
    ("package/__init__.py.j2", "{package}/__init__.py", "always"),
    ("package/main.py.j2", "{package}/main.py", "always"),
    ("package/settings.py.j2", "{package}/settings.py", "always"),
    ("package/logs.py", "{package}/logs.py", "always"),
    ("package/tracing.py", "{package}/tracing.py", "always"),
    ("package/schemas.py.j2", "{package}/schemas.py", "always"),
    ("package/runtime.py.j2", "{package}/runtime.py", "always"),
    ("package/routes.py.j2", "{package}/routes.py", "always"),
    ("package/handlers.py.j2", "{package}/handlers.py", "always"),
    ("package/http.py", "{package}/http.py", "always"),
    ("package/clients.py.j2", "{package}/clients.py", "always"),
    ("package/messaging.py", "{package}/messaging.py", "always"),
    ("package/events.py.j2", "{package}/events.py", "always"),
    ("package/data.py.j2", "{package}/data.py", "always"),
    ("alembic.ini.j2", "alembic.ini", "relational"),
    ("migrations/env.py.j2", "migrations/env.py", "relational"),
    ("migrations/script.py.mako", "migrations/script.py.mako", "relational"),
    ("migrations/versions/0001_initial.py.j2", "migrations/versions/0001_initial.py", "relational"),
    ("tests/__init__.py", "tests/__init__.py", "always"),
    ("tests/conftest.py.j2", "tests/conftest.py", "always"),
    ("tests/test_app.py.j2", "tests/test_app.py", "always"),
    ("tests/test_tracing.py.j2", "tests/test_tracing.py", "always"),
    ("tests/test_messaging.py.j2", "tests/test_messaging.py", "always"),
    ("tests/test_data.py.j2", "tests/test_data.py", "always"),
    ("tests/test_contracts.py.j2", "tests/test_contracts.py", "always"),
)

# The files the generated README tells the team to edit: created once, never overwritten.
_TEAMS = frozenset({"README.md", "{package}/handlers.py", "{package}/events.py"})

# Public functions


def build_services(plan: DecompositionPlan, spec: InfraSpec) -> ServiceSet:
    """A ServiceSpec per context, with the names, ports and queues of `spec`.

    Raises:
        PlanError: a name of the plan cannot become Python code or a file name.
    """
    contexts = {context.name: context for context in plan.contexts}
    local_ports = {s.name: LOCAL_PORT_BASE + i for i, s in enumerate(spec.services)}
    services = tuple(
        _service(contexts[infra.name], plan, spec, local_ports) for infra in spec.services
    )
    return ServiceSet(
        project=spec.project,
        services=services,
        queues=tuple(queue.aws_name for queue in spec.queues),
    )


def render_services(
    plan: DecompositionPlan, spec: InfraSpec, *, migrations: tuple[ServiceMigration, ...] = ()
) -> list[RenderedFile]:
    """services/<name>/ for every context, and docker-compose.yml to run them all locally;
    with `migrations` (--with-code), each service's copy of the monolith's code too."""
    service_set = build_services(plan, spec)
    moved = {migration.service: migration for migration in migrations}
    contexts = {context.name: context for context in plan.contexts}
    rendered = [
        file
        for service in service_set.services
        for file in _render_service(
            service,
            moved.get(service.name),
            {op.name: op for op in contexts[service.name].operations},
        )
    ]
    rendered.append(
        RenderedFile(
            path="docker-compose.yml",
            content=templating.render("service/docker-compose.yml.j2", services=service_set),
        )
    )
    return rendered


# Private functions


def _service(
    context: BoundedContext,
    plan: DecompositionPlan,
    spec: InfraSpec,
    local_ports: dict[str, int],
) -> ServiceSpec:
    infra = next(s for s in spec.services if s.name == context.name)
    where = f"contexts.{context.name}"
    _identifier(context.name, where=where)
    operations = tuple(
        _route(op, infra.path_prefix, where=f"{where}.operations.{op.name}")
        for op in sorted(context.operations, key=lambda op: op.name)
    )
    _unique([op.name for op in operations], where=f"{where}.operations")
    inbox = next((q for q in spec.queues if q.consumer == context.name), None)
    clients = _clients(context.name, plan, spec, local_ports)
    tables = _tables(context, where=where)
    publishes = _publishes(context.name, plan, spec)
    return ServiceSpec(
        name=context.name,
        package=f"{context.name}_service",
        title="".join(part.capitalize() for part in context.name.split("_")),
        aws_name=infra.aws_name,
        port=infra.port,
        local_port=local_ports[context.name],
        path_prefix=infra.path_prefix,
        datastore=context.datastore.kind,
        is_relational=context.datastore.kind in _RELATIONAL,
        database_scheme=DATABASE_SCHEME.get(context.datastore.kind),
        operations=operations,
        schema_imports=_imports(operations),
        clients=clients,
        client_imports=_imports([op for client in clients for op in client.operations]),
        publishes=publishes,
        publishes_to=tuple(sorted({i.queue for event in publishes for i in event.inboxes})),
        consumes=tuple(_identifier(e, where=f"{where}.consumes") for e in inbox.events)
        if inbox
        else (),
        inbox=inbox.aws_name if inbox else None,
        tables=tables,
        column_types=_column_types(tables),
        data_imports=tuple(
            wire.imports(column.python for owned in context.owned_data for column in owned.columns)
        ),
        entry_points=tuple(
            f"{' '.join(ep.methods) + ' ' if ep.methods else ''}{ep.name} -> {ep.handler}"
            f" ({ep.kind}, {ep.location})"
            for ep in context.entry_points
        ),
        modules=context.modules,
        symbols=context.symbols,
        depends_on=tuple(
            sorted(
                {d.target for d in plan.dependencies if d.source == context.name} - {context.name}
            )
        ),
    )


def _clients(
    name: str, plan: DecompositionPlan, spec: InfraSpec, local_ports: dict[str, int]
) -> tuple[ClientSpec, ...]:
    """REST operations called on each other context; operations sent as events go by SQS."""
    calls = rest_calls(plan, name)
    for target, operations in calls.items():
        for operation in operations:
            _identifier(
                operation, where=f"dependencies.{name}->{target}.operations", operation=True
            )
    clients = []
    contexts = {context.name: context for context in plan.contexts}
    for target in sorted(calls):
        infra = next((s for s in spec.services if s.name == target), None)
        if infra is None:
            raise PlanError(
                f"dependencies: {name} -> {target} names {target!r}, which is not a context",
                hint="fix the dependency, or rerun `decompose score` on the edited plan",
            )
        exposed = {op.name: op for op in contexts[target].operations}
        for op in sorted(calls[target] - exposed.keys()):
            raise PlanError(
                f"dependencies: {name} -> {target} calls {op!r}, which"
                f" contexts.{target}.operations does not list",
                hint="add the operation to the context, or drop it from the dependency",
            )
        clients.append(
            ClientSpec(
                service=target,
                class_name="".join(p.capitalize() for p in target.split("_")) + "Client",
                url_setting=f"{target}_service_url",
                local_url=f"http://localhost:{local_ports[target]}",
                path_prefix=infra.path_prefix,
                operations=tuple(
                    _route(exposed[op], infra.path_prefix, where=f"contexts.{target}.operations")
                    for op in sorted(calls[target])
                ),
            )
        )
    return tuple(clients)


def _route(op: Operation, prefix: str, *, where: str) -> OperationRoute:
    """The route of an operation: its request fields and result, from the plan's wire types."""
    name = _identifier(op.name, where=where, operation=True)
    fields, wire_types = [], []
    for parameter in op.parameters:
        wire_type = _wire(parameter.type, where=f"{where}.parameters.{parameter.name}")
        default = None if parameter.required else _default(parameter.default)
        if default is None and not parameter.required:
            # A default the wire cannot carry (an expression): the field may be left out, and
            # the monolith's function then applies its own default.
            default = "None"
            if "None" not in wire_type.split(" | "):
                wire_type = f"{wire_type} | None"
        wire_types.append(wire_type)
        attribute = wire.attribute(parameter.name)
        fields.append(
            FieldSpec(
                name=attribute,
                alias=parameter.name if attribute != parameter.name else None,
                type=wire.python(wire_type),
                default=default,
                description=f"{parameter.name}: {parameter.annotation or 'not annotated'}",
            )
        )
    _unique([f.name for f in fields], where=f"{where}.parameters (as request fields)")
    result = _wire(op.returns.type, where=f"{where}.returns") if op.returns else "Any"
    notes = [*op.notes]
    notes += [f"{p.name}: {n}" for p in op.parameters for n in p.notes]
    return OperationRoute(
        name=name,
        path=f"{prefix}{name}",
        style=op.style,
        target=op.target,
        callers=op.callers,
        title="".join(part.capitalize() for part in name.split("_")),
        typed=op.returns is not None,
        fields=tuple(fields),
        result_type=wire.python(result),
        imports=tuple(wire.imports([*wire_types, result])),
        result_imports=tuple(wire.imports([result])),
        notes=tuple(notes),
        result_notes=op.returns.notes if op.returns else (),
        example_request=json.dumps(
            {p.name: wire.example(p.type) for p in op.parameters}, sort_keys=True
        ),
        example_result=json.dumps(wire.example(result)),
    )


def _wire(value: str, *, where: str) -> str:
    try:
        return wire.check(value)
    except ValueError as exc:
        raise PlanError(f"{where}: {exc}", hint="use a wire type of the plan's schema") from None


def _default(text: str | None) -> str | None:
    """The default as code, if it is a constant JSON can carry (None, a bool, number, string)."""
    if text is None:
        return None
    try:
        value = wire.constant(text)
    except ValueError:
        return None
    return "None" if value is None else _literal(value)


def _imports(operations: Iterable[OperationRoute]) -> tuple[str, ...]:
    return tuple(sorted({line for op in operations for line in op.imports}))


def _publishes(name: str, plan: DecompositionPlan, spec: InfraSpec) -> tuple[PublishedEvent, ...]:
    """Each event the context sends, with the inbox of every context that consumes it (one
    method per event, sending to all of them: not one per consumer under the same name)."""
    inboxes = {queue.consumer: queue.aws_name for queue in spec.queues}
    consumers: dict[str, set[str]] = {}
    for dependency in plan.dependencies:
        if dependency.source == name and dependency.target != name:
            for event in dependency.events:
                _identifier(event, where=f"dependencies.{name}->{dependency.target}.events")
                consumers.setdefault(event, set()).add(dependency.target)
    return tuple(
        PublishedEvent(
            name=event,
            inboxes=tuple(
                EventInbox(consumer=consumer, queue=inboxes[consumer])
                for consumer in sorted(consumers[event])
            ),
        )
        for event in sorted(consumers)
    )


def _tables(context: BoundedContext, *, where: str) -> tuple[TableSpec, ...]:
    tables = []
    for owned in context.owned_data:
        class_name = owned.model.rpartition(":")[2].rpartition(".")[2]
        table = owned.table or templating.snake_case(class_name)
        if not _CLASS.match(class_name) or keyword.iskeyword(class_name):
            raise PlanError(
                f"{where}.owned_data: {owned.model!r} does not end in a class name",
                hint="write the model as module:Class",
            )
        if not _TABLE.match(table):
            raise PlanError(
                f"{where}.owned_data.{class_name}: table {table!r} is not a plain SQL name",
                hint="use letters, digits and '_' (at most 63)",
            )
        columns = tuple(
            _column(column, where=f"{where}.owned_data.{class_name}.columns.{column.name}")
            for column in owned.columns
        )
        _unique([c.name for c in columns], where=f"{where}.owned_data.{class_name}.columns")
        if columns and not any(c.primary_key for c in columns):
            raise PlanError(
                f"{where}.owned_data.{class_name}: no column is the primary key",
                hint="mark one column primary_key: true",
            )
        tables.append(
            TableSpec(class_name=class_name, table=table, source=owned.model, columns=columns)
        )
    _unique([t.class_name for t in tables], where=f"{where}.owned_data")
    _unique([t.table for t in tables], where=f"{where}.owned_data (tables)")
    names = {t.table: {c.name for c in t.columns} or {"id"} for t in tables}
    for spec in tables:
        for column in spec.columns:
            table, _, target = (column.foreign_key or "").partition(".")
            if column.foreign_key and target not in names.get(table, ()):
                raise PlanError(
                    f"{where}.owned_data.{spec.class_name}.columns.{column.name}: references"
                    f" {column.foreign_key}, which is no column of a table {context.name} owns",
                    hint="drop `references`, or own that table in this context",
                )
    return _referenced_first(sorted(tables, key=lambda t: t.class_name))


def _column(column: ModelColumn, *, where: str) -> ColumnSpec:
    if not _TABLE.match(column.name):
        raise PlanError(f"{where}: {column.name!r} is not a plain SQL name", hint="rename it")
    try:
        sql_type = sqltypes.check(column.type)
    except ValueError as exc:
        raise PlanError(f"{where}: {exc}", hint="use a type of the plan's schema") from None
    python = wire.python(_wire(column.python, where=f"{where}.python"))
    reserved = column.name in _RESERVED_ATTRIBUTES or keyword.iskeyword(column.name)
    return ColumnSpec(
        attribute=f"{column.name}_" if reserved else column.name,
        name=column.name,
        sql_type=sql_type,
        python=python,
        nullable=column.nullable and not column.primary_key,
        primary_key=column.primary_key,
        unique=column.unique,
        foreign_key=column.references,
        default=_literal(column.default),
        note=column.note,
    )


def _literal(value: bool | int | float | str | None) -> str | None:
    """A constant as Python code (strings in double quotes, as ruff formats them)."""
    if value is None:
        return None
    return templating.py_str(value) if isinstance(value, str) else repr(value)


def _column_types(tables: Iterable[TableSpec]) -> tuple[str, ...]:
    """The names the tables' columns import from sqlalchemy."""
    columns = [c for t in tables for c in t.columns]
    names = {c.sql_type.partition("(")[0] for c in columns}
    return tuple(sorted(names | ({"ForeignKey"} if any(c.foreign_key for c in columns) else set())))


def _referenced_first(tables: list[TableSpec]) -> tuple[TableSpec, ...]:
    """Tables in an order where each comes after those its foreign keys refer to (the order
    the migration creates them in); a cycle of references keeps the given order."""
    by_name = {t.table: t for t in tables}
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for spec in tables:
        targets = {(c.foreign_key or "").partition(".")[0] for c in spec.columns}
        sorter.add(spec.table, *sorted(targets & by_name.keys() - {spec.table}))
    try:
        return tuple(by_name[name] for name in sorter.static_order())
    except CycleError:
        return tuple(tables)


def _identifier(value: str, *, where: str, operation: bool = False) -> str:
    """`value` if it can be a Python identifier, a module-level name and a URL segment."""
    if not _IDENTIFIER.match(value) or keyword.iskeyword(value):
        raise PlanError(
            f"{where}: {value!r} cannot become Python code: use lowercase letters, digits"
            " and '_', start with a letter, no Python keyword",
            hint="rename it in the plan",
        )
    if operation and value in RESERVED_OPERATIONS:
        raise PlanError(
            f"{where}: an operation may not be called {value!r}: the generated service or"
            f" its client defines {value}() itself",
            hint="rename the operation in the plan (in its context and in the dependencies)",
        )
    return value


def _unique(values: list[str], *, where: str) -> None:
    doubles = sorted({v for v in values if values.count(v) > 1})
    if doubles:
        raise PlanError(f"{where}: {', '.join(doubles)} appear twice", hint="rename one")


def _render_service(
    service: ServiceSpec,
    migration: ServiceMigration | None = None,
    operations: Mapping[str, Operation] | None = None,
) -> list[RenderedFile]:
    if migration is not None:
        service = _with_code(service, migration, operations or {})
    wanted = {
        "always": True,
        "relational": service.is_relational,
        "dynamodb": service.datastore == "dynamodb",
        "inbox": service.inbox is not None,
    }
    rendered = []
    for template, output, when in _FILES:
        if not wanted[when]:
            continue
        path = f"services/{service.name}/{output.format(package=service.package)}"
        source = f"service/{template}"
        content = (
            templating.render(source, service=service)
            if template.endswith(".j2")
            else templating.read_static(source)
        )
        rendered.append(RenderedFile(path=path, content=content, is_teams=output in _TEAMS))
    return rendered + (_render_code(service, migration) if migration else [])


def _with_code(
    service: ServiceSpec, migration: ServiceMigration, operations: Mapping[str, Operation]
) -> ServiceSpec:
    """The service with each operation's handler pointed at the copy of its monolith function."""
    monolith = f"services/{service.name}/{service.package}/monolith/"
    copied: dict[str, str] = {}  # monolith module (or module:Name) -> module of its copy
    for copy in migration.copies:
        relative = copy.destination.removeprefix(monolith).removesuffix(".py")
        module = relative.removesuffix("/__init__").replace("/", ".")
        source, _, names = copy.source.partition(":")
        for name in names.split(", ") if names else ():
            copied[f"{source}:{name}"] = module
        if not names:
            copied[source] = module
    routes = []
    for route in service.operations:
        op = operations[route.name]
        source, _, function = op.target.partition(":")
        copied_to = copied.get(op.target) or copied.get(source)
        if copied_to is None or op.returns is None or "." in function:
            routes.append(route)
            continue
        models = sorted({m for p in op.parameters for m in p.models})
        blocked = (
            f"{op.target} takes the ORM model(s) {', '.join(models)}: load them from this"
            " service's store, then call the copy in monolith/"
            if models
            else None
        )
        call = MonolithCall(
            module=copied_to,
            function=function,
            positional_only=tuple(p.name for p in op.parameters if p.kind == "positional_only"),
            blocked=blocked,
        )
        routes.append(route.model_copy(update={"call": call}))
    return service.model_copy(update={"has_monolith_code": True, "operations": tuple(routes)})


def _render_code(service: ServiceSpec, migration: ServiceMigration) -> list[RenderedFile]:
    """--with-code: the copies, `outbound.py` that they call, and MIGRATION.md."""
    root = f"services/{service.name}"
    package_init = templating.read_static("service/package/monolith_package.py")
    return [
        RenderedFile(
            path=f"{root}/{service.package}/outbound.py",
            content=templating.render("service/package/outbound.py.j2", service=service),
        ),
        RenderedFile(
            path=f"{root}/{service.package}/bridge.py",
            content=templating.read_static("service/package/bridge.py"),
        ),
        RenderedFile(
            path=f"{root}/MIGRATION.md",
            content=templating.render(
                "service/MIGRATION.md.j2", migration=migration, service=service
            ),
        ),
        *(RenderedFile(path=c.destination, content=c.result.code) for c in migration.copies),
        *(RenderedFile(path=path, content=package_init) for path in migration.packages),
    ]
