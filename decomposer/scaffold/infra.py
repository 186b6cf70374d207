"""Stage 7b, infrastructure: plan -> InfraSpec (every name computed and checked) -> Terraform.

Names: `<project>-<environment>-<service>`. The project part is at most 12 characters and
the environment at most 8 (a validated Terraform variable), so a service part of at most 30
characters keeps every name within AWS's 63-character limits, and a 10-character short name
keeps target group names within 32. A name cut to fit ends in a hash of the whole name, so
the same plan always gives the same names and two long names never collide.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

from decomposer import templating
from decomposer.errors import PlanError
from decomposer.models import (
    DatabaseCluster,
    DatabaseInfra,
    DecompositionPlan,
    EnvironmentInfra,
    InfraSpec,
    QueueInfra,
    RenderedFile,
    ScaffoldOptions,
    ServiceInfra,
)
from decomposer.scaffold import cost
from decomposer.scaffold.edge import build_edge

SERVICE_PORT = 8000
VPC_CIDR = "10.0.0.0/16"
PROJECT_MAX = 12
SERVICE_MAX = 30
SHORT_MAX = 10
# A context name: also a Terraform identifier, a URL segment and an Aurora database name.
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_EVENT = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# The SQLAlchemy driver each Aurora engine is reached with (the services depend on it).
DATABASE_SCHEME = {"aurora-postgresql": "postgresql+psycopg", "aurora-mysql": "mysql+pymysql"}
# Pinned engine versions, recent enough for Serverless v2 to scale to 0 ACUs, and the family of
# their cluster parameter group. Upgrades are deliberate: change them here, or in the module.
ENGINE_VERSION = {
    "aurora-postgresql": ("16.6", "aurora-postgresql16"),
    "aurora-mysql": ("8.0.mysql_aurora.3.08.0", "aurora-mysql8.0"),
}
# A shared cluster is named for its engine.
_SHARED_CLUSTER = {"aurora-postgresql": "postgresql", "aurora-mysql": "mysql"}
# Alarms each part creates (the cost estimate counts them).
_ALARMS = {"service": 4, "queue": 2, "edge": 2, "serverless": 3}
_PROVIDER = {"nlb": ("~> 5.100.0", ">= 5.0"), "alb-direct": ("~> 6.25", ">= 6.25")}
_MODULES = {
    "network": ("main.tf", "variables.tf", "outputs.tf", "versions.tf"),
    "encryption": ("main.tf", "variables.tf", "outputs.tf", "versions.tf"),
    "edge": ("main.tf.j2", "routes.tf.j2", "variables.tf", "outputs.tf", "versions.tf.j2"),
    "service": ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "user_data.sh.tftpl"),
    "aurora": ("main.tf", "variables.tf", "outputs.tf", "versions.tf"),
    "dynamodb": ("main.tf", "variables.tf", "outputs.tf", "versions.tf"),
    "queue": ("main.tf", "variables.tf", "outputs.tf", "versions.tf"),
    "observability": ("main.tf", "variables.tf", "outputs.tf", "versions.tf"),
}
_ROOT = (
    "README.md.j2",
    "bootstrap-databases.sh",
    "main.tf.j2",
    "variables.tf",
    "outputs.tf.j2",
    "versions.tf.j2",
    "providers.tf",
    "backend.tf.example",
    "environments/dev.tfvars.j2",
    "environments/prod.tfvars.j2",
    "environments/emulator.tfvars",
)

# The environments the scaffold writes tfvars for, and estimates. dev: the least that runs
# the whole system (one small instance per service; one Serverless v2 cluster per engine that
# pauses when idle; no stage cache, since a cache cluster bills by the hour whether it is hit
# or not). prod: two instances per service behind the ALB, one cluster per service with a
# reader in a second zone, and the stage cache.
ENVIRONMENTS = (
    EnvironmentInfra(
        name="dev",
        region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"),
        min_size=1,
        max_size=2,
        instance_type="t3.micro",
        db_instance_class="db.serverless",
        db_instance_count=1,
        db_min_capacity=0,
        db_max_capacity=4,
        shared_database_cluster=True,
        cache_size_gb=None,
        deletion_protection=False,
        manage_api_gateway_account=True,
    ),
    EnvironmentInfra(
        name="prod",
        region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"),
        min_size=2,
        max_size=6,
        instance_type="t3.small",
        db_instance_class="db.serverless",
        db_instance_count=2,
        db_min_capacity=0.5,
        db_max_capacity=16,
        shared_database_cluster=False,
        cache_size_gb="0.5",
        deletion_protection=True,
        manage_api_gateway_account=False,
    ),
)

# Public functions


def build_spec(plan: DecompositionPlan, options: ScaffoldOptions) -> InfraSpec:
    """Every name, network range, route and queue of the plan's infrastructure.

    Raises:
        PlanError: no contexts, or a name that cannot become a resource name.
    """
    if not plan.contexts:
        raise PlanError(
            "the plan has no contexts: there is no service to scaffold",
            hint="rerun `decompose analyze`, or add a context to the plan",
        )
    names = sorted(context.name for context in plan.contexts)
    for name in names:
        _check_name(name, where=f"contexts.{name}")
    services = tuple(
        _service(
            context.name,
            context.datastore.kind,
            priority=10 * (index + 1),
            calls=tuple(sorted(rest_calls(plan, context.name))),
        )
        for index, context in enumerate(sorted(plan.contexts, key=lambda c: c.name))
    )
    _check_unique([s.aws_name for s in services], what="service names")
    _check_unique([s.short_name for s in services], what="short service names")
    vpc = ipaddress.ip_network(VPC_CIDR)
    subnets = list(vpc.subnets(new_prefix=24))
    root, module = _PROVIDER[options.vpc_link]
    queues = _queues(plan, set(names))
    databases = tuple(_database(s) for s in services if s.database_scheme)
    own = tuple(_cluster(d.own_cluster, d.engine, (d.service,)) for d in databases)
    shared = tuple(
        _cluster(key, engine, tuple(d.service for d in databases if d.engine == engine))
        for engine, key in sorted(_SHARED_CLUSTER.items())
        if any(d.engine == engine for d in databases)
    )
    environments = ENVIRONMENTS
    alarms = _ALARMS["service"] * len(services) + _ALARMS["queue"] * len(queues) + _ALARMS["edge"]
    costs = tuple(
        cost.estimate(
            env,
            services=len(services),
            clusters=shared if env.shared_database_cluster else own,
            alarms=alarms
            + _ALARMS["serverless"] * len(shared if env.shared_database_cluster else own),
            nlb=options.vpc_link == "nlb",
        )
        for env in environments
    )
    return InfraSpec(
        repo=plan.repo,
        project=project_name(plan.repo),
        edge_mode=options.vpc_link,
        root_provider_constraint=root,
        module_provider_constraint=module,
        vpc_cidr=str(vpc),
        public_subnets=(str(subnets[0]), str(subnets[1])),
        private_subnets=(str(subnets[10]), str(subnets[11])),
        services=services,
        queues=queues,
        edge=build_edge(plan, services),
        databases=databases,
        own_clusters=own,
        shared_clusters=shared,
        environments=environments,
        costs=costs,
        price_date=cost.PRICE_DATE,
        break_even_acus=cost.break_even_acus(),
        database_width=max((len(d.service) for d in databases), default=0),
        shared_width=max((len(c.key) for c in shared), default=0),
        name_width=max(len(n) for n in names),
        queue_width=max((len(q.consumer) for q in queues), default=0),
    )


def render_infra(spec: InfraSpec) -> list[RenderedFile]:
    """The Terraform tree under infra/: the root and its local modules."""
    rendered = [_render(f"terraform/root/{t}", f"infra/{t}", spec) for t in _ROOT]
    for module, templates in _MODULES.items():
        for template in templates:
            rendered.append(
                _render(
                    f"terraform/modules/{module}/{template}",
                    f"infra/modules/{module}/{template}",
                    spec,
                )
            )
    return rendered


def rest_calls(plan: DecompositionPlan, name: str) -> dict[str, set[str]]:
    """The REST operations context `name` calls, by the context that exposes them.

    Operations sent as events go by SQS; calls within the context stay in-process.
    """
    calls: dict[str, set[str]] = {}
    for dependency in plan.dependencies:
        if dependency.source != name or dependency.target == name:
            continue
        rest = set(dependency.operations) - set(dependency.events)
        if rest:
            calls.setdefault(dependency.target, set()).update(rest)
    return calls


def project_name(repo: str) -> str:
    """The repository name as the first part of resource names: lowercase, hyphenated."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", repo.lower()).strip("-")
    if not cleaned:
        return "app"
    if not cleaned[0].isalpha():
        cleaned = f"p-{cleaned}"
    return fit(cleaned, PROJECT_MAX)


