"""Product search with a small query language.

``red shoes price:10..50 category:footwear sort:-price`` searches for the
words "red" and "shoes" in name, sku and description, restricted to a price
range and a category subtree, sorted by descending price.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, or_, select

from shop import db
from shop.catalog import services as catalog_services
from shop.models import Product
from shop.utils import Page, ValidationError, paginate, to_cents

SORTS = {
    "name": Product.name.asc(),
    "-name": Product.name.desc(),
    "price": Product.price_cents.asc(),
    "-price": Product.price_cents.desc(),
    "newest": Product.created_at.desc(),
}


@dataclass
class SearchQuery:
    terms: list[str] = field(default_factory=list)
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    category: str | None = None
    sort: str = "name"

    @property
    def is_empty(self) -> bool:
        return (
            not (self.terms or self.category)
            and self.min_price_cents is None
            and (self.max_price_cents is None)
        )


def _parse_price_range(value: str) -> tuple[int | None, int | None]:
    low, sep, high = value.partition("..")
    if not sep:
        exact = to_cents(low)
        return exact, exact
    return (to_cents(low) if low else None, to_cents(high) if high else None)


def parse_query(raw: str) -> SearchQuery:
    query = SearchQuery()
    try:
        tokens = shlex.split(raw)
    except ValueError as exc:
        raise ValidationError(f"malformed search query: {exc}") from exc
    for token in tokens:
        key, sep, value = token.partition(":")
        if not sep or not value:
            query.terms.append(token.lower())
        elif key == "price":
            query.min_price_cents, query.max_price_cents = _parse_price_range(value)
        elif key == "category":
            query.category = value
        elif key == "sort":
            if value not in SORTS:
                raise ValidationError(f"unknown sort {value!r}", allowed=sorted(SORTS))
            query.sort = value
        else:
            query.terms.append(token.lower())
    if (
        query.min_price_cents is not None
        and query.max_price_cents is not None
        and query.min_price_cents > query.max_price_cents
    ):
        raise ValidationError("price range is inverted")
    return query


def build_statement(query: SearchQuery) -> Select[tuple[Product]]:
    stmt = select(Product).where(Product.is_active.is_(True))
    for term in query.terms:
        pattern = f"%{term}%"
        stmt = stmt.where(
            or_(
                Product.name.ilike(pattern),
                Product.sku.ilike(pattern),
                Product.description.ilike(pattern),
            )
        )
    price_filters = []
    if query.min_price_cents is not None:
        price_filters.append(Product.price_cents >= query.min_price_cents)
    if query.max_price_cents is not None:
        price_filters.append(Product.price_cents <= query.max_price_cents)
    if price_filters:
        stmt = stmt.where(and_(*price_filters))
    if query.category:
        stmt = stmt.where(
            Product.category_id.in_(catalog_services.category_ids_below(query.category))
        )
    return stmt.order_by(SORTS[query.sort], Product.id)


def relevance(product: Product, terms: list[str]) -> int:
    """Crude relevance: name hits weigh more than description hits."""
    score = 0
    name, description = product.name.lower(), product.description.lower()
    for term in terms:
        if product.sku.lower() == term:
            score += 100
        if name.startswith(term):
            score += 20
        score += 10 * name.count(term) + description.count(term)
    return score


def search_products(raw: str, page: int, per_page: int) -> Page[Product]:
    query = parse_query(raw)
    result = paginate(db.session(), build_statement(query), page, per_page)
    if query.terms and query.sort == "name":
        result.items.sort(key=lambda p: relevance(p, query.terms), reverse=True)
    return result
