"""Models of stage 7b: what the scaffold generates, computed once from the plan.

Every name, CIDR block, port, path prefix and queue is decided here, in Python, so the
templates only loop and interpolate, and the limits of AWS names are checked in one place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from decomposer.models.base import Model
from decomposer.models.plan import Datastore

EdgeMode = Literal["nlb", "alb-direct"]


class ScaffoldOptions(Model):
    """Choices of `decompose scaffold` that the plan does not make."""

    vpc_link: EdgeMode = Field(
        default="nlb",
        description="nlb: REST API -> VPC link -> NLB -> ALB (hashicorp/aws 5.x); alb-direct:"
        " REST API -> VPC link v2 -> ALB (hashicorp/aws 6.25 or newer)",
    )


class ServiceInfra(Model):
    """One service's share of the infrastructure."""

    name: str = Field(description="Context name; also its Terraform module suffix")
    aws_name: str = Field(description="Lowercase, hyphenated, at most 30 characters")
    short_name: str = Field(description="At most 10 characters, for 32-character names (ALB)")
    path_segment: str = Field(description="First path segment the API routes to the service")
    path_prefix: str = Field(description="/<segment>/")
    port: int = Field(ge=1, le=65535)
    listener_priority: int = Field(ge=1, le=50000)
    datastore: Datastore
    database_scheme: str | None = Field(
        default=None, description="SQLAlchemy URL scheme of its Aurora database, if it has one"
    )
    database_user: str | None = Field(
        default=None, description="Its login role in that database (IAM authentication)"
    )
    calls: tuple[str, ...] = Field(
        default=(), description="Services whose REST operations it calls (through the ALB)"
    )


class QueueInfra(Model):
    """One consuming service's inbox: every event it consumes, from every producer."""

    consumer: str = Field(description="Consuming context")
    aws_name: str = Field(description="<consumer>-inbox, at most 36 characters")
    producers: tuple[str, ...] = Field(description="Contexts that send to it, sorted")
    events: tuple[str, ...] = Field(description="Event names it carries, sorted")
    producer_width: int = Field(description="Longest producer name, to align Terraform maps")


class EdgeResource(Model):
    """One path part of the REST API, under the root or under another resource."""

    path: str = Field(description="Full path at the edge, the resource's key: /catalog/{slug}")
    parent: str = Field(description="Path of the parent resource ('' for the API's root)")
    path_part: str = Field(description="Last segment: a literal, {name} or {name+}")
    depth: int = Field(ge=1, description="Segments from the root")


class EdgeMethod(Model):
    """A route the API Gateway serves: one method of one resource, forwarded to a service."""

    key: str = Field(description="`GET /catalog/{slug}`: unique, the Terraform key")
    resource: str = Field(description="Path of its resource ('' for the root)")
    http_method: str = Field(description="GET, POST, ..., or ANY")
    service: str = Field(description="Context that serves it")
    upstream: str = Field(description="Path on the internal ALB, with the same {parameters}")
    parameters: tuple[str, ...] = Field(description="Path parameters it forwards")
    public: bool = Field(description="The plan marks it public: no authorizer")
    source: str = Field(description="What the plan routes: the entry point or operation")
    query_parameters: tuple[str, ...] | None = Field(
        default=None,
        description="Query parameters the route reads, None where the plan does not know",
    )
    cache_key: tuple[str, ...] = Field(
        default=(),
        description="Request parameters of the stage cache's key; () with `cached` false",
    )
    cached: bool = Field(
        default=False,
        description="The stage caches its answers: a GET whose query parameters are all known",
    )
    method_path: str = Field(default="", description="`<resource path>/<METHOD>` of its settings")


class EdgeSpec(Model):
    """What the API Gateway routes, and what it deliberately does not.

    Allow-list: only the monolith's HTTP entry points and the operations the plan marks
    `public` are routed; every other operation is internal (its callers reach it through the
    internal ALB, inside the VPC).
    """

    resources: tuple[EdgeResource, ...] = Field(description="Parents before children")
    methods: tuple[EdgeMethod, ...]
    depths: tuple[int, ...] = Field(description="1..deepest resource (a Terraform block each)")
    internal: tuple[str, ...] = Field(description="Routes only other services call (not routed)")
    left_out: tuple[str, ...] = Field(description="Entry points not routed, with the reason")
    resource_width: int = Field(description="Longest quoted resource key, to align maps")
    method_width: int = Field(description="Longest quoted method key, to align maps")


