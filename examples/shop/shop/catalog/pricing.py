"""Price calculation: volume tiers, discounts and VAT per destination."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from shop.constants import *
from shop.models import Product

from ..utils import allocate, format_money, percent_of


@dataclass(frozen=True)
class PriceBreakdown:
    product_id: int
    quantity: int
    unit_price_cents: int
    gross_cents: int
    discount_cents: int
    tax_rate: int
    tax_cents: int
    currency: str = DEFAULT_CURRENCY

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.discount_cents

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents

    def as_dict(self) -> dict[str, object]:
        return {
            "product_id": self.product_id,
            "quantity": self.quantity,
            "unit_price": format_money(self.unit_price_cents, self.currency),
            "discount": format_money(self.discount_cents, self.currency),
            "tax_rate": self.tax_rate,
            "tax": format_money(self.tax_cents, self.currency),
            "total": format_money(self.total_cents, self.currency),
            "total_cents": self.total_cents,
        }


@dataclass(frozen=True)
class Totals:
    subtotal_cents: int
    discount_cents: int
    tax_cents: int
    currency: str

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents - self.discount_cents + self.tax_cents


def tax_rate_for(tax_class: str, country: str) -> int:
    country = country.upper()
    if tax_class == TAX_CLASS_EXEMPT:
        return 0
    table = REDUCED_TAX_RATES if tax_class == TAX_CLASS_REDUCED else TAX_RATES
    if country not in table:
        return TAX_RATES.get("DE", 19) if tax_class == TAX_CLASS_STANDARD else 0
    return table[country]


def tier_percent_off(product: Product, quantity: int) -> int:
    """Best volume discount the product offers for ``quantity`` units."""
    eligible = [t.percent_off for t in product.price_tiers if quantity >= t.min_quantity]
    return max(eligible, default=0)


def price_line(product: Product, quantity: int, country: str) -> PriceBreakdown:
    if quantity < 1 or quantity > MAX_LINE_QUANTITY:
        raise ValueError(f"quantity must be between 1 and {MAX_LINE_QUANTITY}")
    gross = product.price_cents * quantity
    discount = percent_of(gross, tier_percent_off(product, quantity))
    rate = tax_rate_for(product.tax_class, country)
    return PriceBreakdown(
        product_id=product.id,
        quantity=quantity,
        unit_price_cents=product.price_cents,
        gross_cents=gross,
        discount_cents=discount,
        tax_rate=rate,
        tax_cents=percent_of(gross - discount, rate),
        currency=product.currency,
    )


def price_lines(items: Iterable[tuple[Product, int]], country: str) -> list[PriceBreakdown]:
    return [price_line(product, quantity, country) for product, quantity in items]


def apply_order_discount(
    lines: Sequence[PriceBreakdown], discount_cents: int
) -> list[PriceBreakdown]:
    """Spread an order level discount over the lines and recompute their tax.

    The discount is capped at the net value of the order; VAT must be
    charged on what the customer actually pays.
    """
    if discount_cents <= 0 or not lines:
        return list(lines)
    capped = min(discount_cents, sum(line.net_cents for line in lines))
    shares = allocate(capped, [line.net_cents for line in lines])
    adjusted = []
    for line, share in zip(lines, shares, strict=True):
        discount = line.discount_cents + share
        adjusted.append(
            replace(
                line,
                discount_cents=discount,
                tax_cents=percent_of(line.gross_cents - discount, line.tax_rate),
            )
        )
    return adjusted


def summarize(lines: Sequence[PriceBreakdown]) -> Totals:
    currencies = {line.currency for line in lines} or {DEFAULT_CURRENCY}
    if len(currencies) > 1:
        raise ValueError("cannot mix currencies in one order")
    return Totals(
        subtotal_cents=sum(line.gross_cents for line in lines),
        discount_cents=sum(line.discount_cents for line in lines),
        tax_cents=sum(line.tax_cents for line in lines),
        currency=currencies.pop(),
    )
