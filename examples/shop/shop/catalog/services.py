"""Catalog business logic."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shop import db
from shop.constants import (
    SUPPORTED_CURRENCIES,
    TAX_CLASS_EXEMPT,
    TAX_CLASS_REDUCED,
    TAX_CLASS_STANDARD,
)
from shop.models import Category, PriceTier, Product
from shop.utils import (
    Conflict,
    NotFound,
    Page,
    ValidationError,
    format_money,
    paginate,
    positive_int,
    slugify,
    to_cents,
)

TAX_CLASSES = (TAX_CLASS_STANDARD, TAX_CLASS_REDUCED, TAX_CLASS_EXEMPT)


def get_product(product_id: int, active_only: bool = False) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or (active_only and not product.is_active):
        raise NotFound(f"product {product_id} not found")
    return product


def get_product_by_slug(slug: str) -> Product:
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None or not product.is_active:
        raise NotFound(f"product {slug!r} not found")
    return product


def get_product_by_sku(sku: str) -> Product:
    product = db.session.scalar(select(Product).where(Product.sku == sku.upper()))
    if product is None:
        raise NotFound(f"no product with sku {sku!r}")
    return product


def _unique_slug(model: type[Product] | type[Category], name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while db.session.scalar(select(model.id).where(model.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _validate_product_fields(data: dict[str, Any], partial: bool) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in data or not partial:
        name = str(data.get("name", "")).strip()
        if not 2 <= len(name) <= 200:
            raise ValidationError("name must be 2-200 characters")
        clean["name"] = name
    if "price" in data or not partial:
        cents = to_cents(data.get("price", ""))
        if cents < 0:
            raise ValidationError("price must not be negative")
        clean["price_cents"] = cents
    if "currency" in data:
        currency = str(data["currency"]).upper()
        if currency not in SUPPORTED_CURRENCIES:
            raise ValidationError(f"unsupported currency {currency}")
        clean["currency"] = currency
    if "tax_class" in data:
        if data["tax_class"] not in TAX_CLASSES:
            raise ValidationError("tax_class must be one of " + ", ".join(TAX_CLASSES))
        clean["tax_class"] = data["tax_class"]
    if "weight_grams" in data:
        clean["weight_grams"] = positive_int(data["weight_grams"], "weight_grams")
    if "description" in data:
        clean["description"] = str(data["description"])
    if "is_active" in data:
        clean["is_active"] = bool(data["is_active"])
    return clean


def create_product(data: dict[str, Any]) -> Product:
    sku = str(data.get("sku", "")).strip().upper()
    if not sku:
        raise ValidationError("sku is required")
    if db.session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        raise Conflict(f"sku {sku} already exists")
    fields = _validate_product_fields(data, partial=False)
    product = Product(sku=sku, slug=_unique_slug(Product, fields["name"]), **fields)
    if data.get("category"):
        product.category = get_category(data["category"])
    db.session.add(product)
    if data.get("price_tiers"):
        set_price_tiers(product, data["price_tiers"])
    db.session.commit()
    return product


def update_product(product_id: int, data: dict[str, Any]) -> Product:
    product = get_product(product_id)
    for key, value in _validate_product_fields(data, partial=True).items():
        setattr(product, key, value)
    if "category" in data:
        product.category = get_category(data["category"]) if data["category"] else None
    if "price_tiers" in data:
        set_price_tiers(product, data["price_tiers"])
    db.session.commit()
    return product


def set_price_tiers(product: Product, tiers: list[dict[str, Any]]) -> None:
    seen: set[int] = set()
    new_tiers = []
    for tier in tiers:
        min_qty = positive_int(tier.get("min_quantity"), "min_quantity")
        percent = positive_int(tier.get("percent_off"), "percent_off")
        if percent >= 100:
            raise ValidationError("percent_off must be below 100")
        if min_qty in seen:
            raise ValidationError(f"duplicate tier for quantity {min_qty}")
        seen.add(min_qty)
        new_tiers.append(PriceTier(min_quantity=min_qty, percent_off=percent))
    product.price_tiers = sorted(new_tiers, key=lambda t: t.min_quantity)


def archive_product(product_id: int) -> Product:
    product = get_product(product_id)
    product.is_active = False
    db.session.commit()
    return product


def list_products(
    page: int, per_page: int, category_slug: str | None = None, include_inactive: bool = False
) -> Page[Product]:
    stmt = select(Product).order_by(Product.name)
    if not include_inactive:
        stmt = stmt.where(Product.is_active.is_(True))
    if category_slug:
        stmt = stmt.where(Product.category_id.in_(category_ids_below(category_slug)))
    return paginate(db.session(), stmt, page, per_page)


def get_category(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(f"category {slug!r} not found")
    return category


def create_category(name: str, parent_slug: str | None = None, position: int = 0) -> Category:
    name = name.strip()
    if not name:
        raise ValidationError("category name is required")
    category = Category(name=name, slug=_unique_slug(Category, name), position=position)
    if parent_slug:
        category.parent = get_category(parent_slug)
    db.session.add(category)
    db.session.commit()
    return category


def category_ids_below(slug: str) -> list[int]:
    """Ids of the category ``slug`` and all of its descendants."""
    root = get_category(slug)
    ids, stack = [], [root]
    while stack:
        node = stack.pop()
        ids.append(node.id)
        stack.extend(node.children)
    return ids


def category_tree() -> list[dict[str, Any]]:
    roots = db.session.scalars(
        select(Category).where(Category.parent_id.is_(None)).order_by(Category.position)
    )

    def node(category: Category) -> dict[str, Any]:
        children = sorted(category.children, key=lambda c: (c.position, c.name))
        return {
            "name": category.name,
            "slug": category.slug,
            "children": [node(child) for child in children],
        }

    return [node(root) for root in roots]


def serialize_product(product: Product, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "slug": product.slug,
        "price": format_money(product.price_cents, product.currency),
        "price_cents": product.price_cents,
        "currency": product.currency,
        "category": product.category.slug if product.category else None,
        "is_active": product.is_active,
    }
    if product.compare_at_cents and product.compare_at_cents > product.price_cents:
        data["compare_at"] = format_money(product.compare_at_cents, product.currency)
    if detail:
        data["description"] = product.description
        data["weight_grams"] = product.weight_grams
        data["tax_class"] = product.tax_class
        data["price_tiers"] = [
            {"min_quantity": t.min_quantity, "percent_off": t.percent_off}
            for t in product.price_tiers
        ]
    return data
