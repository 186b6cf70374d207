"""Shipping endpoints: quotes, fulfilment and public tracking."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from shop.customers.auth import admin_required, current_customer, login_required
from shop.orders import services as order_services
from shop.shipping import rates
from shop.shipping import services as shipping_services
from shop.utils import ValidationError, json_body, positive_int

bp = Blueprint("shipping", __name__, url_prefix="/shipping")


@bp.get("/quotes")
def quote() -> Any:
    weight = positive_int(request.args.get("weight_grams"), "weight_grams")
    destination = request.args.get("country", "")
    if len(destination) != 2:
        raise ValidationError("country must be a two-letter code")
    return jsonify([r.as_dict() for r in rates.quotes(rates.parcel_weight(weight), destination)])


@bp.get("/orders/<int:order_id>/quotes")
@login_required
def order_quotes(order_id: int) -> Any:
    customer = current_customer()
    assert customer is not None
    order = order_services.get_customer_order(customer, order_id)
    return jsonify([r.as_dict() for r in rates.quotes_for_order(order)])


@bp.post("/shipments")
@admin_required
def create_shipment() -> Any:
    data = json_body("order_id")
    shipment = shipping_services.create_shipment(
        positive_int(data["order_id"], "order_id"), data.get("method")
    )
    return jsonify(shipping_services.serialize_shipment(shipment)), 201


@bp.post("/shipments/<int:shipment_id>/dispatch")
@admin_required
def dispatch(shipment_id: int) -> Any:
    shipment = shipping_services.dispatch_shipment(shipment_id)
    return jsonify(shipping_services.serialize_shipment(shipment, with_events=True))


@bp.route("/tracking/<carrier>", methods=["POST"])
def tracking_webhook(carrier: str) -> Any:
    shipment = shipping_services.record_tracking_webhook(carrier, json_body())
    return jsonify({"shipment_id": shipment.id, "status": shipment.status})


@bp.get("/track/<tracking_number>")
def track(tracking_number: str) -> Any:
    shipment = shipping_services.find_by_tracking_number(tracking_number)
    return jsonify(shipping_services.serialize_shipment(shipment, with_events=True))
