"""Stage 7b, CI/CD: InfraSpec -> one GitHub Actions workflow per service, one for the infra."""

from __future__ import annotations

from decomposer import templating
from decomposer.models import InfraSpec, RenderedFile, ServicePipeline

WORKFLOWS = ".github/workflows"

# Public functions


def render_pipelines(spec: InfraSpec) -> list[RenderedFile]:
    """A workflow per service that runs only when that service's folder changes, and the
    infrastructure workflow (plan on pull requests, apply on main after approval)."""
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
            path=f"{WORKFLOWS}/infra.yml", content=templating.render("ci/infra.yml.j2", infra=spec)
        )
    )
    return rendered


def pipeline_of(spec: InfraSpec, name: str) -> ServicePipeline:
    """What the workflow of service `name` needs."""
    service = next(s for s in spec.services if s.name == name)
    return ServicePipeline(
        project=spec.project,
        service=service.name,
        aws_name=service.aws_name,
        source_path=f"services/{service.name}",
    )
