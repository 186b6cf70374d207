"""Stage 7b, CI/CD: InfraSpec -> DeliverySpec -> the bootstrap root (state bucket, lock table,
GitHub OIDC provider, deploy roles), one GitHub Actions workflow per service, one for the infra.

Every environment keeps its Terraform state under its own key of one bucket; each kind of job
assumes its own role, which trusts only this repository's jobs of one GitHub environment.
"""

from __future__ import annotations

from decomposer import templating
from decomposer.models import (
    DeliverySpec,
    DeployRole,
    DeployStage,
    EnvironmentState,
    InfraSpec,
    RenderedFile,
    ServicePipeline,
)

WORKFLOWS = ".github/workflows"
BOOTSTRAP = "infra/bootstrap"
# The environments of infra/environments/*.tfvars the pipelines deploy to, in promotion order;
# the last is `prod`, whose GitHub environment requires a reviewer's approval.
ENVIRONMENTS = ("dev", "prod")
GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
_BOOTSTRAP_FILES = ("main.tf.j2", "variables.tf", "outputs.tf", "versions.tf", "README.md.j2")

# Public functions


def render_pipelines(spec: InfraSpec) -> list[RenderedFile]:
    """The bootstrap root and the backend configuration of each environment; a workflow per
    service that runs only when that service's folder changes (test, build once, deploy to
    dev, promote to prod after approval); the infrastructure workflow (plan on pull requests,
    apply on main after approval)."""
    delivery = build_delivery(spec)
    rendered = [
        RenderedFile(
            path=f"{WORKFLOWS}/service-{service.aws_name}.yml",
            content=templating.render(
                "ci/service.yml.j2", pipeline=pipeline_of(spec, service.name)
            ),
        )
        for service in spec.services
    ]
    rendered.append(
        RenderedFile(
            path=f"{WORKFLOWS}/infra.yml",
            content=templating.render("ci/infra.yml.j2", infra=spec, delivery=delivery),
        )
    )
    rendered += [
        RenderedFile(
            path=f"infra/{state.backend_file}",
            content=templating.render(
                "terraform/root/environments/backend.s3.tfbackend.j2",
                delivery=delivery,
                state=state,
            ),
        )
        for state in delivery.states
    ]
    for template in _BOOTSTRAP_FILES:
        path = f"{BOOTSTRAP}/{template.removesuffix('.j2')}"
        source = f"terraform/bootstrap/{template}"
        content = (
            templating.render(source, delivery=delivery)
            if template.endswith(".j2")
            else templating.read_static(source)
        )
        rendered.append(RenderedFile(path=path, content=content))
    return rendered


def build_delivery(spec: InfraSpec) -> DeliverySpec:
    """The state keys, lock table and roles of every environment the pipelines deploy to."""
    states = tuple(
        EnvironmentState(
            environment=environment,
            key=f"{spec.project}/{environment}/terraform.tfstate",
            backend_file=f"environments/{environment}.s3.tfbackend",
            plan_environment=f"{environment}-plan",
            plan_role=f"{spec.project}-{environment}-tf-plan",
            apply_role=f"{spec.project}-{environment}-tf-apply",
        )
        for environment in ENVIRONMENTS
    )
    roles = sorted(
        [role for state in states for role in _terraform_roles(spec.project, state)]
        + [
            _service_role(spec.project, state, service.aws_name)
            for state in states
            for service in spec.services
        ],
        key=lambda role: role.name,
    )
    return DeliverySpec(
        project=spec.project,
        state_bucket_prefix=f"{spec.project}-tfstate",
        lock_table=f"{spec.project}-terraform-locks",
        github_oidc_url=GITHUB_OIDC_URL,
        states=states,
        roles=tuple(roles),
        role_width=max(len(role.name) + 2 for role in roles),
    )


def pipeline_of(spec: InfraSpec, name: str) -> ServicePipeline:
    """What the workflow of service `name` needs: one stage per environment, in order."""
    service = next(s for s in spec.services if s.name == name)
    stages = []
    for index, environment in enumerate(ENVIRONMENTS):
        resource = f"{spec.project}-{environment}-{service.aws_name}"
        stages.append(
            DeployStage(
                environment=environment,
                job=f"deploy-{environment}",
                needs="build" if index == 0 else f"deploy-{ENVIRONMENTS[index - 1]}",
                role=_deploy_role(spec.project, environment, service.aws_name),
                repository=resource,
                group=resource,
                parameter=f"/services/{resource}/image-tag",
                is_approved=index > 0,
            )
        )
    return ServicePipeline(
        project=spec.project,
        service=service.name,
        aws_name=service.aws_name,
        source_path=f"services/{service.name}",
        image=f"{spec.project}-{service.aws_name}",
        stages=tuple(stages),
    )


# Private functions


def _terraform_roles(project: str, state: EnvironmentState) -> tuple[DeployRole, DeployRole]:
    """Who plans the environment (read-only) and who applies it."""
    return (
        DeployRole(
            name=state.plan_role,
            environment=state.environment,
            github_environment=state.plan_environment,
            purpose="plan",
            state_key=state.key,
            grants="read everything (ReadOnlyAccess), read its state, take the lock",
        ),
        DeployRole(
            name=state.apply_role,
            environment=state.environment,
            github_environment=state.environment,
            purpose="apply",
            state_key=state.key,
            grants=(
                "build the environment (PowerUserAccess; IAM only on"
                f" `{project}-{state.environment}-*`), write its state"
            ),
        ),
    )


def _service_role(project: str, state: EnvironmentState, service: str) -> DeployRole:
    """Who deploys one service to the environment."""
    return DeployRole(
        name=_deploy_role(project, state.environment, service),
        environment=state.environment,
        github_environment=state.environment,
        purpose="deploy",
        service=service,
        state_key=state.key,
        grants=(
            f"push the {service} image, record its tag, add a launch template version"
            " running it and roll its group onto it"
        ),
    )


def _deploy_role(project: str, environment: str, service: str) -> str:
    # At most 12 + 1 + 8 + 8 + 30 = 59 characters: within IAM's 64.
    return f"{project}-{environment}-deploy-{service}"