def fit(value: str, limit: int) -> str:
    """`value` if it fits, else its start and a hash of all of it (deterministic, unique)."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:6]
    return f"{value[: limit - 7].rstrip('-')}-{digest}"


# Private functions


def _service(name: str, datastore: str, *, priority: int, calls: tuple[str, ...]) -> ServiceInfra:
    hyphenated = re.sub(r"-+", "-", name.replace("_", "-")).strip("-")
    return ServiceInfra(
        name=name,
        aws_name=fit(hyphenated, SERVICE_MAX),
        short_name=fit(hyphenated, SHORT_MAX),
        path_segment=name,
        path_prefix=f"/{name}/",
        port=SERVICE_PORT,
        listener_priority=priority,
        datastore=datastore,  # type: ignore[arg-type]  # checked by the plan model
        database_scheme=DATABASE_SCHEME.get(datastore),
        database_user=f"{name}_service" if datastore in DATABASE_SCHEME else None,
        calls=calls,
    )


def _database(service: ServiceInfra) -> DatabaseInfra:
    return DatabaseInfra(
        service=service.name,
        engine=service.datastore,
        user=service.database_user or "",
        own_cluster=service.name,
        shared_cluster=_SHARED_CLUSTER[service.datastore],
    )


def _cluster(key: str, engine: str, databases: tuple[str, ...]) -> DatabaseCluster:
    version, family = ENGINE_VERSION[engine]
    return DatabaseCluster(
        key=key,
        aws_name=fit(re.sub(r"-+", "-", key.replace("_", "-")).strip("-"), SERVICE_MAX),
        engine=engine,
        engine_version=version,
        parameter_group_family=family,
        databases=tuple(sorted(databases)),
    )


def _queues(plan: DecompositionPlan, names: set[str]) -> tuple[QueueInfra, ...]:
    """One inbox per consuming service, fed by every event the plan sends it.

    Events are fire-and-forget whatever the style of the dependency that carries them (a
    dependency is `rest` as soon as one of its calls needs an answer), so every event of
    every dependency goes through the consumer's inbox; REST calls go through the API.
    """
    events: dict[str, set[str]] = {}
    for dependency in plan.dependencies:
        if not dependency.events:
            continue
        for end in (dependency.source, dependency.target):
            if end not in names:
                raise PlanError(
                    f"dependencies: {dependency.source} -> {dependency.target} names"
                    f" {end!r}, which is not a context of the plan",
                    hint="fix the dependency, or rerun `decompose score` on the edited plan",
                )
        for event in dependency.events:
            if not _EVENT.match(event):
                raise PlanError(
                    f"dependencies: {dependency.source} -> {dependency.target}: event"
                    f" {event!r} must be lowercase letters, digits and '_', at most 64",
                    hint="rename the event in the plan",
                )
        if dependency.source != dependency.target:
            events.setdefault(dependency.target, set()).update(dependency.events)
    producers = plan.inboxes()  # the report's diagram and workspace.dsl draw the same inboxes
    return tuple(
        QueueInfra(
            consumer=consumer,
            aws_name=fit(re.sub(r"-+", "-", consumer.replace("_", "-")), SERVICE_MAX) + "-inbox",
            producers=producers[consumer],
            events=tuple(sorted(events[consumer])),
            producer_width=max(len(p) for p in producers[consumer]),
        )
        for consumer in sorted(producers)
    )


def _check_name(name: str, *, where: str) -> None:
    if not _NAME.match(name):
        raise PlanError(
            f"{where}: {name!r} cannot name a service: it must be lowercase letters, digits"
            " and '_', start with a letter, at most 40 characters",
            hint="rename the context in the plan",
        )


def _check_unique(values: list[str], *, what: str) -> None:
    doubles = sorted({v for v in values if values.count(v) > 1})
    if doubles:
        raise PlanError(
            f"two contexts give the same {what}: {', '.join(doubles)}",
            hint="rename one of the contexts in the plan",
        )


def _render(template: str, output: str, spec: InfraSpec) -> RenderedFile:
    if template.endswith(".j2"):
        return RenderedFile(
            path=output.removesuffix(".j2"), content=templating.render(template, infra=spec)
        )
    return RenderedFile(path=output, content=templating.read_static(template))