class DatabaseInfra(Model):
    """One relational service's database: where it lives, and who connects to it."""

    service: str = Field(description="Owning context; also the database's name")
    engine: str = Field(description="aurora-postgresql or aurora-mysql")
    user: str = Field(description="Its least-privilege login (IAM authentication), not the master")
    own_cluster: str = Field(description="Key of its own cluster (the default layout)")
    shared_cluster: str = Field(description="Key of the engine's shared cluster (dev option)")


class DatabaseCluster(Model):
    """An Aurora cluster of one layout: a service's own, or one engine's shared cluster."""

    key: str = Field(description="Terraform key: the service, or the engine")
    aws_name: str = Field(description="Suffix of its identifier: hyphenated, at most 30")
    engine: str
    engine_version: str = Field(description="Pinned: upgrades are deliberate")
    parameter_group_family: str
    databases: tuple[str, ...] = Field(description="Services whose databases it holds, sorted")


class EnvironmentInfra(Model):
    """The sizing of one environment's tfvars; the cost estimate reads the same numbers."""

    name: str
    region: str
    availability_zones: tuple[str, str]
    min_size: int = Field(ge=0)
    max_size: int = Field(ge=1)
    instance_type: str
    db_instance_class: str = Field(description="db.serverless, or a provisioned class")
    db_instance_count: int = Field(ge=1)
    db_min_capacity: float = Field(ge=0, description="ACUs; 0 pauses an idle cluster")
    db_max_capacity: float = Field(ge=1)
    shared_database_cluster: bool
    cache_size_gb: str | None = Field(description="Stage cache size; None: no cache cluster")
    deletion_protection: bool
    manage_api_gateway_account: bool = Field(
        description="Owns the per-region API Gateway account settings (its logging role)"
    )


class CostLine(Model):
    """One resource kind's share of an environment's monthly estimate."""

    item: str
    quantity: float
    unit: str
    unit_usd: float
    monthly_usd: float


class CostEstimate(Model):
    """An environment's estimated monthly cost at list prices, from what the Terraform creates."""

    environment: str
    lines: tuple[CostLine, ...]
    total_usd: float
    assumptions: tuple[str, ...]


class InfraSpec(Model):
    """Everything the Terraform and CI templates need, for one plan."""

    repo: str
    project: str = Field(description="Lowercase, at most 12 characters: first part of names")
    edge_mode: EdgeMode
    root_provider_constraint: str
    module_provider_constraint: str
    vpc_cidr: str
    public_subnets: tuple[str, ...]
    private_subnets: tuple[str, ...]
    services: tuple[ServiceInfra, ...]
    queues: tuple[QueueInfra, ...]
    edge: EdgeSpec = Field(description="The API Gateway's routes")
    databases: tuple[DatabaseInfra, ...] = Field(description="Relational services, sorted")
    own_clusters: tuple[DatabaseCluster, ...] = Field(description="One cluster per database")
    shared_clusters: tuple[DatabaseCluster, ...] = Field(description="One cluster per engine")
    environments: tuple[EnvironmentInfra, ...] = Field(description="dev, then prod")
    costs: tuple[CostEstimate, ...] = Field(description="Monthly estimate per environment")
    price_date: str = Field(description="When the list prices of the estimate were read")
    break_even_acus: float = Field(
        description="Average ACUs above which a provisioned db.t4g.medium costs less"
    )
    database_width: int = Field(description="Longest relational service name, to align maps")
    shared_width: int = Field(description="Longest shared cluster key, to align maps")
    name_width: int = Field(description="Longest service name, to align Terraform maps")
    queue_width: int = Field(description="Longest consumer name, to align Terraform maps")


class ServicePipeline(Model):
    """What one service's CI/CD workflow needs: where its code is, what it deploys to."""

    project: str
    service: str = Field(description="Context name")
    aws_name: str = Field(description="Service part of its resource names")
    source_path: str = Field(description="Folder of the service's code, relative to DIR")
