"""Stage 7b, the edge: what the API Gateway routes (an allow-list), and with which authorizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decomposer.models import DecompositionPlan, EdgeSpec, PlanEntryPoint, ScaffoldOptions
from decomposer.scaffold import render_scaffold
from decomposer.scaffold.infra import build_spec

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"


@pytest.fixture(scope="module")
def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


def edge_of(plan: DecompositionPlan) -> EdgeSpec:
    return build_spec(plan, ScaffoldOptions()).edge


def edited(plan: DecompositionPlan, context: str, **changes: object) -> DecompositionPlan:
    contexts = tuple(
        c.model_copy(update=changes) if c.name == context else c for c in plan.contexts
    )
    return plan.model_copy(update={"contexts": contexts})


def entry(name: str, *methods: str, public: bool = False) -> PlanEntryPoint:
    return PlanEntryPoint(
        kind="http_route",
        framework="flask",
        name=name,
        methods=methods,
        handler="shop.views:handler",
        location="shop/views.py:1",
        public=public,
    )


def test_operations_only_other_contexts_call_are_not_routed(plan: DecompositionPlan) -> None:
    edge = edge_of(plan)
    upstreams = {m.upstream for m in edge.methods}
    for context in plan.contexts:
        for op in context.operations:
            assert f"/{context.name}/{op.name}" not in upstreams
            assert any(
                line.startswith(f"POST /{context.name}/{op.name} ") for line in edge.internal
            )
    assert "POST /customers/get_address (called by orders)" in edge.internal


def test_http_entry_points_are_routed_with_the_authorizer(plan: DecompositionPlan) -> None:
    methods = {m.key: m for m in edge_of(plan).methods}
    me = methods["GET /customers/me"]
    assert (me.service, me.upstream, me.public) == ("customers", "/customers/me", False)
    routed = {m.key for m in methods.values() if not m.public}
    assert {"DELETE /orders/cart/items/{item_id}", "PATCH /orders/cart/items/{item_id}"} <= routed


def test_only_routes_the_plan_marks_public_go_without_the_authorizer(
    plan: DecompositionPlan,
) -> None:
    public = {m.key for m in edge_of(plan).methods if m.public}
    assert public == {
        "POST /customers/login",
        "POST /customers/register",
        "POST /payments/webhooks/{gateway}",
    }


def test_an_operation_marked_public_is_routed_without_the_authorizer(
    plan: DecompositionPlan,
) -> None:
    catalog = next(c for c in plan.contexts if c.name == "catalog")
    first = catalog.operations[0].model_copy(update={"public": True})
    edge = edge_of(edited(plan, "catalog", operations=(first, *catalog.operations[1:])))
    method = next(m for m in edge.methods if m.key == f"POST /catalog/{first.name}")
    assert method.public and method.upstream == f"/catalog/{first.name}"
    assert not any(line.startswith(f"POST /catalog/{first.name} ") for line in edge.internal)


def test_sibling_parameters_share_one_name_and_pass_the_value_on(
    plan: DecompositionPlan,
) -> None:
    # /catalog/products/<slug> and /catalog/products/<int:product_id>: API Gateway allows one
    # {parameter} per parent.
    edge = edge_of(plan)
    children = [r.path_part for r in edge.resources if r.parent == "/catalog/products"]
    assert children == ["{product_id}"]
    get = next(m for m in edge.methods if m.key == "GET /catalog/products/{product_id}")
    assert "<slug>" in get.source and get.parameters == ("product_id",)


def test_a_route_outside_the_services_prefix_is_served_under_it(plan: DecompositionPlan) -> None:
    # The notifications routes moved to customers; the ALB sends it /customers/* only.
    methods = {m.key: m for m in edge_of(plan).methods}
    assert methods["GET /notifications/templates"].upstream == "/customers/notifications/templates"
    assert methods["GET /notifications"].upstream == "/customers/notifications/"


def test_routes_the_edge_cannot_express_are_left_out_with_the_reason(
    plan: DecompositionPlan,
) -> None:
    edge = edge_of(edited(plan, "shipping", entry_points=(entry(r"^track/(?P<code>\w+)$", "GET"),)))
    assert not any(m.service == "shipping" for m in edge.methods)
    (line,) = edge.left_out
    assert "(shipping): segment" in line and "regex" in line


def test_a_path_parameter_is_greedy_at_the_end_only(plan: DecompositionPlan) -> None:
    edge = edge_of(edited(plan, "shipping", entry_points=(entry("/files/<path:key>", "GET"),)))
    method = next(m for m in edge.methods if m.service == "shipping")
    assert method.key == "GET /files/{key+}" and method.upstream == "/shipping/files/{key}"


def test_the_same_route_in_two_services_is_routed_once(plan: DecompositionPlan) -> None:
    twice = edited(plan, "shipping", entry_points=(entry("/catalog/categories", "GET"),))
    edge = edge_of(twice)
    assert next(m for m in edge.methods if m.key == "GET /catalog/categories").service == "catalog"
    assert edge.left_out == (
        "GET /catalog/categories -> shop.views:handler (shipping): GET /catalog/categories is"
        " routed to catalog already",
    )


def test_a_plan_without_routes_still_deploys_one_authorized_method(
    plan: DecompositionPlan,
) -> None:
    bare = plan.model_copy(
        update={"contexts": tuple(c.model_copy(update={"entry_points": ()}) for c in plan.contexts)}
    )
    (method,) = edge_of(bare).methods
    assert method.key == "GET /catalog/health" and not method.public


def test_the_terraform_has_no_catch_all_route_and_no_open_method(
    plan: DecompositionPlan,
) -> None:
    files = {f.path: f.content for f in render_scaffold(plan, options=ScaffoldOptions())}
    edge = files["infra/modules/edge/main.tf"]
    assert 'path_part   = "{proxy+}"' not in edge
    # "NONE" once: on the methods of the routes the plan marks public, and on no other
    assert edge.count('"NONE"') == 1
    public = edge.split('resource "aws_api_gateway_method" "public"')[1].split("\n}\n")[0]
    assert 'authorization = "NONE"' in public and "if m.public }" in public
    routes = files["infra/modules/edge/routes.tf"]
    assert '"POST /customers/login"' in routes and "get_address" not in routes.split("locals")[1]
    assert "| `GET /customers/me` | customers |" in files["infra/README.md"]


def test_a_route_whose_alb_path_is_an_internal_operation_is_left_out(
    plan: DecompositionPlan,
) -> None:
    # A monolith route at the same path as an internal operation would open it to the edge.
    clash = entry("/customers/get_address", "POST")
    customers = next(c for c in plan.contexts if c.name == "customers")
    edge = edge_of(edited(plan, "customers", entry_points=(*customers.entry_points, clash)))
    assert "POST /customers/get_address" not in {m.key for m in edge.methods}
    assert edge.left_out == (
        "POST /customers/get_address -> shop.views:handler (customers): /customers/get_address"
        " on the ALB reaches the internal operation get_address of customers",
    )


@pytest.mark.parametrize("route", ["/customers/<action>", "/customers/<path:rest>"])
def test_a_parameter_that_would_match_an_internal_operation_is_left_out(
    plan: DecompositionPlan, route: str
) -> None:
    # POST /customers/get_address through POST /customers/{action}: not at the edge.
    edge = edge_of(edited(plan, "customers", entry_points=(entry(route, "POST"),)))
    assert not any(m.service == "customers" for m in edge.methods)
    (line,) = edge.left_out
    assert line.endswith("reaches the internal operation current_customer of customers")


def test_a_get_route_with_a_parameter_beside_the_operations_is_routed(
    plan: DecompositionPlan,
) -> None:
    # Operations answer POST only: GET /customers/{name} cannot reach one.
    edge = edge_of(edited(plan, "customers", entry_points=(entry("/customers/<name>", "GET"),)))
    assert [m.key for m in edge.methods if m.service == "customers"] == ["GET /customers/{name}"]


def test_an_int_parameter_never_matches_an_operation_name(plan: DecompositionPlan) -> None:
    edge = edge_of(edited(plan, "customers", entry_points=(entry("/customers/<int:id>", "POST"),)))
    assert [m.key for m in edge.methods if m.service == "customers"] == ["POST /customers/{id}"]


def test_a_route_served_under_the_prefix_is_checked_there(plan: DecompositionPlan) -> None:
    # /<action> of customers is /customers/{action} on the ALB: it would reach the operations.
    edge = edge_of(edited(plan, "customers", entry_points=(entry("/<action>", "POST"),)))
    assert not any(m.service == "customers" for m in edge.methods)
    assert "reaches the internal operation" in edge.left_out[0]


def cached_route(
    plan: DecompositionPlan, name: str, *methods: str, query: tuple[str, ...] | None, public=False
) -> dict[str, object]:
    route = entry(name, *methods, public=public).model_copy(update={"query_parameters": query})
    edge = edge_of(edited(plan, "catalog", entry_points=(route,)))
    return {m.key: (m.cached, m.cache_key) for m in edge.methods if m.service == "catalog"}


def test_a_get_route_with_listed_query_parameters_is_cached_by_them_and_the_caller(
    plan: DecompositionPlan,
) -> None:
    routes = cached_route(plan, "/catalog/search/<kind>", "GET", query=("sort", "q", "q"))
    assert routes["GET /catalog/search/{kind}"] == (
        True,
        (
            "method.request.path.kind",
            "method.request.querystring.q",
            "method.request.querystring.sort",
            "method.request.header.Authorization",
        ),
    )
    public = cached_route(plan, "/catalog/list", "GET", query=(), public=True)
    assert public["GET /catalog/list"] == (True, ())


def test_only_get_routes_with_known_query_parameters_are_cached(plan: DecompositionPlan) -> None:
    """Issue 14.4: ANY and POST were cached, keyed by the path only."""
    assert cached_route(plan, "/catalog/list", "GET", query=None)["GET /catalog/list"] == (
        False,
        (),
    )
    written = cached_route(plan, "/catalog/list", "GET", "POST", query=("q",))
    assert written["POST /catalog/list"] == (False, ())
    assert written["GET /catalog/list"][0] is True
    anything = cached_route(plan, "/catalog/list", query=("q",))
    assert anything == {"ANY /catalog/list": (False, ())}
    unsafe = cached_route(plan, "/catalog/list", "GET", query=('q"',))
    assert unsafe["GET /catalog/list"] == (False, ())
