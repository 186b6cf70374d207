"""Refunds against captured payments."""

from __future__ import annotations

from typing import Any

from shop import db
from shop.models import Payment, Refund
from shop.payments.gateways import get_gateway
from shop.payments.gateways.base import GatewayError
from shop.utils import Conflict, ShopError, ValidationError, format_money


class RefundFailed(ShopError):
    status_code = 502
    code = "refund_failed"


def issue_refund(payment: Payment, amount_cents: int, reason: str = "") -> Refund:
    """Refund ``amount_cents`` of ``payment``. Caller commits."""
    if amount_cents <= 0:
        raise ValidationError("refund amount must be positive")
    if payment.status not in {"captured", "partially_refunded"}:
        raise Conflict(f"payment {payment.id} is {payment.status}; nothing to refund")
    if amount_cents > payment.refundable_cents:
        raise Conflict(
            "refund exceeds the refundable amount",
            refundable=format_money(payment.refundable_cents, payment.currency),
        )
    refund = Refund(payment=payment, amount_cents=amount_cents, reason=reason[:200])
    db.session.add(refund)
    gateway = get_gateway(payment.gateway)
    try:
        result = gateway.refund(payment.gateway_reference or "", amount_cents)
    except GatewayError as exc:
        refund.status = "failed"
        db.session.commit()
        raise RefundFailed(str(exc), payment_id=payment.id) from exc
    if not result.success:
        refund.status = "failed"
        db.session.commit()
        raise RefundFailed(result.message or "gateway refused the refund", payment_id=payment.id)
    refund.status = "succeeded"
    refund.gateway_reference = result.reference
    payment.refunded_cents += amount_cents
    payment.status = "refunded" if payment.refundable_cents == 0 else "partially_refunded"
    return refund


def refund_everything(payments: list[Payment], reason: str) -> list[Refund]:
    return [
        issue_refund(payment, payment.refundable_cents, reason)
        for payment in payments
        if payment.status in {"captured", "partially_refunded"} and payment.refundable_cents > 0
    ]


def serialize_refund(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "amount": format_money(refund.amount_cents, refund.payment.currency),
        "amount_cents": refund.amount_cents,
        "status": refund.status,
        "reason": refund.reason,
    }
