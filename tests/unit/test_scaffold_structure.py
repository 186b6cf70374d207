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
    assert edge[("aws_api_gateway_stage", "this")]["cache_cluster_enabled"] == (
        "${var.cache_size_gb != null}"
    )
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
            assert data is None  # in module.database, one cluster per service or engine
    aurora = resources(parsed, "aurora")[("aws_rds_cluster", "this")]
    assert aurora["storage_encrypted"] is True and aurora["manage_master_user_password"] is True
    assert declared["database"]["source"] == "./modules/aurora"
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
            assert database["user"] == f"{context.name}_service"
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


# Issue 14, points 2, 3, 4, 7 and 10: data, cache, alarms, cost.


def variables(parsed: dict[str, dict[str, Any]], path: str) -> dict[str, Any]:
    return {
        name: body for block in as_list(parsed[path]["variable"]) for name, body in block.items()
    }


def test_aurora_is_serverless_v2_pinned_with_its_own_parameter_group(
    parsed: dict[str, Any],
) -> None:
    """Issue 14.2: no engine_version (a surprise upgrade), no parameter group, and six
    db.t4g.medium clusters around the clock."""
    aurora = resources(parsed, "aurora")
    cluster = aurora[("aws_rds_cluster", "this")]
    assert cluster["engine_version"] == "${var.engine_version}"
    assert cluster["allow_major_version_upgrade"] is False
    assert cluster["db_cluster_parameter_group_name"] == (
        "${aws_rds_cluster_parameter_group.this.name}"
    )
    scaling = cluster["dynamic"]["serverlessv2_scaling_configuration"]["content"]
    assert scaling["min_capacity"] == "${var.min_capacity}"
    assert ("aws_rds_cluster_parameter_group", "this") in aurora
    assert aurora[("aws_rds_cluster_instance", "this")]["engine_version"] == (
        "${aws_rds_cluster.this.engine_version}"
    )
    root = variables(parsed, "infra/variables.tf")
    assert root["db_instance_class"]["default"] == "db.serverless"
    database = modules(parsed)["database"]
    assert database["engine_version"] == "${each.value.engine_version}"
    own = parsed["infra/main.tf"]["locals"]
    clusters = next(b for b in as_list(own) if "own_database_clusters" in b)
    versions = set(re.findall(r'engine_version = "([^"]+)"', clusters["own_database_clusters"]))
    assert versions == {"16.6"}


def test_dev_scales_its_one_shared_cluster_to_zero(plan: DecompositionPlan) -> None:
    rendered = {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}
    dev = norm(hcl2.loads(rendered["infra/environments/dev.tfvars"]))
    prod = norm(hcl2.loads(rendered["infra/environments/prod.tfvars"]))
    assert dev["db_min_capacity"] == 0 and dev["shared_database_cluster"] is True
    assert prod["db_min_capacity"] > 0 and prod["shared_database_cluster"] is False
    main = norm(hcl2.loads(rendered["infra/main.tf"]))
    shared = next(b for b in as_list(main["locals"]) if "shared_database_clusters" in b)
    relational = sorted(c.name for c in plan.contexts if c.datastore.kind == "aurora-postgresql")
    databases = ", ".join(f'"{name}"' for name in relational)
    assert "postgresql = {" in shared["shared_database_clusters"]
    assert f"databases = [{databases}]" in shared["shared_database_clusters"]


