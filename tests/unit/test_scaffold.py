"""Stage 7b: the infrastructure spec computed from a plan, and the files rendered from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decomposer.errors import PlanError
from decomposer.models import DecompositionPlan, ScaffoldOptions
from decomposer.scaffold import render_scaffold
from decomposer.scaffold.infra import build_spec, fit, project_name

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"
NLB = ScaffoldOptions()


@pytest.fixture(scope="module")
def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


def with_contexts(plan: DecompositionPlan, contexts: list[object]) -> DecompositionPlan:
    # model_construct: a plan edited by hand past the model's checks, as the spec must re-check
    return plan.model_copy(update={"contexts": tuple(contexts), "dependencies": ()})


def test_every_context_becomes_a_service_with_its_path_prefix(plan: DecompositionPlan) -> None:
    spec = build_spec(plan, NLB)
    assert [s.name for s in spec.services] == sorted(c.name for c in plan.contexts)
    assert all(s.path_prefix == f"/{s.name}/" for s in spec.services)


def test_listener_priorities_are_unique(plan: DecompositionPlan) -> None:
    priorities = [s.listener_priority for s in build_spec(plan, NLB).services]
    assert len(set(priorities)) == len(priorities)


def test_one_inbox_per_consumer_carries_every_event_sent_to_it(plan: DecompositionPlan) -> None:
    spec = build_spec(plan, NLB)
    sent: dict[str, set[str]] = {}
    for dependency in plan.dependencies:
        if dependency.events:
            sent.setdefault(dependency.target, set()).update(dependency.events)
    assert {q.consumer: set(q.events) for q in spec.queues} == sent


def test_subnets_span_two_zones_inside_the_vpc(plan: DecompositionPlan) -> None:
    spec = build_spec(plan, NLB)
    assert len(spec.public_subnets) == len(spec.private_subnets) == 2
    assert len(set(spec.public_subnets + spec.private_subnets)) == 4


def test_long_names_are_cut_with_a_hash_within_aws_limits(plan: DecompositionPlan) -> None:
    long = "a" * 40
    context = plan.contexts[0].model_copy(update={"name": long})
    spec = build_spec(with_contexts(plan, [context]), NLB)
    service = spec.services[0]
    assert len(service.aws_name) <= 30 and len(service.short_name) <= 10
    assert service.aws_name == build_spec(with_contexts(plan, [context]), NLB).services[0].aws_name
    # project (12) + environment (8) + hyphens: the target group name stays within 32
    assert len(f"{'p' * 12}-{'e' * 8}-{service.short_name}") <= 32


def test_fit_keeps_short_names_and_hashes_long_ones() -> None:
    assert fit("orders", 10) == "orders"
    cut = fit("notifications", 10)
    assert len(cut) == 10 and cut != fit("notificationz", 10)


def test_project_name_is_lowercase_and_starts_with_a_letter() -> None:
    assert project_name("My_Shop") == "my-shop"
    assert project_name("2fast") == "p-2fast"
    assert project_name("!!!") == "app"
    assert len(project_name("a-very-long-repository-name")) == 12


def test_underscores_become_hyphens_in_aws_names(plan: DecompositionPlan) -> None:
    context = plan.contexts[0].model_copy(update={"name": "order_lines"})
    assert build_spec(with_contexts(plan, [context]), NLB).services[0].aws_name == "order-lines"


def test_a_plan_without_contexts_is_a_clear_error(plan: DecompositionPlan) -> None:
    with pytest.raises(PlanError, match="no contexts"):
        build_spec(with_contexts(plan, []), NLB)


@pytest.mark.parametrize("name", ["Orders", "../etc", "a b", "x" * 41, "9lives", "ord-ers"])
def test_a_name_that_cannot_be_a_resource_name_is_refused(
    plan: DecompositionPlan, name: str
) -> None:
    context = plan.contexts[0].model_construct(**{**dict(plan.contexts[0]), "name": name})
    with pytest.raises(PlanError, match="cannot name a service"):
        build_spec(with_contexts(plan, [context]), NLB)


def test_a_context_without_operations_still_gets_a_service(plan: DecompositionPlan) -> None:
    context = plan.contexts[0].model_copy(update={"operations": ()})
    files = render_scaffold(with_contexts(plan, [context]), options=NLB)
    main = next(f for f in files if f.path == "infra/main.tf").content
    assert f'module "service_{context.name}"' in main


def test_an_odd_event_name_is_refused(plan: DecompositionPlan) -> None:
    dependency = next(d for d in plan.dependencies if d.events)
    odd = dependency.model_copy(update={"events": ('x" }',)})
    with pytest.raises(PlanError, match="event"):
        build_spec(plan.model_copy(update={"dependencies": (odd,)}), NLB)


def test_rendering_twice_gives_identical_files(plan: DecompositionPlan) -> None:
    assert render_scaffold(plan, options=NLB) == render_scaffold(plan, options=NLB)


def test_one_workflow_per_service_and_one_for_the_infrastructure(plan: DecompositionPlan) -> None:
    paths = {f.path for f in render_scaffold(plan, options=NLB)}
    workflows = {p for p in paths if p.startswith(".github/workflows/")}
    assert len(workflows) == len(plan.contexts) + 1
    assert ".github/workflows/infra.yml" in workflows


def test_alb_direct_wires_the_vpc_link_to_the_alb(plan: DecompositionPlan) -> None:
    files = render_scaffold(plan, options=ScaffoldOptions(vpc_link="alb-direct"))
    edge = next(f for f in files if f.path == "infra/modules/edge/main.tf").content
    versions = next(f for f in files if f.path == "infra/versions.tf").content
    assert "aws_apigatewayv2_vpc_link" in edge and "integration_target" in edge
    assert 'resource "aws_lb" "nlb"' not in edge
    assert "~> 6.25" in versions


def test_from_import_orders_names_as_ruff_does_and_wraps_long_lines() -> None:
    from decomposer.templating import from_import

    assert from_import("sqlalchemy", ["select", "String", "JSON", "Boolean", "String"]) == (
        "from sqlalchemy import JSON, Boolean, String, select"
    )
    names = ["AttributeTranslationRequest", "AttributesByAttributeIdRequest", "Zeta" * 20]
    assert from_import(".schemas", names, indent="    ").splitlines() == [
        "    from .schemas import (",
        "        AttributesByAttributeIdRequest,",
        "        AttributeTranslationRequest,",
        "        " + "Zeta" * 20 + ",",
        "    )",
    ]
