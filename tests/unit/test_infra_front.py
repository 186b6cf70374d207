"""Issue 14: the generated AWS target as a cloud engineer would deploy it. The strangler-fig
front door (the monolith behind the API and the ALB, one switch per context), services that
start and stay up, scaling that triggers, and a shell without SSH: structural tests of the
generated HCL (python-hcl2)."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from decomposer.errors import PlanError
from decomposer.models import DecompositionPlan, ScaffoldOptions
from decomposer.scaffold import render_scaffold
from decomposer.scaffold.edge import stable_priorities
from decomposer.scaffold.infra import build_spec
from tests.unit.test_edge import edited, entry
from tests.unit.test_scaffold_structure import as_list, modules, norm, resources

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"


@pytest.fixture(scope="module")
def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


@pytest.fixture(scope="module")
def rendered(plan: DecompositionPlan) -> dict[str, str]:
    return {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}


@pytest.fixture(scope="module")
def parsed(rendered: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {p: norm(hcl2.loads(c)) for p, c in rendered.items() if p.endswith(".tf")}


def variables(parsed: dict[str, Any], path: str) -> dict[str, Any]:
    return {n: b for block in as_list(parsed[path]["variable"]) for n, b in block.items()}


# ---------------------------------------------------------------- 1. the strangler-fig front door


def test_the_monolith_is_a_target_behind_the_alb_in_its_own_group(parsed: dict[str, Any]) -> None:
    monolith = modules(parsed)["monolith"]
    assert monolith["source"] == "./modules/service"  # its own Auto Scaling group
    assert monolith["image_tag"] == "${var.monolith_image_tag}"
    assert monolith["listener_rule"] is False  # the default action, not a rule
    edge = modules(parsed)["edge"]
    assert edge["monolith_target_group_arn"] == "${module.monolith.target_group_arn}"
    assert edge["extracted"] == "${var.extracted}"
    listener = resources(parsed, "edge")[("aws_lb_listener", "http")]
    assert listener["default_action"] == {
        "type": "forward",
        "target_group_arn": "${var.monolith_target_group_arn}",
    }
    root = variables(parsed, "infra/variables.tf")
    assert root["extracted"]["default"] == [] and "monolith_image_tag" in root


def test_one_switch_per_context_routes_its_prefix_to_its_service(
    parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    declared = modules(parsed)
    for context in plan.contexts:
        service = declared[f"service_{context.name}"]
        assert service["listener_rule"] == f'${{contains(var.extracted, "{context.name}")}}'
    rule = resources(parsed, "service")[("aws_lb_listener_rule", "this")]
    assert rule["count"] == "${var.listener_rule ? 1 : 0}"


def test_each_route_goes_to_the_monolith_until_its_context_is_extracted(
    parsed: dict[str, Any],
) -> None:
    """On the planned rules, as Terraform would evaluate them for `extracted = [inventory]`
    and for `[notifications]`: an extracted context's routes reach its service, every other
    route the monolith (also customers' /notifications/... once notifications is out)."""
    routes = parsed["infra/modules/edge/routes.tf"]["locals"]
    priorities = {
        name.removeprefix("service_"): body["listener_priority"]
        for name, body in modules(parsed).items()
        if name.startswith("service_")
    }
    methods = routes["methods"]
    assert {m["service"] for m in methods.values()} >= {"inventory", "orders", "customers"}
    for extracted in (["inventory"], ["notifications"], ["inventory", "customers"]):
        rules = [(priorities[c], [f"/{c}/*"], [], c) for c in extracted]
        rules += [
            (p["priority"], [p["path_pattern"]], as_list(p["http_methods"]), "monolith")
            for p in routes["pins"].values()
            if p["context"] in extracted
        ]
        for key, method in methods.items():
            path = method["upstream"] if method["service"] in extracted else method["monolith"]
            path = re.sub(r"\{[^}]+\}", "1", path)
            target = next(
                (
                    to
                    for _, patterns, verbs, to in sorted(rules)
                    if any(fnmatch.fnmatchcase(path, p) for p in patterns)
                    and (not verbs or method["http_method"] in verbs)
                ),
                "monolith",
            )
            expected = method["service"] if method["service"] in extracted else "monolith"
            assert target == expected, (extracted, key, path)


def test_a_monolith_route_keeps_its_path_until_extracted(parsed: dict[str, Any]) -> None:
    methods = parsed["infra/modules/edge/routes.tf"]["locals"]["methods"]
    flush = methods["POST /notifications/flush"]
    assert flush["service"] == "customers"
    assert flush["upstream"] == "/customers/notifications/flush"
    assert flush["monolith"] == "/notifications/flush"
    edge = resources(parsed, "edge")
    assert edge[("aws_api_gateway_integration", "route")]["uri"] == (
        "http://${local.upstream_host}${local.paths[each.key]}"
    )
    pin = edge[("aws_lb_listener_rule", "monolith_pin")]
    assert pin["action"]["target_group_arn"] == "${var.monolith_target_group_arn}"
    assert "contains(var.extracted, p.context)" in pin["for_each"]
    # A new switch redeploys the stage: its integrations changed.
    triggers = edge[("aws_api_gateway_deployment", "this")]["triggers"]["redeployment"]
    assert "var.extracted" in triggers


def test_the_readme_lists_the_plans_extraction_order(
    rendered: dict[str, str], plan: DecompositionPlan
) -> None:
    readme = rendered["infra/README.md"]
    order = [step.context for step in sorted(plan.extraction_order, key=lambda s: s.order)]
    listed = re.findall(r"^\d+\. `([a-z_]+)`$", readme, flags=re.MULTILINE)
    assert listed == order
    assert "extracted = [" in readme and "Dockerfile" in readme


def test_a_route_under_another_contexts_prefix_is_pinned_to_the_monolith(
    plan: DecompositionPlan,
) -> None:
    """Orders serving `/shipping/<path:rest>` and `/`: the monolith keeps both paths, and
    only the shipping prefix needs a pin (for the methods orders serves there)."""
    orders = next(c for c in plan.contexts if c.name == "orders")
    routes = (*orders.entry_points, entry("/shipping/legacy/<path:rest>", "GET", "POST"))
    routes += (entry("/", "GET"),)
    edge = build_spec(edited(plan, "orders", entry_points=routes), ScaffoldOptions()).edge
    methods = {m.key: m for m in edge.methods}
    legacy = methods["GET /shipping/legacy/{rest+}"]
    assert legacy.upstream == "/orders/shipping/legacy/{rest}"
    assert legacy.monolith == "/shipping/legacy/{rest}"
    assert (methods["GET /"].upstream, methods["GET /"].monolith) == ("/orders/", "/")
    pins = {p.key: p for p in edge.pins}
    pin = pins["shipping: /shipping/legacy/*"]
    assert (pin.context, pin.owner, pin.http_methods) == ("shipping", "orders", ("GET", "POST"))
    assert {p.context for p in edge.pins} == {"notifications", "shipping"}
    assert len({p.priority for p in edge.pins}) == len(edge.pins)
    assert all(1 <= p.priority <= 999 for p in edge.pins)


def test_a_context_named_monolith_is_refused(plan: DecompositionPlan) -> None:
    contexts = tuple(
        c.model_copy(update={"name": "monolith"}) if c.name == "notifications" else c
        for c in plan.contexts
    )
    with pytest.raises(PlanError, match="taken by the monolith"):
        build_spec(plan.model_copy(update={"contexts": contexts}), ScaffoldOptions())


# ---------------------------------------------------------------- 2. services start and stay up


def test_containers_reach_imds_with_a_hop_limit_of_two(rendered: dict[str, str]) -> None:
    main = rendered["infra/modules/service/main.tf"]
    options = norm(hcl2.loads(main))
    template = next(
        r["aws_launch_template"]["this"]
        for r in as_list(options["resource"])
        if "aws_launch_template" in r
    )
    assert template["metadata_options"]["http_put_response_hop_limit"] == 2
    assert template["metadata_options"]["http_tokens"] == "required"
    assert "docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html" in main


def test_the_collector_is_pinned_and_knows_its_region(
    rendered: dict[str, str], parsed: dict[str, Any]
) -> None:
    image = variables(parsed, "infra/variables.tf")["collector_image"]["default"]
    assert re.fullmatch(
        r"public\.ecr\.aws/aws-observability/aws-otel-collector:v\d+\.\d+\.\d+", image
    )
    user_data = rendered["infra/modules/service/user_data.sh.tftpl"]
    assert ":latest" not in user_data
    assert "--name otel -e AWS_REGION=${region}" in user_data


def test_the_image_tag_is_in_the_launch_template_and_no_image_means_no_instance(
    rendered: dict[str, str], parsed: dict[str, Any], plan: DecompositionPlan
) -> None:
    service = resources(parsed, "service")
    user_data = service[("aws_launch_template", "this")]["user_data"]
    assert "image_tag   = local.deployed_tag" in rendered["infra/modules/service/main.tf"]
    assert "templatefile" in user_data
    assert "${repository}:${image_tag}" in rendered["infra/modules/service/user_data.sh.tftpl"]
    group = service[("aws_autoscaling_group", "this")]
    assert group["min_size"] == "${local.deployed ? var.min_size : 0}"
    assert group["max_size"] == "${local.deployed ? var.max_size : 0}"
    assert group["desired_capacity"] == "${local.deployed ? var.desired_capacity : 0}"
    assert "instance_refresh" in group
    assert (
        parsed["infra/modules/service/main.tf"]["locals"]["deployed"]
        == '${local.deployed_tag != ""}'
    )
    assert variables(parsed, "infra/modules/service/variables.tf")["image_tag"]["default"] == ""
    assert "image_tag" not in variables(parsed, "infra/variables.tf")  # no "bootstrap" tag
    declared = modules(parsed)
    for context in plan.contexts:
        tag = declared[f"service_{context.name}"]["image_tag"]
        assert tag == f'${{lookup(var.image_tags, "{context.name}", "")}}'


def test_without_a_pinned_tag_the_module_renders_the_tag_the_pipeline_deployed(
    parsed: dict[str, Any],
) -> None:
    service = resources(parsed, "service")
    parameter = service[("aws_ssm_parameter", "image_tag")]
    assert parameter["name"] == "/services/${var.name}/image-tag"
    assert parameter["type"] == "String" and parameter["insecure_value"] == "none"
    # Terraform creates it; the deploy job owns its value, which a refresh reads back.
    assert parameter["lifecycle"]["ignore_changes"] in ("insecure_value", ["insecure_value"])
    local = parsed["infra/modules/service/main.tf"]["locals"]
    assert local["pipeline_tag"] == "${aws_ssm_parameter.image_tag.insecure_value}"
    assert local["deployed_tag"] == (
        '${var.image_tag != "" ? var.image_tag'
        ' : (local.pipeline_tag == "none" ? "" : local.pipeline_tag)}'
    )
    # The deploy role finds the launch template by this tag.
    assert service[("aws_launch_template", "this")]["tags"]["Name"] == "${var.name}"


def test_listener_priorities_do_not_move_when_a_context_is_added(
    plan: DecompositionPlan,
) -> None:
    before = {s.name: s.listener_priority for s in build_spec(plan, ScaffoldOptions()).services}
    added = plan.contexts[0].model_copy(
        update={"name": "audit", "entry_points": (), "operations": ()}
    )
    grown = plan.model_copy(update={"contexts": (added, *plan.contexts)})
    after = {s.name: s.listener_priority for s in build_spec(grown, ScaffoldOptions()).services}
    assert {name: after[name] for name in before} == before
    assert len(set(after.values())) == len(after)
    assert all(1000 <= p <= 49999 for p in after.values())


def test_colliding_priorities_are_resolved_the_same_whatever_the_order() -> None:
    keys = [f"context_{i}" for i in range(40)]
    small = stable_priorities(keys, low=1, high=40)  # every slot taken: collisions
    assert sorted(small.values()) == list(range(1, 41))
    assert stable_priorities(list(reversed(keys)), low=1, high=40) == small
    with pytest.raises(ValueError, match="do not fit"):
        stable_priorities(keys, low=1, high=39)


# ---------------------------------------------------------------- 3. scaling that triggers


def test_groups_scale_on_alb_requests_per_target(parsed: dict[str, Any]) -> None:
    policy = resources(parsed, "service")[("aws_autoscaling_policy", "requests")]
    tracking = policy["target_tracking_configuration"]
    metric = tracking["predefined_metric_specification"]
    assert metric["predefined_metric_type"] == "ALBRequestCountPerTarget"
    assert metric["resource_label"] == (
        "${var.alb_arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
    )
    assert tracking["target_value"] == "${var.requests_per_target}"
    for name, body in modules(parsed).items():
        if body["source"] == "./modules/service":
            assert body["requests_per_target"] == "${var.requests_per_target}", name


def test_uvicorn_runs_a_worker_per_vcpu(rendered: dict[str, str]) -> None:
    user_data = rendered["infra/modules/service/user_data.sh.tftpl"]
    assert 'echo "WEB_CONCURRENCY=$(nproc)" >> /etc/${service}.env' in user_data
    for path, content in rendered.items():
        if path.endswith("/Dockerfile"):
            command = next(line for line in content.splitlines() if line.startswith("CMD "))
            # uvicorn reads WEB_CONCURRENCY unless --workers overrides it.
            assert "uvicorn" in command and "--workers" not in command, path


# ---------------------------------------------------------------- 4. a shell without SSH


def test_instances_open_a_shell_through_session_manager_only(parsed: dict[str, Any]) -> None:
    service = resources(parsed, "service")
    attachment = service[("aws_iam_role_policy_attachment", "ssm")]
    assert attachment["policy_arn"].endswith(":iam::aws:policy/AmazonSSMManagedInstanceCore")
    assert attachment["role"] == "${aws_iam_role.this.name}"
    assert "key_name" not in service[("aws_launch_template", "this")]
    for path, document in parsed.items():
        for block in as_list(document.get("resource", [])):
            for group in block.get("aws_security_group", {}).values():
                for ingress in as_list(group.get("ingress", [])):
                    low, high = ingress["from_port"], ingress["to_port"]
                    if isinstance(low, str):  # one variable port: the service's, the database's
                        assert low == high and low.startswith(("${var.", "${local.")), path
                    else:
                        assert not low <= 22 <= high, path
