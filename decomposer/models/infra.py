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
    name_width: int = Field(description="Longest service name, to align Terraform maps")
    queue_width: int = Field(description="Longest consumer name, to align Terraform maps")


class ServicePipeline(Model):
    """What one service's CI/CD workflow needs: where its code is, what it deploys to."""

    project: str
    service: str = Field(description="Context name")
    aws_name: str = Field(description="Service part of its resource names")
    source_path: str = Field(description="Folder of the service's code, relative to DIR")
