"""Stage 6: what the plan derives from a cut (styles, datastores, risks, order)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from decomposer.cluster import as_is_contexts
from decomposer.config import Settings
from decomposer.metrics import measure_contexts, measure_cut
from decomposer.models import (
    AsIsSplit,
    Clustering,
    ContextCountChoice,
    ContextGroup,
    DecompositionPlan,
    DependencyGraph,
)
from decomposer.plan import _shortest_cycles, make_plan, operation_name
from tests.conftest import graph_of

MODELS = """
from django.db import models
class Order(models.Model):
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE)
class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
"""
CRM_MODELS = """
from django.db import models
class Customer(models.Model):
    name = models.CharField(max_length=10)
"""
SALES = """
from django.db import transaction
from app.sales.models import Order, OrderLine
from app.crm import services as crm
from app.mail import outbox
def place(customer_id):
    customer = crm.find(customer_id)
    with transaction.atomic():
        order = Order(customer=customer)
        OrderLine(order=order)
    outbox.send_receipt(order)
    return order
"""


def planned(
    modules: dict[str, str], groups: dict[str, tuple[str, ...]], kernel: tuple[str, ...] = ()
) -> DecompositionPlan:
    graph = graph_of(modules)
    clustering = Clustering(
        granularity="module",
        split_modules=(),
        contexts=tuple(ContextGroup(name=n, units=u) for n, u in groups.items()),
        shared_kernel=ContextGroup(name="shared", units=kernel),
        selection=ContextCountChoice(criterion="by hand", alternatives=()),
    )
    return plan_of(graph, clustering)


def plan_of(graph: DependencyGraph, clustering: Clustering) -> DecompositionPlan:
    settings = Settings()
    as_is = as_is_contexts(graph)
    return make_plan(
        graph,
        clustering,
        metrics=measure_cut(graph, clustering, settings.cluster),
        context_metrics=measure_contexts(graph, clustering, settings.cluster),
        as_is=AsIsSplit(
            description="as is",
            contexts=as_is.contexts,
            metrics=measure_cut(graph, as_is, settings.cluster),
        ),
        settings=settings,
    )


def shop_plan() -> DecompositionPlan:
    return planned(
        {
            "app/": "",
            "app.sales/": "",
            "app.sales.models": MODELS,
            "app.sales.services": SALES,
            "app.crm/": "",
            "app.crm.models": CRM_MODELS,
            "app.crm.services": "from app.crm.models import Customer\ndef find(i):\n    return Customer.objects.get(pk=i)\n",
            "app.mail/": "",
            "app.mail.outbox": "def send_receipt(order):\n    pass\n",
        },
        {
            "sales": ("app", "app.sales", "app.sales.models", "app.sales.services"),
            "crm": ("app.crm", "app.crm.models", "app.crm.services"),
            "mail": ("app.mail", "app.mail.outbox"),
        },
    )


def context(plan: DecompositionPlan, name: str):  # type: ignore[no-untyped-def]
    return next(c for c in plan.contexts if c.name == name)


def test_call_whose_answer_is_used_is_a_rest_dependency() -> None:
    plan = shop_plan()
    (dependency,) = [d for d in plan.dependencies if (d.source, d.target) == ("sales", "crm")]
    assert dependency.style == "rest"
    assert "find" in dependency.operations


def test_call_whose_result_is_discarded_is_an_sqs_message() -> None:
    plan = shop_plan()
    (dependency,) = [d for d in plan.dependencies if (d.source, d.target) == ("sales", "mail")]
    assert dependency.style == "sqs"
    assert dependency.events == ("send_receipt",)
    assert "send_receipt" in context(plan, "mail").consumes


def test_exposed_operations_name_their_callers_and_call_sites() -> None:
    (operation,) = [o for o in context(shop_plan(), "crm").operations if o.name == "find"]
    assert operation.target == "app.crm.services:find"
    assert operation.callers == ("sales",)
    assert operation.locations == ("app/sales/services.py:7:16",)


def test_related_models_in_one_unit_of_work_need_aurora() -> None:
    store = context(shop_plan(), "sales").datastore
    assert store.kind == "aurora-postgresql"
    assert any("relation" in e for e in store.evidence)


def test_a_lone_model_read_by_key_gets_dynamodb() -> None:
    assert context(shop_plan(), "crm").datastore.kind == "dynamodb"


def test_context_without_models_has_no_datastore() -> None:
    assert context(shop_plan(), "mail").datastore.kind == "none"


def test_orm_relation_across_contexts_is_a_broken_relation() -> None:
    (broken,) = shop_plan().risks.broken_relations
    assert (broken.source_model, broken.target_model) == (
        "app.sales.models:Order",
        "app.crm.models:Customer",
    )
    assert (broken.source_context, broken.target_context) == ("sales", "crm")


def test_extraction_order_starts_with_the_least_entangled_context() -> None:
    order = [step.context for step in shop_plan().extraction_order]
    assert order[0] == "mail" and order[-1] == "sales"


def test_baseline_records_every_cross_context_dependency() -> None:
    baseline = {(b.source, b.target, b.kind) for b in shop_plan().baseline}
    assert ("app.sales.services", "app.crm.services", "call") in baseline
    assert all(not b.source.startswith("app.mail") for b in shop_plan().baseline)


def test_baseline_records_the_kernels_dependencies_on_contexts() -> None:
    # check fails where the shared kernel depends on a context (DEC002): the dependencies the
    # code already has when the plan is made are its baseline, or a fresh plan fails day one
    plan = planned(
        {
            "app/": "",
            "app.util": "from app.sales import place\ndef helper():\n    return place()\n",
            "app.sales": "from app import util\ndef place():\n    return 1\n",
            "app.crm": "from app import util\n",
        },
        {"sales": ("app.sales",), "crm": ("app.crm",)},
        kernel=("app", "app.util"),
    )
    baseline = {(b.source, b.target, b.kind) for b in plan.baseline}
    assert ("app.util", "app.sales", "import") in baseline
    assert ("app.util", "app.sales", "call") in baseline
    # what uses the kernel is allowed anyway, and is not recorded
    assert not {b for b in baseline if b[1] == "app.util"}


def test_members_and_entry_points_are_listed_per_context() -> None:
    sales = context(shop_plan(), "sales")
    assert sales.modules == ("app", "app.sales", "app.sales.models", "app.sales.services")
    assert {m.model for m in sales.owned_data} == {
        "app.sales.models:Order",
        "app.sales.models:OrderLine",
    }


def test_cycle_between_contexts_is_a_risk() -> None:
    plan = planned(
        {
            "app/": "",
            "app.a": "from app import b\ndef f():\n    return b.g()\n",
            "app.b": "from app import a\ndef g():\n    return a.f()\n",
        },
        {"first": ("app", "app.a"), "second": ("app.b",)},
    )
    assert plan.risks.cycles == (("first", "second"),)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefg"), st.sampled_from("abcdefg")), max_size=30))
def test_the_shortest_cycles_are_those_of_every_cycle_listed(pairs: list[tuple[str, str]]) -> None:
    # listed with a growing bound, stopping once there are enough: as listing them all
    contexts = nx.DiGraph(pairs)
    every = set()
    for cycle in nx.simple_cycles(contexts, length_bound=4):
        start = cycle.index(min(cycle))
        every.add(tuple(cycle[start:] + cycle[:start]))
    expected = tuple(sorted(every, key=lambda c: (len(c), c))[:20])
    assert _shortest_cycles(contexts) == expected


def test_operation_names_are_snake_case_identifiers() -> None:
    assert operation_name("shop.catalog.services:get_product") == "get_product"
    assert operation_name("shop.models:PriceTier") == "price_tier"
    assert operation_name("shop.catalog.views") == "views"
    assert operation_name("m:_private") == "private"
    assert len(operation_name("m:" + "x" * 200)) <= 56


def test_an_operation_name_the_service_keeps_or_a_keyword_gets_a_suffix() -> None:
    assert operation_name("shop.db:close") == "close_operation"
    assert operation_name("shop.ops:health") == "health_operation"
    assert operation_name("shop.lambda") == "lambda_operation"


def test_django_foreign_keys_point_at_the_target_key_and_stop_at_the_context() -> None:
    plan = planned(
        {
            "app/": "",
            "app.sales/": "",
            "app.sales.models": (
                "from django.db import models\n"
                "class Cart(models.Model):\n"
                "    token = models.UUIDField(primary_key=True)\n"
                "class Order(models.Model):\n"
                "    cart = models.ForeignKey(Cart, null=True, on_delete=models.SET_NULL)\n"
                "    customer = models.ForeignKey('crm.Customer', on_delete=models.CASCADE)\n"
                "    total = models.DecimalField(max_digits=8, decimal_places=2, default=0)\n"
            ),
            "app.crm/": "",
            "app.crm.models": CRM_MODELS,
        },
        {"sales": ("app", "app.sales", "app.sales.models"), "crm": ("app.crm", "app.crm.models")},
    )
    owned = {o.model: o for o in context(plan, "sales").owned_data}
    columns = {c.name: c for c in owned["app.sales.models:Order"].columns}
    assert [c for c in columns] == ["id", "cart_id", "customer_id", "total"]
    assert columns["id"].primary_key  # Django's implicit key
    assert (columns["cart_id"].type, columns["cart_id"].references) == ("Uuid", "cart.token")
    assert columns["cart_id"].nullable
    assert columns["customer_id"].references is None
    assert "owned by crm" in (columns["customer_id"].note or "")
    assert (columns["total"].type, columns["total"].default) == ("Numeric(8, 2)", 0)


def test_a_class_used_across_contexts_is_a_contract_never_an_operation() -> None:
    plan = planned(
        {
            "app.billing.errors": "class DeliveryError(Exception): ...\n",
            "app.billing.services": "def charge(amount):\n    return amount\n",
            "app.orders.services": (
                "from app.billing.errors import DeliveryError\n"
                "from app.billing.services import charge\n"
                "def place():\n"
                "    try:\n        return charge(1)\n"
                "    except DeliveryError:\n        raise DeliveryError()\n"
            ),
        },
        {
            "billing": ("app.billing.errors", "app.billing.services"),
            "orders": ("app.orders.services",),
        },
    )
    billing = context(plan, "billing")
    assert [op.name for op in billing.operations] == ["charge"]
    assert billing.contracts == ("app.billing.errors:DeliveryError",)


def test_a_proposal_worse_than_as_is_on_most_metrics_says_so_and_offers_it() -> None:
    from decomposer.models import AsIsSplit, CutMetrics
    from decomposer.plan import _compared

    def cut(q: float, crossing: int) -> CutMetrics:
        return CutMetrics(
            contexts=3, modularity=q, structural_modularity=q, icp=1 - q, ifn=crossing / 10,
            ned=0.0, bcp=1.0, cross_context_edges=crossing, cyclic_context_pairs=crossing // 10,
        )  # fmt: skip

    as_is = AsIsSplit(description="as-is", contexts=(), metrics=cut(0.6, 20))
    worse = _compared(as_is, cut(0.2, 90), ())
    assert [v.verdict for v in worse.comparison].count("worse") == 6
    assert worse.verdict.startswith("worse than the as-is split on 6 of 8 metrics")
    assert "is the alternative" in worse.verdict
    better = _compared(as_is, cut(0.7, 10), ())
    assert better.verdict.startswith("better than the as-is split on 6 of 8 metrics")


def test_a_context_named_after_a_keyword_or_device_package_gets_a_usable_name() -> None:
    plan = planned(
        {
            "app/": "",
            "app.crm/": "",
            "app.crm.services": "def find(i):\n    return i\n",
            "app.sales/": "",
            "app.sales.services": "from app.crm import services\ndef place(i):\n    return services.find(i)\n",
        },
        {
            "lambda": ("app", "app.sales", "app.sales.services"),
            "nul": ("app.crm", "app.crm.services"),
        },
    )
    assert [c.name for c in plan.contexts] == ["lambda_context", "nul_context"]
    (dependency,) = plan.dependencies
    assert (dependency.source, dependency.target) == ("lambda_context", "nul_context")
    assert context(plan, "nul_context").operations[0].callers == ("lambda_context",)
    assert context(plan, "lambda_context").metrics.units == 3


@pytest.mark.parametrize("name", ["nul", "con", "com1", "lpt9", "class", "lambda"])
def test_a_plan_naming_a_context_after_a_keyword_or_device_is_refused(name: str) -> None:
    document = shop_plan().model_dump(mode="json")
    document["contexts"][0]["name"] = name
    with pytest.raises(ValidationError, match=repr(name)):
        DecompositionPlan.model_validate(document)
