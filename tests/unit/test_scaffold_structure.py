"""The generated Terraform, parsed (python-hcl2): every part of the architecture exists for
every service of the example plan."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from decomposer.models import DecompositionPlan, ScaffoldOptions
from decomposer.scaffold import render_scaffold

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"


@pytest.fixture(scope="module")
def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


@pytest.fixture(scope="module")
def parsed(plan: DecompositionPlan) -> dict[str, dict[str, Any]]:
    rendered = render_scaffold(plan, options=ScaffoldOptions())
    return {f.path: norm(hcl2.loads(f.content)) for f in rendered if f.path.endswith(".tf")}


def norm(value: Any) -> Any:
    """python-hcl2 wraps values and blocks in one-item lists, and (from version 7) keeps the
    quotes of labels and strings and marks blocks with `__is_block__`: undo all of that."""
    if isinstance(value, dict):
        return {unquote(k): norm(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return norm(value[0]) if len(value) == 1 else [norm(v) for v in value]
    return unquote(value) if isinstance(value, str) else value


def unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def modules(parsed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: body
        for block in as_list(parsed["infra/main.tf"]["module"])
        for name, body in block.items()
    }


def resources(parsed: dict[str, dict[str, Any]], module: str) -> dict[tuple[str, str], Any]:
    document = parsed[f"infra/modules/{module}/main.tf"]
    return {
        (kind, name): body
        for block in as_list(document.get("resource", []))
        for kind, named in block.items()
        for name, body in named.items()
    }


def test_each_services_http_entry_points_are_routed_in_api_gateway(
    parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    methods = parsed["infra/modules/edge/routes.tf"]["locals"]["methods"]
    served = {m["upstream"].split("/")[1] for m in methods.values()}
    with_routes = {
        c.name for c in plan.contexts if any(e.kind == "http_route" for e in c.entry_points)
    }
    assert served == with_routes
    assert "routes" not in modules(parsed)["edge"]
    edge = resources(parsed, "edge")
    assert edge[("aws_api_gateway_integration", "route")]["connection_type"] == "VPC_LINK"
    assert edge[("aws_api_gateway_authorizer", "this")]["identity_source"] == (
        "method.request.header.Authorization"
    )
    assert edge[("aws_api_gateway_stage", "this")]["cache_cluster_enabled"] is True
    assert ("aws_api_gateway_vpc_link", "this") in edge and ("aws_lb", "nlb") in edge


def test_each_service_has_target_group_scaling_policy_logs_and_alarms(
    parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    declared = modules(parsed)
    for context in plan.contexts:
        service = declared[f"service_{context.name}"]
        assert service["source"] == "./modules/service"
        assert service["path_prefix"] == f"/{context.name}/"
    service = resources(parsed, "service")
    assert ("aws_lb_target_group", "this") in service
    assert service[("aws_autoscaling_policy", "cpu")]["policy_type"] == "TargetTrackingScaling"
    assert ("aws_cloudwatch_log_group", "this") in service
    assert {"errors_5xx", "latency", "cpu"} <= {
        n for k, n in service if k == "aws_cloudwatch_metric_alarm"
    }
    assert ("aws_cloudwatch_dashboard", "this") in service
    template = service[("aws_launch_template", "this")]
    assert template["metadata_options"]["http_tokens"] == "required"
    assert template["network_interfaces"]["associate_public_ip_address"] is False


def test_each_datastore_is_of_the_planned_kind(
    parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    declared = modules(parsed)
    for context in plan.contexts:
        kind = context.datastore.kind
        data = declared.get(f"data_{context.name}")
        if kind == "none":
            assert data is None
        elif kind == "dynamodb":
            assert data["source"] == "./modules/dynamodb"
        else:
            assert data["source"] == "./modules/aurora" and data["engine"] == kind
    aurora = resources(parsed, "aurora")[("aws_rds_cluster", "this")]
    assert aurora["storage_encrypted"] is True and aurora["manage_master_user_password"] is True
    table = resources(parsed, "dynamodb")[("aws_dynamodb_table", "this")]
    assert table["point_in_time_recovery"]["enabled"] is True


def test_each_consumer_has_an_inbox_with_a_dead_letter_queue(
    parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    declared = modules(parsed)
    consumers = {d.target for d in plan.dependencies if d.events}
    assert {n.removeprefix("queue_") for n in declared if n.startswith("queue_")} == consumers
    for dependency in plan.dependencies:
        if dependency.events:
            queue = declared[f"queue_{dependency.target}"]
            assert dependency.source in queue["producer_roles"]
            assert set(dependency.events) <= set(as_list(queue["events"]))
    queue = resources(parsed, "queue")
    assert "deadLetterTargetArn" in queue[("aws_sqs_queue", "this")]["redrive_policy"]
    assert ("aws_sqs_queue", "dead_letter") in queue
    assert {"age", "dead_letters"} <= {n for k, n in queue if k == "aws_cloudwatch_metric_alarm"}


def test_observability_and_network(parsed: dict[str, Any]) -> None:
    trail = resources(parsed, "observability")[("aws_cloudtrail", "this")]
    assert trail["is_multi_region_trail"] is True and trail["enable_log_file_validation"] is True
    assert ("aws_xray_sampling_rule", "services") in resources(parsed, "observability")
    network = modules(parsed)["network"]
    assert len(network["public_subnets"]) == len(network["private_subnets"]) == 2


def test_each_instance_gets_the_settings_its_service_reads(plan: DecompositionPlan) -> None:
    """The environment Terraform hands each instance names only settings the generated
    service declares, and covers what it needs on AWS: queue prefix, table, URLs, database."""
    rendered = {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}
    declared = modules({"infra/main.tf": norm(hcl2.loads(rendered["infra/main.tf"]))})
    for context in plan.contexts:
        service = declared[f"service_{context.name}"]
        settings = rendered[f"services/{context.name}/{context.name}_service/settings.py"]
        fields = set(re.findall(r"^    ([a-z_0-9]+): ", settings, flags=re.MULTILINE))
        environment = service["environment"]
        assert {key.lower() for key in environment} <= fields, context.name
        assert environment["QUEUE_PREFIX"] == "${local.prefix}-"
        urls = {f for f in fields if f.endswith("_service_url")}
        assert {f"{key.lower()}" for key in environment if key.endswith("_URL")} == urls
        if context.datastore.kind == "dynamodb":
            assert environment["DYNAMODB_TABLE"] == f"${{module.data_{context.name}.table_name}}"
        if context.datastore.kind.startswith("aurora"):
            assert "database_url" in fields
            database = service["database"]
            assert database["secret_arn"] == f"${{module.data_{context.name}.secret_arn}}"
            scheme = {"aurora-postgresql": "postgresql+psycopg", "aurora-mysql": "mysql+pymysql"}
            assert database["scheme"] == scheme[context.datastore.kind]
            assert f'"{database["scheme"]}://' in settings
        else:
            assert "database" not in service


def test_a_relational_service_migrates_its_schema_before_it_takes_traffic(
    plan: DecompositionPlan,
) -> None:
    """Issue 12.3: nothing ran `alembic upgrade head`, so no table ever existed."""
    rendered = {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}
    services = {p.split("/")[1] for p in rendered if p.startswith("services/")}
    relational = {s for s in services if f"services/{s}/alembic.ini" in rendered}
    assert relational, "the example plan has relational services"
    for service in services:
        command = next(
            line
            for line in rendered[f"services/{service}/Dockerfile"].splitlines()
            if line.startswith("CMD ")
        )
        migrates = "alembic upgrade head && exec uvicorn" in command
        assert migrates == (service in relational), service
