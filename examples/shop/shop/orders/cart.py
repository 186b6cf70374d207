"""The shopping cart. One cart per customer, priced on the fly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shop import db
from shop.catalog import pricing
from shop.catalog import services as catalog_services
from shop.constants import MAX_LINE_QUANTITY
from shop.inventory import services as inventory_services
from shop.models import Cart, CartItem, Customer
from shop.utils import Conflict, NotFound, ValidationError, format_money


def get_cart(customer: Customer) -> Cart:
    cart = db.session.scalar(select(Cart).where(Cart.customer_id == customer.id))
    if cart is None:
        cart = Cart(customer_id=customer.id)
        db.session.add(cart)
        db.session.flush()
    return cart


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise ValidationError(f"quantity must be between 1 and {MAX_LINE_QUANTITY}")


def _check_stock(product_id: int, quantity: int) -> None:
    available = inventory_services.availability(product_id)
    if quantity > available:
        raise Conflict("not enough stock", product_id=product_id, available=available)


def add_item(cart: Cart, product_id: int, quantity: int = 1) -> CartItem:
    product = catalog_services.get_product(product_id, active_only=True)
    if cart.items and cart.items[0].product.currency != product.currency:
        raise ValidationError("all items of a cart must share one currency")
    item = next((i for i in cart.items if i.product_id == product.id), None)
    new_quantity = quantity + (item.quantity if item else 0)
    _check_quantity(new_quantity)
    _check_stock(product.id, new_quantity)
    if item is None:
        item = CartItem(product=product, quantity=new_quantity)
        cart.items.append(item)
    else:
        item.quantity = new_quantity
    db.session.commit()
    return item


def _find_item(cart: Cart, item_id: int) -> CartItem:
    for item in cart.items:
        if item.id == item_id:
            return item
    raise NotFound(f"cart item {item_id} not found")


def update_item(cart: Cart, item_id: int, quantity: int) -> CartItem:
    item = _find_item(cart, item_id)
    _check_quantity(quantity)
    _check_stock(item.product_id, quantity)
    item.quantity = quantity
    db.session.commit()
    return item


def remove_item(cart: Cart, item_id: int) -> None:
    cart.items.remove(_find_item(cart, item_id))
    db.session.commit()


def clear(cart: Cart) -> None:
    """Empty the cart; the caller commits together with the order."""
    cart.items.clear()
    cart.coupon_code = None


def price(cart: Cart, country: str) -> tuple[list[pricing.PriceBreakdown], pricing.Totals]:
    inactive = [item.product.sku for item in cart.items if not item.product.is_active]
    if inactive:
        raise Conflict("some products are no longer available", skus=inactive)
    lines = pricing.price_lines(((i.product, i.quantity) for i in cart.items), country)
    return lines, pricing.summarize(lines)


def serialize(cart: Cart, country: str) -> dict[str, Any]:
    if not cart.items:
        return {"items": [], "subtotal": format_money(0), "total_cents": 0}
    lines, totals = price(cart, country)
    items = []
    for item, line in zip(cart.items, lines, strict=True):
        items.append(
            {
                "id": item.id,
                "product_id": item.product_id,
                "sku": item.product.sku,
                "name": item.product.name,
                "quantity": item.quantity,
                **line.as_dict(),
            }
        )
    return {
        "items": items,
        "subtotal": format_money(totals.subtotal_cents, totals.currency),
        "discount": format_money(totals.discount_cents, totals.currency),
        "tax": format_money(totals.tax_cents, totals.currency),
        "total": format_money(totals.total_cents, totals.currency),
        "total_cents": totals.total_cents,
    }
