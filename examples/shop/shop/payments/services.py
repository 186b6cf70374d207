"""Charging orders and reacting to gateway callbacks."""

from __future__ import annotations

import logging
from typing import Any

import shop.orders.services  # cycle: only attribute access at call time
from flask import current_app
from sqlalchemy import select

from shop import db, events
from shop.models import Order, Payment
from shop.payments import refunds
from shop.payments.gateways import get_gateway
from shop.payments.gateways.base import GatewayError, WebhookEvent
from shop.utils import Conflict, NotFound, ValidationError, format_money, utcnow

log = logging.getLogger(__name__)

RETRYABLE_ORDER_STATUSES = {"pending_payment", "payment_failed"}


def get_payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} not found")
    return payment


def _fail(payment: Payment, reason: str) -> Payment:
    payment.status = "failed"
    payment.failure_reason = reason[:200]
    shop.orders.services.mark_payment_failed(payment.order, reason)
    db.session.commit()
    return payment


def _captured(payment: Payment, amount_cents: int) -> Payment:
    payment.status = "captured"
    payment.captured_cents = amount_cents
    payment.captured_at = utcnow()
    shop.orders.services.mark_paid(payment.order)
    db.session.commit()
    events.publish(
        "payment_captured",
        {
            "payment_id": payment.id,
            "order_id": payment.order_id,
            "order_number": payment.order.number,
            "customer_id": payment.order.customer_id,
            "amount_cents": amount_cents,
            "currency": payment.currency,
        },
    )
    return payment


def charge(order: Order, token: str) -> Payment:
    """Authorize and capture the order total.

    Returns the payment; failures are recorded on it (and the order moves
    to ``payment_failed``) instead of raising, so the customer can retry.
    """
    if order.total_cents == 0:
        payment = Payment(order=order, gateway="none", amount_cents=0, currency=order.currency)
        db.session.add(payment)
        return _captured(payment, 0)

    gateway = get_gateway(current_app.config["PAYMENT_GATEWAY"])
    payment = Payment(
        order=order, gateway=gateway.name, amount_cents=order.total_cents, currency=order.currency
    )
    db.session.add(payment)
    try:
        result = gateway.authorize(order.total_cents, order.currency, token, order.number)
        if not result.success:
            return _fail(payment, result.message or result.status)
        payment.gateway_reference = result.reference
        payment.status = "authorized"
        result = gateway.capture(result.reference or "", order.total_cents)
    except GatewayError as exc:
        log.exception("gateway %s failed for order %s", gateway.name, order.number)
        return _fail(payment, f"gateway error: {exc}")
    if not result.success:
        return _fail(payment, result.message or "capture failed")
    if result.status == "captured":
        return _captured(payment, order.total_cents)
    # Asynchronous capture: the gateway will call the webhook endpoint.
    db.session.commit()
    return payment


def retry(order: Order, token: str) -> Payment:
    if order.status not in RETRYABLE_ORDER_STATUSES:
        raise Conflict(f"order {order.number} is {order.status}; nothing to pay")
    pending = [p for p in order.payments if p.status == "authorized"]
    if pending:
        raise Conflict("a payment for this order is still being processed")
    return charge(order, token)


def handle_webhook(gateway_name: str, body: bytes, signature: str | None) -> Payment:
    gateway = get_gateway(gateway_name)
    try:
        event: WebhookEvent = gateway.parse_webhook(body, signature)
    except GatewayError as exc:
        raise ValidationError(str(exc)) from exc
    payment = db.session.scalar(
        select(Payment).where(
            Payment.gateway == gateway.name, Payment.gateway_reference == event.reference
        )
    )
    if payment is None:
        raise NotFound(f"no payment with reference {event.reference}")
    if event.type == "capture.succeeded":
        if payment.status == "captured":
            return payment  # webhooks are delivered at least once
        return _captured(payment, event.amount_cents or payment.amount_cents)
    if event.type == "capture.failed":
        return _fail(payment, event.message or "capture failed")
    log.info("ignoring webhook %s for payment %s", event.type, payment.id)
    return payment


def refund_order(order: Order, reason: str) -> int:
    """Refund everything captured for ``order``; returns refunded cents. Caller commits."""
    issued = refunds.refund_everything(list(order.payments), reason)
    return sum(refund.amount_cents for refund in issued)


def refund_payment(payment_id: int, amount_cents: int, reason: str) -> Any:
    payment = get_payment(payment_id)
    refund = refunds.issue_refund(payment, amount_cents, reason)
    order = payment.order
    if all(p.status in {"refunded", "failed"} for p in order.payments):
        shop.orders.services.mark_refunded(order)
    db.session.commit()
    return refund


def serialize_payment(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "gateway": payment.gateway,
        "status": payment.status,
        "amount": format_money(payment.amount_cents, payment.currency),
        "amount_cents": payment.amount_cents,
        "captured_cents": payment.captured_cents,
        "refunded_cents": payment.refunded_cents,
        "failure_reason": payment.failure_reason,
        "refunds": [refunds.serialize_refund(r) for r in payment.refunds],
    }
