"""Stage 7b, --with-code: crossing calls rewritten to clients and events, the rest marked."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest

from decomposer.models import DecompositionPlan, ModuleSource, RewriteResult, ScaffoldOptions
from decomposer.scaffold.boundary import Boundary
from decomposer.scaffold.infra import build_spec
from decomposer.scaffold.rewrite import migrate_service, rewrite_module
from decomposer.scaffold.services import build_services

PLAN = Path(__file__).resolve().parent.parent / "golden" / "scaffold" / "plan.json"

# The other contexts' code the snippets call: their signatures decide what can be rewritten.
TARGETS = {
    "shop.customers.services": """
        from shop.models import Address, Customer

        def get_address(customer_id: int, address_id: int) -> dict:
            ...

        def default_address(customer_id: int) -> Address | None:
            ...
    """,
    "shop.inventory.services": """
        from shop.models import Order

        def availability(product_id: int) -> int:
            ...

        def release_reservations(order_id: int) -> None:
            ...

        def reserve_stock(order: Order) -> None:
            ...
    """,
    "shop.customers.loyalty": "RATE = 100\n",
}


@pytest.fixture(scope="module")
def plan() -> DecompositionPlan:
    return DecompositionPlan.model_validate(json.loads(PLAN.read_text()))


def source(module: str, code: str, *, is_package: bool = False) -> ModuleSource:
    path = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
    return ModuleSource(
        module=module, path=path, is_package=is_package, text=textwrap.dedent(code).lstrip()
    )


def boundary_of(plan: DecompositionPlan, *extra: ModuleSource, context: str = "orders") -> Boundary:
    sources = {m: source(m, code) for m, code in TARGETS.items()}
    sources |= {s.module: s for s in extra}
    services = build_services(plan, build_spec(plan, ScaffoldOptions()))
    service = next(s for s in services.services if s.name == context)
    return Boundary.of(plan, service, sources)


def rewrite(
    plan: DecompositionPlan,
    code: str,
    *,
    module: str = "shop.orders.services",
    keep: frozenset[str] | None = None,
) -> RewriteResult:
    result = rewrite_module(source(module, code), boundary=boundary_of(plan), keep=keep)
    ast.parse(result.code)
    return result


def test_rest_call_becomes_a_call_of_the_generated_client(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.customers import services as customer_services


        def address_of(customer_id: int, address_id: int) -> dict:
            address = customer_services.get_address(customer_id, address_id=address_id)
            return address
        """,
    )
    assert result.code == textwrap.dedent(
        """\
        from orders_service import outbound


        def address_of(customer_id: int, address_id: int) -> dict:
            address = outbound.clients().customers.get_address(customer_id=customer_id, address_id=address_id).result
            return address
        """
    )
    assert [(n.kind, n.location) for n in result.rewritten] == [
        ("import-removed", "shop/orders/services.py:1"),
        ("rest-call", "shop/orders/services.py:5"),
    ]
    assert result.left == ()


def test_sqs_operation_becomes_a_published_event(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.inventory import services as inventory_services


        def cancel(order):
            inventory_services.release_reservations(order.id)
        """,
    )
    assert '    outbound.events().release_reservations({"order_id": order.id})\n' in result.code
    assert [n.kind for n in result.rewritten] == ["import-removed", "event-publish"]


def test_event_published_on_the_in_process_bus_goes_to_sqs(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop import events


        def place(order):
            events.publish("order_placed", {"order_id": order.id})
            events.publish("cart_cleared", {})
        """,
    )
    assert 'outbound.events().order_placed({"order_id": order.id})' in result.code
    assert 'events.publish("cart_cleared", {})' in result.code  # nobody else consumes it
    assert "from shop import events\n" in result.code  # the kernel's bus is still used
    assert [(n.kind, n.target, n.context) for n in result.rewritten] == [
        ("event-publish", "order_placed", "customers")
    ]


