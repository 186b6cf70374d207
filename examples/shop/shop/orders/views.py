"""Cart and order endpoints for logged-in customers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from shop.customers.auth import current_customer, login_required
from shop.customers.services import default_address
from shop.orders import cart as carts
from shop.orders import services as order_services
from shop.utils import ValidationError, json_body, page_args, positive_int

bp = Blueprint("orders", __name__, url_prefix="/orders")


def _customer() -> Any:
    customer = current_customer()
    assert customer is not None
    return customer


def _cart_country(customer: Any) -> str:
    address = default_address(customer)
    return address.country if address else current_app.config["DEFAULT_COUNTRY"]


@bp.get("/cart")
@login_required
def show_cart() -> Any:
    customer = _customer()
    cart = carts.get_cart(customer)
    return jsonify(carts.serialize(cart, _cart_country(customer)))


@bp.post("/cart/items")
@login_required
def add_to_cart() -> Any:
    data = json_body("product_id")
    customer = _customer()
    cart = carts.get_cart(customer)
    item = carts.add_item(
        cart,
        positive_int(data["product_id"], "product_id"),
        positive_int(data.get("quantity", 1), "quantity"),
    )
    return jsonify({"item_id": item.id, **carts.serialize(cart, _cart_country(customer))}), 201


@bp.route("/cart/items/<int:item_id>", methods=["PATCH", "DELETE"])
@login_required
def change_cart_item(item_id: int) -> Any:
    customer = _customer()
    cart = carts.get_cart(customer)
    if request.method == "DELETE":
        carts.remove_item(cart, item_id)
    else:
        data = json_body("quantity")
        carts.update_item(cart, item_id, positive_int(data["quantity"], "quantity"))
    return jsonify(carts.serialize(cart, _cart_country(customer)))


@bp.post("/checkout")
@login_required
def checkout() -> Any:
    data = json_body("payment_token")
    customer = _customer()
    address_id = data.get("address_id")
    if address_id is None:
        address = default_address(customer)
        if address is None:
            raise ValidationError("add a shipping address before checking out")
        address_id = address.id
    order = order_services.place_order(
        customer,
        int(address_id),
        data["payment_token"],
        shipping_method=data.get("shipping_method", "parcelpost"),
        redeem_points=int(data.get("redeem_points", 0)),
    )
    return jsonify(order_services.serialize_order(order, detail=True)), 201


@bp.get("/")
@login_required
def my_orders() -> Any:
    page, per_page = page_args(current_app.config["PAGE_SIZE"])
    result = order_services.list_customer_orders(_customer().id, page, per_page)
    return jsonify(
        {"items": [order_services.serialize_order(o) for o in result.items], "meta": result.meta()}
    )


@bp.get("/<int:order_id>")
@login_required
def order_detail(order_id: int) -> Any:
    order = order_services.get_customer_order(_customer(), order_id)
    return jsonify(order_services.serialize_order(order, detail=True))


@bp.post("/<int:order_id>/cancel")
@login_required
def cancel(order_id: int) -> Any:
    order = order_services.get_customer_order(_customer(), order_id)
    reason = (request.get_json(silent=True) or {}).get("reason", "customer_request")
    order = order_services.cancel_order(order, reason=str(reason))
    return jsonify(order_services.serialize_order(order, detail=True))
