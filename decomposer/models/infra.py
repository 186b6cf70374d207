"""Models of stage 7b: what the scaffold generates, computed once from the plan.

Every name, CIDR block, port, path prefix and queue is decided here, in Python, so the
templates only loop and interpolate, and the limits of AWS names are checked in one place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from decomposer.models.base import Model
from decomposer.models.delivery import DeployStage
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
    name_width: int = Field(description="Longest service name, to align Terraform maps")
    queue_width: int = Field(description="Longest consumer name, to align Terraform maps")


class ServicePipeline(Model):
    """What one service's CI/CD workflow needs: where its code is, what it deploys to."""

    project: str
    service: str = Field(description="Context name")
    aws_name: str = Field(description="Service part of its resource names")
    source_path: str = Field(description="Folder of the service's code, relative to DIR")
    image: str = Field(description="Local name of the image built once and promoted")
    stages: tuple[DeployStage, ...] = Field(
        description="Environments it deploys to, in order; each after the one before it"
    )
