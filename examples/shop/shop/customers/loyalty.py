"""Loyalty programme: points are earned on captured payments and redeemed at checkout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select

from shop import db, events
from shop.models import Customer, LoyaltyTransaction
from shop.utils import ValidationError

if TYPE_CHECKING:
    from shop.catalog.pricing import Totals


@dataclass(frozen=True)
class Tier:
    name: str
    min_lifetime_points: int
    multiplier_percent: int


TIERS = (
    Tier("bronze", 0, 100),
    Tier("silver", 1_000, 125),
    Tier("gold", 5_000, 150),
)
MAX_REDEEM_SHARE_PERCENT = 50


def tier_for(customer: Customer) -> Tier:
    current = TIERS[0]
    for tier in TIERS:
        if customer.lifetime_points >= tier.min_lifetime_points:
            current = tier
    return current


def points_for_amount(amount_cents: int, tier: Tier) -> int:
    per_euro = current_app.config["LOYALTY_POINTS_PER_EURO"]
    return (amount_cents // 100) * per_euro * tier.multiplier_percent // 100


def point_value_cents() -> int:
    return int(current_app.config["LOYALTY_POINT_VALUE_CENTS"])


def max_redeemable_points(customer: Customer, totals: Totals) -> int:
    """Points can pay for at most half of the net order value."""
    net = totals.subtotal_cents - totals.discount_cents
    cap = net * MAX_REDEEM_SHARE_PERCENT // 100 // point_value_cents()
    return max(0, min(customer.loyalty_points, cap))


def _record(customer: Customer, points: int, reason: str, order_id: int | None) -> None:
    customer.loyalty_points += points
    if points > 0 and reason == "earned":
        customer.lifetime_points += points
    db.session.add(
        LoyaltyTransaction(customer=customer, points=points, reason=reason, order_id=order_id)
    )


def redeem_points(customer: Customer, points: int, order_id: int | None = None) -> int:
    """Deduct ``points`` and return their value in cents. Caller commits."""
    if points <= 0:
        return 0
    if points > customer.loyalty_points:
        raise ValidationError(
            "not enough loyalty points", available=customer.loyalty_points, requested=points
        )
    _record(customer, -points, "redeemed", order_id)
    return points * point_value_cents()


def restore_points(customer: Customer, points: int, order_id: int | None) -> None:
    if points > 0:
        _record(customer, points, "restored", order_id)


def award_points(customer: Customer, amount_cents: int, order_id: int | None) -> int:
    already = db.session.scalar(
        select(LoyaltyTransaction.id).where(
            LoyaltyTransaction.order_id == order_id, LoyaltyTransaction.reason == "earned"
        )
    )
    if order_id is not None and already is not None:
        return 0
    points = points_for_amount(amount_cents, tier_for(customer))
    if points:
        _record(customer, points, "earned", order_id)
    return points


@events.subscribe("payment_captured")
def on_payment_captured(payload: dict[str, Any]) -> None:
    customer = db.session.get(Customer, payload["customer_id"])
    if customer is None:
        return
    if award_points(customer, payload["amount_cents"], payload.get("order_id")):
        db.session.commit()


def summary(customer: Customer) -> dict[str, Any]:
    tier = tier_for(customer)
    next_tiers = [t for t in TIERS if t.min_lifetime_points > customer.lifetime_points]
    history = db.session.scalars(
        select(LoyaltyTransaction)
        .where(LoyaltyTransaction.customer_id == customer.id)
        .order_by(LoyaltyTransaction.created_at.desc(), LoyaltyTransaction.id.desc())
        .limit(20)
    )
    return {
        "points": customer.loyalty_points,
        "value_cents": customer.loyalty_points * point_value_cents(),
        "tier": tier.name,
        "next_tier": next_tiers[0].name if next_tiers else None,
        "points_to_next_tier": (
            next_tiers[0].min_lifetime_points - customer.lifetime_points if next_tiers else 0
        ),
        "history": [
            {"points": t.points, "reason": t.reason, "order_id": t.order_id} for t in history
        ],
    }