def test_comments_and_layout_of_a_rewritten_call_are_kept(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.inventory import services as inventory_services


        def cancel(order):
            # stock first, then money
            inventory_services.release_reservations(
                order.id,  # the id, never the order
            )
        """,
    )
    assert "    # stock first, then money\n" in result.code
    assert (
        "    outbound.events().release_reservations({\n"
        '        "order_id": order.id,  # the id, never the order\n'
        "    })\n"
    ) in result.code


def test_call_passing_an_orm_model_is_left_with_a_marker(plan: DecompositionPlan) -> None:
    code = """
        from shop.inventory import services as inventory_services


        def place(order):
            inventory_services.reserve_stock(order)
        """
    result = rewrite(plan, code)
    marker = (
        "    # decomposer: crosses into inventory (plan: dependencies orders -> inventory,"
        " operation reserve_stock) — not rewritten: argument order is the ORM model"
        " shop.models:Order: send its id\n"
        "    inventory_services.reserve_stock(order)\n"
    )
    assert marker in result.code
    assert [(n.kind, n.location) for n in result.left] == [
        ("import-still-used", "shop/orders/services.py:1"),
        ("orm-argument", "shop/orders/services.py:5"),
    ]
    assert result.rewritten == ()


def test_call_with_star_arguments_is_left(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.customers import services as customer_services


        def address_of(*args):
            return customer_services.get_address(*args)
        """,
    )
    assert [n.kind for n in result.left] == ["import-still-used", "star-arguments"]
    assert "customer_services.get_address(*args)" in result.code


def test_call_whose_result_is_used_as_an_object_is_left(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.customers import services as customer_services


        def country(customer_id, address_id):
            return customer_services.get_address(customer_id, address_id).country
        """,
    )
    assert "result-used" in [n.kind for n in result.left]


def test_call_returning_an_orm_model_is_left(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.customers.services import default_address


        def ship_to(customer):
            return default_address(customer.id)
        """,
    )
    assert "orm-result" in [n.kind for n in result.left]


def test_call_inside_the_same_context_is_untouched(plan: DecompositionPlan) -> None:
    code = """
        from shop.orders import cart as carts


        def checkout(customer):
            cart = carts.get_cart(customer)  # same service: stays a call
            return cart
        """
    result = rewrite(plan, code)
    assert result.code == textwrap.dedent(code).lstrip()
    assert result.rewritten == result.left == ()


def test_import_of_another_context_that_stays_used_is_marked(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.customers import loyalty  # points


        def points(cents):
            return cents // loyalty.RATE
        """,
    )
    assert result.code.startswith(
        "# decomposer: crosses into customers (plan: dependencies orders -> customers)"
        " — not rewritten: loyalty is still used 1 time(s) in this module\n"
        "from shop.customers import loyalty  # points\n"
    )
    assert [n.kind for n in result.left] == ["import-still-used", "direct-use"]


def test_existing_name_outbound_is_not_shadowed(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        """
        from shop.inventory import services as inventory_services

        outbound = []


        def cancel(order_id):
            inventory_services.release_reservations(order_id)
        """,
    )
    assert "from orders_service import outbound as _outbound" in result.code
    assert "_outbound.events().release_reservations(" in result.code


def test_symbols_of_a_split_module_are_copied_alone(plan: DecompositionPlan) -> None:
    result = rewrite(
        plan,
        '''
        """All the models."""

        from shop.db import Base

        LIMIT = 5


        class Customer(Base):
            pass


        class Order(Base):
            customer = Customer
            limit = LIMIT
        ''',
        module="shop.models",
        keep=frozenset({"Order"}),
    )
    assert "class Customer" not in result.code
    assert "class Order(Base):" in result.code
    assert "from shop.models import Customer, LIMIT" in result.code
    assert [(n.kind, n.target) for n in result.left] == [("orm-model", "shop.models:Customer")]


def test_a_module_that_does_not_parse_is_copied_as_it_is(plan: DecompositionPlan) -> None:
    broken = source("shop.orders.views", "def broken(:\n")
    result = rewrite_module(broken, boundary=boundary_of(plan))
    assert result.code == "def broken(:\n"
    assert [n.kind for n in result.left] == ["parse-error"]


def test_the_service_gets_its_modules_packages_and_split_symbols(plan: DecompositionPlan) -> None:
    modules = [
        source("shop.catalog.pricing", "X = 1\n"),
        source("shop.orders", '"""Orders."""\n', is_package=True),
        source("shop.orders.cart", "Y = 2\n"),
        source("shop.orders.services", "Z = 3\n"),
        source("shop.orders.views", "V = 4\n"),
        source("shop.models", "class Order:\n    pass\n"),
    ]
    migration = migrate_service(boundary_of(plan, *modules))
    root = "services/orders/orders_service/monolith"
    assert [c.destination.removeprefix(root) for c in migration.copies] == [
        "/models.py",
        "/shop/catalog/pricing.py",
        "/shop/orders/__init__.py",
        "/shop/orders/cart.py",
        "/shop/orders/services.py",
        "/shop/orders/views.py",
    ]
    assert migration.packages == (f"{root}/shop/__init__.py", f"{root}/shop/catalog/__init__.py")
