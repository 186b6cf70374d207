"""Back-office API for warehouses and stock."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from shop.customers.auth import admin_required
from shop.inventory import services as inventory_services
from shop.inventory import tasks
from shop.utils import json_body, positive_int

bp = Blueprint("inventory", __name__, url_prefix="/inventory")


def _stock_json(item: Any) -> dict[str, Any]:
    return {
        "product_id": item.product_id,
        "warehouse": item.warehouse.code,
        "on_hand": item.on_hand,
        "reserved": item.reserved,
        "available": item.available,
    }


@bp.route("/warehouses", methods=["GET", "POST"])
@admin_required
def warehouses() -> Any:
    if request.method == "POST":
        data = json_body("code", "name")
        warehouse = inventory_services.create_warehouse(
            data["code"], data["name"], data.get("country", "DE"), int(data.get("priority", 100))
        )
        return jsonify({"id": warehouse.id, "code": warehouse.code}), 201
    return jsonify(
        [
            {"code": w.code, "name": w.name, "country": w.country, "priority": w.priority}
            for w in inventory_services.list_warehouses()
        ]
    )


@bp.post("/stock/receive")
@admin_required
def receive() -> Any:
    data = json_body("sku", "warehouse", "quantity")
    item = inventory_services.receive_stock(
        data["sku"],
        data["warehouse"],
        positive_int(data["quantity"], "quantity"),
        reference=data.get("reference"),
    )
    return jsonify(_stock_json(item)), 201


@bp.post("/stock/adjust")
@admin_required
def adjust() -> Any:
    data = json_body("sku", "warehouse", "delta", "reason")
    item = inventory_services.adjust_stock(
        data["sku"], data["warehouse"], int(data["delta"]), data["reason"]
    )
    return jsonify(_stock_json(item))


@bp.get("/products/<int:product_id>/availability")
def availability(product_id: int) -> Any:
    return jsonify(
        {
            "product_id": product_id,
            "available": inventory_services.availability(product_id),
            "warehouses": inventory_services.availability_by_warehouse(product_id),
        }
    )


@bp.get("/low-stock")
@admin_required
def low_stock() -> Any:
    threshold = request.args.get("threshold")
    return jsonify(tasks.low_stock_report(int(threshold) if threshold else None))
