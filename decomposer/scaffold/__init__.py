"""Stage 7b: plan -> the files of the target architecture (Terraform, CI/CD pipelines).

Each part renders from the one `InfraSpec` computed for the plan; the generated services
(issue 5) will be one more part.
"""

from __future__ import annotations

from collections.abc import Callable

from decomposer.errors import PlanError
from decomposer.models import DecompositionPlan, InfraSpec, RenderedFile, ScaffoldOptions
from decomposer.scaffold import infra, pipelines, services

Part = Callable[[InfraSpec], list[RenderedFile]]
PARTS: tuple[Part, ...] = (infra.render_infra, pipelines.render_pipelines)

# Public functions


def render_scaffold(plan: DecompositionPlan, *, options: ScaffoldOptions) -> list[RenderedFile]:
    """Every generated file, sorted by path.

    Raises:
        PlanError: the plan cannot become infrastructure (see `infra.build_spec`).
    """
    spec = infra.build_spec(plan, options)
    rendered = [file for part in PARTS for file in part(spec)]
    rendered += services.render_services(plan, spec)
    paths = [file.path for file in rendered]
    doubles = sorted({p for p in paths if paths.count(p) > 1})
    if doubles:
        raise PlanError(f"two parts of the scaffold write {', '.join(doubles)}")
    return sorted(rendered, key=lambda file: file.path)
