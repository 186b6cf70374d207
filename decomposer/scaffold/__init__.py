"""Stage 7b: plan -> the files of the target architecture (Terraform, CI/CD pipelines).

Each part renders from the one `InfraSpec` computed for the plan; the generated services are
one more part, and with --with-code the monolith's code is copied into them, rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from libcst.metadata import MetadataWrapper

from decomposer.errors import PlanError
from decomposer.models import (
    DecompositionPlan,
    InfraSpec,
    ModuleSource,
    RenderedFile,
    ScaffoldOptions,
    ServiceMigration,
)
from decomposer.scaffold import infra, pipelines, rewrite, services, syntax
from decomposer.scaffold.boundary import Boundary

Part = Callable[[InfraSpec], list[RenderedFile]]
PARTS: tuple[Part, ...] = (infra.render_infra, pipelines.render_pipelines)

# Public functions


def render_scaffold(
    plan: DecompositionPlan,
    *,
    options: ScaffoldOptions,
    migrations: tuple[ServiceMigration, ...] = (),
) -> list[RenderedFile]:
    """Every generated file, sorted by path; with `migrations` (see `migrate_code`), the
    monolith's code copied into each service too.

    Raises:
        PlanError: the plan cannot become infrastructure (see `infra.build_spec`).
        UserError: a generated file does not parse (a bug: see `syntax.check_syntax`).
    """
    spec = infra.build_spec(plan, options)
    rendered = [file for part in PARTS for file in part(spec)]
    rendered += services.render_services(plan, spec, migrations=migrations)
    paths = [file.path for file in rendered]
    doubles = sorted({p for p in paths if paths.count(p) > 1})
    if doubles:
        raise PlanError(f"two parts of the scaffold write {', '.join(doubles)}")
    # The monolith's code copied by --with-code is the monolith's: it may use syntax this
    # Python cannot parse (bridge.py answers 501 for it), so only what we generate is checked.
    copies = {copy.destination for migration in migrations for copy in migration.copies}
    syntax.check_syntax(file for file in rendered if file.path not in copies)
    return sorted(rendered, key=lambda file: file.path)


def migrate_code(
    plan: DecompositionPlan, *, options: ScaffoldOptions, sources: Mapping[str, ModuleSource]
) -> tuple[ServiceMigration, ...]:
    """--with-code: each context's modules and symbols, rewritten to call the other services
    through the generated clients and events (`rewrite.migrate_service`).

    Raises:
        PlanError: a module of the plan is not among `sources` (another monolith).
    """
    missing = sorted(
        {
            f"contexts.{c.name}: {unit}"
            for c in plan.contexts
            for unit in c.modules
            if unit not in sources
        }
        | {
            f"contexts.{c.name}: {unit}"
            for c in plan.contexts
            for unit in c.symbols
            if unit.partition(":")[0] not in sources
        }
    )
    if missing:
        shown = "; ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise PlanError(
            f"{len(missing)} unit(s) of the plan have no module in the monolith: {shown}",
            hint="pass the monolith the plan was made from to --with-code",
        )
    service_set = services.build_services(plan, infra.build_spec(plan, options))
    trees: dict[str, tuple[str, MetadataWrapper]] = {}
    return tuple(
        rewrite.migrate_service(Boundary.of(plan, service, sources, trees=trees))
        for service in service_set.services
    )
