"""Shipping rate quotes across all enabled carriers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from shop.shipping.carriers import enabled_carriers, load_carrier
from shop.shipping.carriers.base import CarrierError, Rate
from shop.utils import ValidationError

if TYPE_CHECKING:
    from shop.models import Order

PACKAGING_GRAMS = 150
FREE_SHIPPING_LEVELS = {"standard"}


def parcel_weight(contents_grams: int) -> int:
    """Contents plus box; heavier shipments get sturdier (heavier) packaging."""
    packaging = PACKAGING_GRAMS if contents_grams < 5_000 else PACKAGING_GRAMS * 3
    return contents_grams + packaging


def origin_country() -> str:
    return str(current_app.config["DEFAULT_COUNTRY"])


def quotes(weight_grams: int, destination: str, origin: str | None = None) -> list[Rate]:
    origin = origin or origin_country()
    all_rates: list[Rate] = []
    for carrier in enabled_carriers(current_app.config["SHIPPING_CARRIERS"]):
        all_rates.extend(carrier.rates(weight_grams, origin, destination.upper()))
    return sorted(all_rates, key=lambda r: (r.cost_cents, r.estimated_days))


def quotes_for_order(order: Order) -> list[Rate]:
    return quotes(parcel_weight(order.weight_grams), order.country)


def _split_method(method: str) -> tuple[str, str | None]:
    carrier, _, level = method.partition(":")
    return carrier, level or None


def quote_for_order(order: Order, method: str) -> Rate:
    """Rate for ``carrier`` or ``carrier:service_level`` (cheapest level if omitted)."""
    carrier_code, level = _split_method(method)
    if carrier_code not in current_app.config["SHIPPING_CARRIERS"]:
        raise ValidationError(f"shipping method {method!r} is not available")
    carrier = load_carrier(carrier_code)
    rates = carrier.rates(parcel_weight(order.weight_grams), origin_country(), order.country)
    if level is not None:
        rates = [r for r in rates if r.service_level == level]
    if not rates:
        raise CarrierError(f"{carrier.name} cannot deliver this order to {order.country}")
    return min(rates, key=lambda r: r.cost_cents)


def shipping_cost_for_order(order: Order, method: str) -> int:
    rate = quote_for_order(order, method)
    threshold = current_app.config["FREE_SHIPPING_THRESHOLD_CENTS"]
    goods_value = order.subtotal_cents - order.discount_cents
    if rate.service_level in FREE_SHIPPING_LEVELS and goods_value >= threshold:
        return 0
    return rate.cost_cents
