"""Models of stage 7b, services: what one generated service needs, computed once from the plan.

Names, ports, path prefixes and queue names come from the `InfraSpec` (the same numbers the
Terraform uses); this adds what only the code needs: routes, clients, events and tables.
"""

from __future__ import annotations

from pydantic import Field

from decomposer.models.base import Model
from decomposer.models.plan import Datastore, Style


class OperationRoute(Model):
    """One operation the service exposes: `POST <path_prefix><name>`."""

    name: str = Field(description="Python function name and last URL segment")
    path: str = Field(description="Full path, under the service's path prefix")
    style: Style = Field(description="rest: callers need the answer; sqs: fire-and-forget")
    target: str = Field(description="The monolith node that implements it today")
    callers: tuple[str, ...] = Field(description="Contexts that call it")


class ClientSpec(Model):
    """A typed client of another service: the REST operations this service calls on it."""

    service: str = Field(description="The called context")
    class_name: str = Field(description="`CatalogClient`")
    url_setting: str = Field(description="Settings field holding its base URL")
    local_url: str = Field(description="Base URL when every service runs on one machine")
    path_prefix: str
    operations: tuple[str, ...] = Field(description="Operation names, sorted")


class PublishedEvent(Model):
    """An event this service sends, and the inbox of the service that consumes it."""

    name: str
    consumer: str = Field(description="Consuming context")
    queue: str = Field(description="The consumer's inbox, without the project prefix")


class TableSpec(Model):
    """An entity this service owns: a SQLAlchemy model or a DynamoDB item type."""

    class_name: str = Field(description="Model class name, as in the monolith")
    table: str = Field(description="Table name (or DynamoDB item type)")
    source: str = Field(description="The monolith's ORM model (module:Class)")


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
    clients: tuple[ClientSpec, ...]
    publishes: tuple[PublishedEvent, ...]
    consumes: tuple[str, ...] = Field(description="Events arriving in its inbox, sorted")
    inbox: str | None = Field(description="Its inbox queue (without prefix), if it consumes")
    tables: tuple[TableSpec, ...]
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
