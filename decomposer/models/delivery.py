"""Models of stage 7b, delivery: the remote state, the roles GitHub Actions assumes, and the
environments each service's pipeline deploys to, computed once from the `InfraSpec`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from decomposer.models.base import Model

RolePurpose = Literal["plan", "apply", "deploy"]


class DeployRole(Model):
    """An IAM role one kind of GitHub Actions job assumes through OIDC, in one environment."""

    name: str = Field(description="IAM role name, at most 64 characters")
    environment: str = Field(description="Deployment environment: dev, prod")
    github_environment: str = Field(
        description="The GitHub environment whose jobs alone may assume it (the trust's sub)"
    )
    purpose: RolePurpose = Field(
        description="plan: read-only Terraform plan; apply: Terraform apply; deploy: one service"
    )
    service: str | None = Field(default=None, description="aws_name of the deployed service")
    state_key: str = Field(description="Key of its environment's Terraform state")
    grants: str = Field(description="What it may do, in a few words (the bootstrap README)")


class EnvironmentState(Model):
    """One environment's Terraform state in the shared bucket, and who plans and applies it."""

    environment: str
    key: str = Field(description="Object key of its state: <project>/<environment>/...")
    backend_file: str = Field(description="-backend-config file, relative to infra/")
    plan_environment: str = Field(description="GitHub environment of its plan job")
    plan_role: str
    apply_role: str


class DeployStage(Model):
    """One environment a service's pipeline deploys to, in order: dev, then prod."""

    environment: str
    job: str = Field(description="Workflow job id: deploy-<environment>")
    needs: str = Field(description="The job it waits for: build, or the previous stage")
    role: str = Field(description="IAM role it assumes (DeployRole.name)")
    repository: str = Field(description="ECR repository (immutable tags)")
    group: str = Field(description="Auto Scaling group it rolls")
    parameter: str = Field(description="SSM parameter holding the image tag the group runs")
    is_approved: bool = Field(
        description="Runs only after a required reviewer of its GitHub environment approves"
    )


class DeliverySpec(Model):
    """The bootstrap root's resources and what the workflows need to reach them."""

    project: str
    state_bucket_prefix: str = Field(
        description="State bucket name without its suffix, the AWS account id (names are global)"
    )
    lock_table: str = Field(description="DynamoDB table of Terraform's state locks")
    github_oidc_url: str
    states: tuple[EnvironmentState, ...]
    roles: tuple[DeployRole, ...] = Field(description="Sorted by name")
    role_width: int = Field(description="Longest quoted role name, to align Terraform maps")
