"""Checkout and the order state machine."""

from __future__ import annotations

import logging
from typing import Any

from shop.payments import services as payment_services  # cycle: it imports us back
from sqlalchemy import select

from shop import db, events
from shop.catalog import pricing
from shop.customers import loyalty
from shop.customers import services as customer_services
from shop.inventory import services as inventory_services
from shop.models import Customer, Order, OrderLine
from shop.orders import cart as carts
from shop.shipping import rates as shipping_rates
from shop.utils import (
    Conflict,
    NotFound,
    Page,
    ShopError,
    ValidationError,
    format_money,
    generate_reference,
    paginate,
    utcnow,
)

log = logging.getLogger(__name__)

TRANSITIONS: dict[str, set[str]] = {
    "pending_payment": {"paid", "payment_failed", "cancelled"},
    "payment_failed": {"paid", "payment_failed", "cancelled"},
    "paid": {"shipped", "cancelled", "refunded"},
    "shipped": {"delivered"},
    "delivered": {"refunded"},
    "cancelled": set(),
    "refunded": set(),
}
CANCELLABLE = {"pending_payment", "payment_failed", "paid"}


class CheckoutError(ShopError):
    status_code = 422
    code = "checkout_failed"


class InvalidTransition(Conflict):
    code = "invalid_transition"


def _transition(order: Order, new_status: str) -> None:
    if new_status not in TRANSITIONS.get(order.status, set()):
        raise InvalidTransition(
            f"order {order.number} cannot go from {order.status} to {new_status}"
        )
    log.info("order %s: %s -> %s", order.number, order.status, new_status)
    order.status = new_status


def get_order(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return order


def get_customer_order(customer: Customer, order_id: int) -> Order:
    order = get_order(order_id)
    if order.customer_id != customer.id and not customer.is_admin:
        raise NotFound(f"order {order_id} not found")
    return order


def list_customer_orders(customer_id: int, page: int, per_page: int) -> Page[Order]:
    stmt = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )
    return paginate(db.session(), stmt, page, per_page)


def _build_lines(
    order: Order, breakdowns: list[pricing.PriceBreakdown], cart_items: list[Any]
) -> None:
    for item, line in zip(cart_items, breakdowns, strict=True):
        order.lines.append(
            OrderLine(
                product=item.product,
                sku=item.product.sku,
                name=item.product.name,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                discount_cents=line.discount_cents,
                tax_cents=line.tax_cents,
                line_total_cents=line.total_cents,
            )
        )


def place_order(
    customer: Customer,
    address_id: int,
    payment_token: str,
    shipping_method: str = "parcelpost",
    redeem_points: int = 0,
) -> Order:
    """Turn the customer's cart into an order, reserve stock and charge it."""
    cart = carts.get_cart(customer)
    if not cart.items:
        raise CheckoutError("the cart is empty")
    address = customer_services.get_address(customer.id, address_id)
    breakdowns, totals = carts.price(cart, address.country)

    order = Order(
        number=generate_reference("ORD"),
        customer=customer,
        shipping_address=address,
        country=address.country,
        currency=totals.currency,
        shipping_method=shipping_method,
    )
    if redeem_points:
        allowed = loyalty.max_redeemable_points(customer, totals)
        if redeem_points > allowed:
            raise ValidationError("too many points for this order", max_points=allowed)
        discount = loyalty.redeem_points(customer, redeem_points)
        breakdowns = pricing.apply_order_discount(breakdowns, discount)
        totals = pricing.summarize(breakdowns)
        order.points_redeemed = redeem_points
    _build_lines(order, breakdowns, list(cart.items))

    order.subtotal_cents = totals.subtotal_cents
    order.discount_cents = totals.discount_cents
    order.tax_cents = totals.tax_cents
    order.shipping_cents = shipping_rates.shipping_cost_for_order(order, shipping_method)
    order.total_cents = totals.total_cents + order.shipping_cents
    db.session.add(order)
    db.session.flush()

    inventory_services.reserve_stock(order)
    carts.clear(cart)
    db.session.commit()
    events.publish(
        "order_placed",
        {
            "order_id": order.id,
            "number": order.number,
            "customer_id": customer.id,
            "total_cents": order.total_cents,
            "currency": order.currency,
        },
    )
    payment_services.charge(order, payment_token)
    return order


def mark_paid(order: Order) -> None:
    """Called by the payments module once money has been captured."""
    _transition(order, "paid")
    order.paid_at = utcnow()


def mark_payment_failed(order: Order, reason: str) -> None:
    log.warning("payment for order %s failed: %s", order.number, reason)
    _transition(order, "payment_failed")


def mark_shipped(order: Order) -> None:
    _transition(order, "shipped")
    order.shipped_at = utcnow()


def mark_delivered(order: Order) -> None:
    _transition(order, "delivered")
    order.delivered_at = utcnow()


def mark_refunded(order: Order) -> None:
    if order.status != "cancelled":
        _transition(order, "refunded")


def cancel_order(order: Order, reason: str = "customer_request") -> Order:
    if order.status not in CANCELLABLE:
        raise InvalidTransition(f"order {order.number} is {order.status} and cannot be cancelled")
    was_paid = order.status == "paid"
    inventory_services.release_reservations(order.id)
    loyalty.restore_points(order.customer, order.points_redeemed, order.id)
    _transition(order, "cancelled")
    order.cancelled_at = utcnow()
    if was_paid:
        payment_services.refund_order(order, reason)
    db.session.commit()
    events.publish(
        "order_cancelled",
        {
            "order_id": order.id,
            "number": order.number,
            "customer_id": order.customer_id,
            "reason": reason,
            "refunded": was_paid,
        },
    )
    return order


@events.subscribe("reservation_expired")
def on_reservation_expired(payload: dict[str, Any]) -> None:
    """Unpaid orders whose stock reservation lapsed are cancelled."""
    order = db.session.get(Order, payload["order_id"])
    if order is not None and order.status in {"pending_payment", "payment_failed"}:
        cancel_order(order, reason="reservation_expired")


def serialize_order(order: Order, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "total": format_money(order.total_cents, order.currency),
        "total_cents": order.total_cents,
        "placed_at": order.placed_at.isoformat(),
    }
    if detail:
        data.update(
            subtotal_cents=order.subtotal_cents,
            discount_cents=order.discount_cents,
            shipping_cents=order.shipping_cents,
            tax_cents=order.tax_cents,
            points_redeemed=order.points_redeemed,
            shipping_method=order.shipping_method,
            shipping_address=order.shipping_address.one_line() if order.shipping_address else None,
            lines=[
                {
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price": format_money(line.unit_price_cents, order.currency),
                    "total": format_money(line.line_total_cents, order.currency),
                }
                for line in order.lines
            ],
            payments=[{"id": p.id, "status": p.status} for p in order.payments],
            shipments=[
                {"id": s.id, "status": s.status, "tracking_number": s.tracking_number}
                for s in order.shipments
            ],
        )
    return data
