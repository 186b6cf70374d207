"""Models of stage 7b, services: what one generated service needs, computed once from the plan.

Names, ports, path prefixes and queue names come from the `InfraSpec` (the same numbers the
Terraform uses); this adds what only the code needs: routes, clients, events and tables.
"""

from __future__ import annotations

from pydantic import Field

from decomposer.models.base import Model
from decomposer.models.plan import Datastore, Style


class FieldSpec(Model):
    """One field of an operation's request model."""

    name: str = Field(description="Attribute name (the parameter's, or with a trailing _)")
    alias: str | None = Field(default=None, description="Wire name, when it differs from name")
    type: str = Field(description="Python type, as code of the generated module")
    default: str | None = Field(default=None, description="Default as code; None: required")
    description: str


class MonolithCall(Model):
    """--with-code: the copied monolith function an operation's handler calls."""

    module: str = Field(description="Module of the copy, importable from <package>/monolith/")
    function: str
    positional_only: tuple[str, ...] = Field(description="Fields passed by position")
    blocked: str | None = Field(
        default=None, description="Why the handler cannot call it as it is (ORM arguments)"
    )


class OperationRoute(Model):
    """One operation the service exposes: `POST <path_prefix><name>`."""

    name: str = Field(description="Python function name and last URL segment")
    path: str = Field(description="Full path, under the service's path prefix")
    style: Style = Field(description="rest: callers need the answer; sqs: fire-and-forget")
    target: str = Field(description="The monolith node that implements it today")
    callers: tuple[str, ...] = Field(description="Contexts that call it")
    title: str = Field(description="CamelCase name: <title>Request, <title>Response")
    typed: bool = Field(description="The target's signature is known: its request is closed")
    fields: tuple[FieldSpec, ...] = ()
    result_type: str = Field(default="Any", description="Python type of the response's result")
    imports: tuple[str, ...] = Field(default=(), description="Imports its types need")
    result_imports: tuple[str, ...] = Field(default=(), description="Imports its result needs")
    notes: tuple[str, ...] = Field(default=(), description="What the request could not keep")
    result_notes: tuple[str, ...] = Field(default=(), description="What the result could not keep")
    example_request: str = Field(default="{}", description="A valid request body (JSON)")
    example_result: str = Field(default="null", description="A valid result (JSON)")
    call: MonolithCall | None = None


class ClientSpec(Model):
    """A typed client of another service: the REST operations this service calls on it."""

    service: str = Field(description="The called context")
    class_name: str = Field(description="`CatalogClient`")
    url_setting: str = Field(description="Settings field holding its base URL")
    local_url: str = Field(description="Base URL when every service runs on one machine")
    path_prefix: str
    operations: tuple[OperationRoute, ...] = Field(description="Operations it calls, by name")


class EventInbox(Model):
    """The inbox a published event is sent to: its consuming context's."""

    consumer: str = Field(description="Consuming context")
    queue: str = Field(description="The consumer's inbox, without the project prefix")


class PublishedEvent(Model):
    """An event this service sends, and the inbox of every service that consumes it: one
    message each (an event several contexts consume reaches them all)."""

    name: str
    inboxes: tuple[EventInbox, ...] = Field(min_length=1, description="By consumer, sorted")


class ColumnSpec(Model):
    """A column of an owned table, as the generated SQLAlchemy model and migration write it."""

    attribute: str = Field(description="Attribute of the model class (name, or name_)")
    name: str = Field(description="Column name")
    sql_type: str = Field(description="SQLAlchemy type, as code: String(64)")
    python: str = Field(description="Python type, as code")
    nullable: bool
    primary_key: bool
    unique: bool
    foreign_key: str | None = Field(description="`table.column` in the same database")
    default: str | None = Field(default=None, description="Constant default, as code")
    note: str | None = None


class TableSpec(Model):
    """An entity this service owns: a SQLAlchemy model or a DynamoDB item type."""

    class_name: str = Field(description="Model class name, as in the monolith")
    table: str = Field(description="Table name (or DynamoDB item type)")
    source: str = Field(description="The monolith's ORM model (module:Class)")
    columns: tuple[ColumnSpec, ...] = Field(
        default=(), description="Its columns; only an `id` key when the plan names none"
    )


class ServiceSpec(Model):
    """Everything the templates of one service need."""

    name: str = Field(description="Context name")
    package: str = Field(description="Python package: `<name>_service` (never shadows stdlib)")
    title: str = Field(description="CamelCase name, for class names")
    aws_name: str
    port: int = Field(description="Port in the container (the Terraform target group's)")
    local_port: int = Field(description="Port when every service runs on one machine")
    path_prefix: str = Field(description="/<segment>/: every route lives under it")
    datastore: Datastore
    is_relational: bool
    database_scheme: str | None = Field(
        default=None, description="SQLAlchemy URL scheme (driver) of its Aurora database"
    )
    operations: tuple[OperationRoute, ...]
    schema_imports: tuple[str, ...] = Field(
        default=(), description="Imports the wire types of its own operations need"
    )
    clients: tuple[ClientSpec, ...]
    client_imports: tuple[str, ...] = Field(
        default=(), description="Imports the wire types of the operations it calls need"
    )
    publishes: tuple[PublishedEvent, ...]
    publishes_to: tuple[str, ...] = Field(
        default=(), description="Every inbox it sends events to (without prefix), sorted"
    )
    consumes: tuple[str, ...] = Field(description="Events arriving in its inbox, sorted")
    inbox: str | None = Field(description="Its inbox queue (without prefix), if it consumes")
    tables: tuple[TableSpec, ...] = Field(description="Owned tables, referenced ones first")
    column_types: tuple[str, ...] = Field(
        default=(), description="SQLAlchemy names the tables' columns use (for imports)"
    )
    data_imports: tuple[str, ...] = Field(
        default=(), description="Imports the Python types of the tables' columns need"
    )
    entry_points: tuple[str, ...] = Field(description="`GET /path -> module:handler` lines")
    modules: tuple[str, ...] = Field(description="Monolith modules that move here")
    symbols: tuple[str, ...] = Field(description="Monolith symbols that move here")
    depends_on: tuple[str, ...] = Field(description="Every context it needs, sorted")
    has_monolith_code: bool = Field(
        default=False,
        description="--with-code: the monolith's code is copied into <package>/monolith/",
    )


class ServiceSet(Model):
    """All services of a plan, for the files that span them (docker-compose.yml)."""

    project: str
    services: tuple[ServiceSpec, ...]
    queues: tuple[str, ...] = Field(description="Every inbox, without the project prefix")
