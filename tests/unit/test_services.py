"""Stage 7b, services: the ServiceSpec computed from a plan and the files rendered from it."""

from __future__ import annotations

import ast
import json
from pathlib import Path, PurePosixPath

import pytest

from decomposer.errors import PlanError
from decomposer.models import (
    RESERVED_OPERATIONS,
    DatastoreChoice,
    DecompositionPlan,
    ScaffoldOptions,
    ServiceSet,
)
from decomposer.scaffold.infra import build_spec
from decomposer.scaffold.services import build_services, render_services

ROOT = Path(__file__).resolve().parent.parent.parent
PLAN = ROOT / "tests" / "golden" / "scaffold" / "plan.json"


@pytest.fixture(scope="module")
def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


def services_of(plan: DecompositionPlan) -> ServiceSet:
    return build_services(plan, build_spec(plan, ScaffoldOptions()))


def rendered_of(plan: DecompositionPlan) -> dict[str, str]:
    spec = build_spec(plan, ScaffoldOptions())
    return {file.path: file.content for file in render_services(plan, spec)}


def edited(plan: DecompositionPlan, context: str, **changes: object) -> DecompositionPlan:
    # model_copy skips validation, as a hand-edited plan that the scaffold must re-check
    contexts = tuple(
        c.model_copy(update=changes) if c.name == context else c for c in plan.contexts
    )
    return plan.model_copy(update={"contexts": contexts})


def test_every_context_becomes_a_service(plan: DecompositionPlan) -> None:
    names = [service.name for service in services_of(plan).services]
    assert names == sorted(context.name for context in plan.contexts)


def test_ports_prefixes_and_names_are_the_infrastructures(plan: DecompositionPlan) -> None:
    spec = build_spec(plan, ScaffoldOptions())
    infra = {s.name: s for s in spec.services}
    for service in services_of(plan).services:
        assert (service.port, service.path_prefix, service.aws_name) == (
            infra[service.name].port,
            infra[service.name].path_prefix,
            infra[service.name].aws_name,
        )


def test_the_inbox_and_its_events_are_the_infrastructures_queue(plan: DecompositionPlan) -> None:
    queues = {q.consumer: q for q in build_spec(plan, ScaffoldOptions()).queues}
    for service in services_of(plan).services:
        queue = queues.get(service.name)
        assert service.inbox == (queue.aws_name if queue else None)
        assert service.consumes == (queue.events if queue else ())


def test_every_published_event_goes_to_its_consumers_inbox(plan: DecompositionPlan) -> None:
    services = {s.name: s for s in services_of(plan).services}
    for service in services.values():
        for event in service.publishes:
            for inbox in event.inboxes:
                assert inbox.queue == services[inbox.consumer].inbox
                assert event.name in services[inbox.consumer].consumes
        assert service.publishes_to == tuple(
            sorted({i.queue for e in service.publishes for i in e.inboxes})
        )


def test_an_event_two_contexts_consume_is_one_method_sending_to_both(
    plan: DecompositionPlan,
) -> None:
    # pretix's nav_event signal had four consumers: the service got four methods of one name,
    # and only the last (one inbox) was left
    sent = next(d for d in plan.dependencies if d.events)
    linked = {(d.source, d.target) for d in plan.dependencies}
    other = next(
        c.name
        for c in plan.contexts
        if c.name not in (sent.source, sent.target) and (sent.source, c.name) not in linked
    )
    edited = plan.model_copy(
        update={"dependencies": (*plan.dependencies, sent.model_copy(update={"target": other}))}
    )
    service = next(s for s in services_of(edited).services if s.name == sent.source)
    names = [e.name for e in service.publishes]
    assert len(names) == len(set(names))
    (event,) = (e for e in service.publishes if e.name == sent.events[0])
    assert [i.consumer for i in event.inboxes] == sorted([sent.target, other])


def test_clients_carry_rest_calls_only_events_go_by_sqs(plan: DecompositionPlan) -> None:
    orders = next(s for s in services_of(plan).services if s.name == "orders")
    clients = {
        client.service: tuple(op.name for op in client.operations) for client in orders.clients
    }
    assert "payments" not in clients  # charge and refund_order are events
    assert clients["inventory"] == ("availability",)
    assert "reserve_stock" in {e.name for e in orders.publishes}


def test_one_route_per_operation_under_the_path_prefix(plan: DecompositionPlan) -> None:
    for service, context in zip(
        services_of(plan).services, sorted(plan.contexts, key=lambda c: c.name), strict=True
    ):
        assert [op.path for op in service.operations] == sorted(
            f"/{context.name}/{op.name}" for op in context.operations
        )


def test_packages_never_shadow_the_standard_library(plan: DecompositionPlan) -> None:
    assert all(s.package == f"{s.name}_service" for s in services_of(plan).services)


@pytest.mark.parametrize("name", ["class", "import", "health", "close"])
def test_an_operation_name_that_cannot_be_code_is_refused(
    plan: DecompositionPlan, name: str
) -> None:
    catalog = next(c for c in plan.contexts if c.name == "catalog")
    operation = catalog.operations[0].model_copy(update={"name": name})
    with pytest.raises(PlanError, match=f"contexts.catalog.operations.{name}"):
        services_of(edited(plan, "catalog", operations=(operation, *catalog.operations[1:])))


