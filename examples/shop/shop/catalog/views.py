"""Public storefront API and admin endpoints of the catalog."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from shop.catalog import pricing, search
from shop.customers.auth import admin_required
from shop.inventory import services as inventory_services
from shop.utils import ValidationError, json_body, page_args, positive_int

from . import services

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("/products")
def list_products() -> Any:
    page, per_page = page_args(current_app.config["PAGE_SIZE"])
    raw_query = request.args.get("q", "").strip()
    if raw_query:
        result = search.search_products(raw_query, page, per_page)
    else:
        result = services.list_products(page, per_page, request.args.get("category"))
    stock = inventory_services.availability_for([p.id for p in result.items])
    items = []
    for product in result.items:
        data = services.serialize_product(product)
        data["in_stock"] = stock.get(product.id, 0) > 0
        items.append(data)
    return jsonify({"items": items, "meta": result.meta()})


@bp.get("/products/<slug>")
def product_detail(slug: str) -> Any:
    product = services.get_product_by_slug(slug)
    data = services.serialize_product(product, detail=True)
    data["available"] = inventory_services.availability(product.id)
    return jsonify(data)


@bp.get("/products/<int:product_id>/price")
def price_quote(product_id: int) -> Any:
    product = services.get_product(product_id, active_only=True)
    quantity = positive_int(request.args.get("quantity", 1), "quantity")
    country = request.args.get("country", current_app.config["DEFAULT_COUNTRY"]).upper()
    try:
        breakdown = pricing.price_line(product, quantity, country)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return jsonify(breakdown.as_dict())


@bp.post("/products")
@admin_required
def create_product() -> Any:
    product = services.create_product(json_body("sku", "name", "price"))
    return jsonify(services.serialize_product(product, detail=True)), 201


@bp.route("/products/<int:product_id>", methods=["PATCH", "DELETE"])
@admin_required
def change_product(product_id: int) -> Any:
    if request.method == "DELETE":
        services.archive_product(product_id)
        return "", 204
    product = services.update_product(product_id, json_body())
    return jsonify(services.serialize_product(product, detail=True))


@bp.get("/categories")
def categories() -> Any:
    return jsonify(services.category_tree())


@bp.post("/categories")
@admin_required
def create_category() -> Any:
    data = json_body("name")
    category = services.create_category(
        data["name"], data.get("parent"), position=int(data.get("position", 0))
    )
    return jsonify({"slug": category.slug, "name": category.name}), 201