def test_services_log_in_as_their_own_role_with_iam_tokens(
    parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    """Issue 14.3: DATABASE_URL held the master password, written once at boot, and RDS
    rotates it every 7 days."""
    aurora = resources(parsed, "aurora")
    assert "dbuser:${aws_rds_cluster.this.cluster_resource_id}/${each.value.user}" in json.dumps(
        parsed["infra/modules/aurora/main.tf"]["data"]
    )
    assert aurora[("aws_iam_role_policy", "connect")]["for_each"] == "${var.databases}"
    assert "secretsmanager" not in json.dumps(parsed["infra/modules/aurora/main.tf"]["data"])
    rendered = {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}
    user_data = rendered["infra/modules/service/user_data.sh.tftpl"]
    assert "secretsmanager" not in user_data and "DATABASE_IAM_AUTH=true" in user_data
    bootstrap = rendered["infra/bootstrap-databases.sh"]
    assert "GRANT rds_iam TO" in bootstrap and "AWSAuthenticationPlugin" in bootstrap
    for context in plan.contexts:
        if context.datastore.kind.startswith("aurora"):
            data = rendered[f"services/{context.name}/{context.name}_service/data.py"]
            assert '@event.listens_for(engine, "do_connect")' in data
            assert "generate_db_auth_token" in data
            env = rendered[f"services/{context.name}/migrations/env.py"]
            assert "make_engine(settings)" in env and "pg_advisory_xact_lock" in env


def test_the_stage_caches_only_get_routes_keyed_by_query_and_caller(
    parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    """Issue 14.4: `*/*` cached ANY and POST methods, keyed by the path only."""
    edge = resources(parsed, "edge")
    everything = edge[("aws_api_gateway_method_settings", "all")]
    assert everything["method_path"] == "*/*"
    assert everything["settings"]["caching_enabled"] is False
    cached = edge[("aws_api_gateway_method_settings", "cached")]
    assert cached["settings"]["caching_enabled"] is True
    assert "m.cached" in cached["for_each"]
    integration = edge[("aws_api_gateway_integration", "route")]
    assert integration["cache_key_parameters"] == "${each.value.cache_key}"
    assert "aws_api_gateway_account.this" in json.dumps(
        edge[("aws_api_gateway_stage", "this")]["depends_on"]
    )
    methods = parsed["infra/modules/edge/routes.tf"]["locals"]["methods"]
    assert not any(m["cached"] for m in methods.values())  # no route's query is known
    # A plan that lists a GET route's query parameters: cached, keyed by them and the token.
    contexts = []
    for context in plan.contexts:
        entries = tuple(
            e.model_copy(update={"query_parameters": ("q", "page")})
            if e.kind == "http_route"
            else e
            for e in context.entry_points
        )
        contexts.append(context.model_copy(update={"entry_points": entries}))
    listed = plan.model_copy(update={"contexts": tuple(contexts)})
    rendered = {f.path: f.content for f in render_scaffold(listed, options=ScaffoldOptions())}
    routes = norm(hcl2.loads(rendered["infra/modules/edge/routes.tf"]))["locals"]["methods"]
    products = routes["GET /catalog/products"]
    assert products["cached"] is True and products["method_path"] == "catalog/products/GET"
    assert as_list(products["cache_key"]) == [
        "method.request.querystring.page",
        "method.request.querystring.q",
        "method.request.header.Authorization",
    ]
    detail = routes["GET /catalog/products/{product_id}"]
    assert as_list(detail["cache_key"])[0] == "method.request.path.product_id"
    assert all(not m["cached"] for key, m in routes.items() if not key.startswith("GET "))
    assert any(key.startswith("POST ") for key in routes)


def test_the_api_gateway_account_is_set_by_one_environment(plan: DecompositionPlan) -> None:
    rendered = {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}
    main = norm(hcl2.loads(rendered["infra/main.tf"]))
    edge = next(b for b in as_list(main["module"]) if "edge" in b)["edge"]
    assert edge["enable_account_logging_role"] == "${var.manage_api_gateway_account}"
    dev = norm(hcl2.loads(rendered["infra/environments/dev.tfvars"]))
    prod = norm(hcl2.loads(rendered["infra/environments/prod.tfvars"]))
    assert dev["manage_api_gateway_account"] is True
    assert prod["manage_api_gateway_account"] is False


def test_every_alarm_notifies_the_alarm_topic(parsed: dict[str, Any]) -> None:
    """Issue 14.7: no alarm had an action, and databases, the API and targets had none."""
    topic = resources(parsed, "observability")
    assert ("aws_sns_topic", "alarms") in topic
    assert topic[("aws_sns_topic_subscription", "email")]["endpoint"] == "${var.alarm_email}"
    alarms = {
        (module, name): body
        for module in ("service", "queue", "edge", "aurora")
        for (kind, name), body in resources(parsed, module).items()
        if kind == "aws_cloudwatch_metric_alarm"
    }
    assert {("aurora", "cpu"), ("aurora", "connections"), ("aurora", "capacity"),
            ("aurora", "memory"), ("edge", "errors_5xx"), ("edge", "latency"),
            ("service", "unhealthy"), ("queue", "age"), ("queue", "dead_letters")} <= set(alarms)  # fmt: skip
    assert {
        key for key, body in alarms.items() if body.get("alarm_actions") != "${var.alarm_actions}"
    } == set()
    main = parsed["infra/main.tf"]
    assert next(b for b in as_list(main["locals"]) if "alarm_actions" in b)["alarm_actions"] == (
        "${module.observability.alarm_topic_arn}"
    )
    for name, module in modules(parsed).items():
        if module["source"] in ("./modules/service", "./modules/queue", "./modules/edge",
                                "./modules/aurora"):  # fmt: skip
            assert module["alarm_actions"] == "${local.alarm_actions}", name


def test_the_readme_estimates_dev_below_200_usd(plan: DecompositionPlan) -> None:
    """Issue 14.10: about 650 USD a month for dev (six db.t4g.medium clusters, an NLB)."""
    from decomposer.scaffold.infra import build_spec

    spec = build_spec(plan, ScaffoldOptions())
    dev, prod = spec.costs
    assert dev.environment == "dev" and dev.total_usd < 200
    assert prod.total_usd > dev.total_usd
    assert dev.total_usd == round(sum(line.monthly_usd for line in dev.lines), 2)
    rendered = {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}
    readme = rendered["infra/README.md"]
    assert f"### dev: about {dev.total_usd:,.0f} USD a month" in readme
    assert "estimates" in readme and spec.price_date in readme
