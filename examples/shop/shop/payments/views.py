"""Payment endpoints: status, retries, refunds and gateway webhooks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from shop.customers.auth import admin_required, current_customer, login_required
from shop.orders import services as order_services
from shop.payments import refunds
from shop.payments import services as payment_services
from shop.utils import NotFound, json_body, to_cents

bp = Blueprint("payments", __name__, url_prefix="/payments")

SIGNATURE_HEADERS = ("X-CardNet-Signature", "X-Webhook-Signature")


@bp.get("/<int:payment_id>")
@login_required
def show_payment(payment_id: int) -> Any:
    customer = current_customer()
    payment = payment_services.get_payment(payment_id)
    if customer is None or (payment.order.customer_id != customer.id and not customer.is_admin):
        raise NotFound(f"payment {payment_id} not found")
    return jsonify(payment_services.serialize_payment(payment))


@bp.post("/orders/<int:order_id>/retry")
@login_required
def retry_payment(order_id: int) -> Any:
    customer = current_customer()
    assert customer is not None
    order = order_services.get_customer_order(customer, order_id)
    payment = payment_services.retry(order, json_body("payment_token")["payment_token"])
    return jsonify(payment_services.serialize_payment(payment)), 201


@bp.post("/<int:payment_id>/refunds")
@admin_required
def create_refund(payment_id: int) -> Any:
    data = json_body("amount")
    refund = payment_services.refund_payment(
        payment_id, to_cents(data["amount"]), str(data.get("reason", ""))
    )
    return jsonify(refunds.serialize_refund(refund)), 201


@bp.post("/webhooks/<gateway>")
def gateway_webhook(gateway: str) -> Any:
    signature = next((request.headers[h] for h in SIGNATURE_HEADERS if h in request.headers), None)
    payment = payment_services.handle_webhook(gateway, request.get_data(), signature)
    return jsonify({"payment_id": payment.id, "status": payment.status})
