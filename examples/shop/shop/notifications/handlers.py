"""Event subscribers that turn business events into customer messages."""

from __future__ import annotations

from typing import Any

from shop import events
from shop.customers import services as customer_services
from shop.notifications import services as notification_services
from shop.utils import format_money


@events.subscribe("customer_registered")
def on_customer_registered(payload: dict[str, Any]) -> None:
    customer = customer_services.get_customer(payload["customer_id"])
    notification_services.notify_customer(customer, "welcome", {})


@events.subscribe("order_placed")
def on_order_placed(payload: dict[str, Any]) -> None:
    customer = customer_services.get_customer(payload["customer_id"])
    notification_services.notify_customer(
        customer,
        "order_placed",
        {
            "number": payload["number"],
            "total": format_money(payload["total_cents"], payload["currency"]),
        },
    )


@events.subscribe("payment_captured")
def on_payment_captured(payload: dict[str, Any]) -> None:
    if payload["amount_cents"] == 0:
        return  # paid entirely with loyalty points; the order mail is enough
    customer = customer_services.get_customer(payload["customer_id"])
    order_number = payload.get("order_number") or f"#{payload['order_id']}"
    notification_services.notify_customer(
        customer,
        "payment_captured",
        {
            "number": order_number,
            "amount": format_money(payload["amount_cents"], payload["currency"]),
        },
    )


@events.subscribe("shipment_dispatched")
def on_shipment_dispatched(payload: dict[str, Any]) -> None:
    customer = customer_services.get_customer(payload["customer_id"])
    notification_services.notify_customer(
        customer,
        "shipment_dispatched",
        {
            "number": payload["order_number"],
            "carrier": payload["carrier"],
            "tracking_url": payload["tracking_url"],
        },
    )


@events.subscribe("order_cancelled")
def on_order_cancelled(payload: dict[str, Any]) -> None:
    customer = customer_services.get_customer(payload["customer_id"])
    note = (
        "\nThe full amount will be refunded to your original payment method."
        if payload.get("refunded")
        else ""
    )
    notification_services.notify_customer(
        customer,
        "order_cancelled",
        {
            "number": payload["number"],
            "reason": payload["reason"].replace("_", " "),
            "refund_note": note,
        },
    )