def test_reserved_operations_cover_every_public_method_of_the_client_base() -> None:
    # A client method named after an operation must never replace one of ServiceClient's.
    http = ROOT / "templates" / "service" / "package" / "http.py"
    (base,) = [
        node
        for node in ast.walk(ast.parse(http.read_text()))
        if isinstance(node, ast.ClassDef) and node.name == "ServiceClient"
    ]
    public = {
        item.name
        for item in base.body
        if isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
    }
    assert public and public <= RESERVED_OPERATIONS


def test_a_table_name_that_is_not_plain_sql_is_refused(plan: DecompositionPlan) -> None:
    catalog = next(c for c in plan.contexts if c.name == "catalog")
    owned = catalog.owned_data[0].model_copy(update={"table": "x; drop table y"})
    with pytest.raises(PlanError, match="is not a plain SQL name"):
        services_of(edited(plan, "catalog", owned_data=(owned,)))


def test_every_file_stays_under_its_service_folder(plan: DecompositionPlan) -> None:
    for path in rendered_of(plan):
        parts = PurePosixPath(path).parts
        assert ".." not in parts and not PurePosixPath(path).is_absolute()
        assert path == "docker-compose.yml" or parts[0] == "services"


def test_every_generated_python_file_parses(plan: DecompositionPlan) -> None:
    for path, content in rendered_of(plan).items():
        if path.endswith(".py"):
            ast.parse(content, filename=path)


def test_the_readme_lists_the_entry_points_that_move_here(plan: DecompositionPlan) -> None:
    readme = rendered_of(plan)["services/catalog/README.md"]
    assert "GET /catalog/products -> shop.catalog.views:list_products" in readme
    assert "`shop.catalog.services`" in readme


def test_the_data_layer_follows_the_datastore(plan: DecompositionPlan) -> None:
    dynamo = edited(plan, "catalog", datastore=DatastoreChoice(kind="dynamodb", evidence=()))
    rendered = rendered_of(dynamo)
    assert "boto3.resource(" in rendered["services/catalog/catalog_service/data.py"]
    assert "services/catalog/alembic.ini" not in rendered
    relational = rendered_of(plan)["services/orders/orders_service/data.py"]
    assert "class Order(Base):" in relational and '__tablename__ = "orders"' in relational


def test_a_service_without_data_remembers_messages_in_memory(plan: DecompositionPlan) -> None:
    data = rendered_of(plan)["services/notifications/notifications_service/data.py"]
    assert "self._handled: set[str] = set()" in data


def test_rendering_is_deterministic(plan: DecompositionPlan) -> None:
    assert rendered_of(plan) == rendered_of(plan)


def compose_errors(document: object) -> list[str]:
    """What the Compose specification's JSON schema (as vendored by check-jsonschema) finds."""
    jsonschema = pytest.importorskip("jsonschema")
    vendor = pytest.importorskip("check_jsonschema.builtin_schemas.vendor")
    from importlib.resources import files

    schema = json.loads(files(vendor).joinpath("compose-spec.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.mark.parametrize("kind", ["aurora-postgresql", "aurora-mysql", "dynamodb", "none"])
def test_docker_compose_follows_the_compose_spec_and_wires_every_service(
    plan: DecompositionPlan, kind: str
) -> None:
    import yaml

    changed = edited(plan, "orders", datastore=DatastoreChoice(kind=kind, evidence=("test",)))
    rendered = rendered_of(changed)
    document = yaml.safe_load(rendered["docker-compose.yml"])

    assert compose_errors(document) == []
    services = document["services"]
    for context in changed.contexts:
        service = services[context.name]
        assert f"{service['build']}/Dockerfile".removeprefix("./") in rendered
        assert set(service["depends_on"]) <= set(services)
        for key, value in service["environment"].items():
            if key.endswith("_SERVICE_URL"):
                assert value.split("//")[1].split(":")[0] in services, key
    orders = services["orders"]
    if kind.startswith("aurora"):
        assert orders["depends_on"]["orders-db"] == {"condition": "service_healthy"}
        scheme = "postgresql+psycopg" if kind == "aurora-postgresql" else "mysql+pymysql"
        assert orders["environment"]["DATABASE_URL"].startswith(f"{scheme}://")
        assert "healthcheck" in services["orders-db"]
    else:
        assert "orders-db" not in services and "DATABASE_URL" not in orders["environment"]


def test_a_broken_compose_file_is_caught_by_the_spec() -> None:
    assert compose_errors({"services": {"a": {"ports": 5, "enviroment": {}}}, "servicez": {}})


def test_the_readme_says_once_and_plainly_what_answers_501(plan: DecompositionPlan) -> None:
    """Issue 12.8: "`handlers.py`;the others answer 501", and 501 said twice."""
    readme = rendered_of(plan)["services/catalog/README.md"]
    assert ";the" not in readme and "the others answer 501" not in readme
    assert "until its code is moved into\n`catalog_service/handlers.py`." in readme
