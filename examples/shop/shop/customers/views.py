"""HTTP API for accounts and address books."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from shop.customers import auth, loyalty
from shop.customers import services as customer_services
from shop.utils import json_body

bp = Blueprint("customers", __name__, url_prefix="/customers")


def _me() -> Any:
    customer = auth.current_customer()
    assert customer is not None  # guaranteed by login_required
    return customer


@bp.post("/register")
def register() -> Any:
    data = json_body("email", "password", "full_name")
    customer = customer_services.register(
        data["email"],
        data["password"],
        data["full_name"],
        phone=data.get("phone"),
        marketing_opt_in=bool(data.get("marketing_opt_in")),
    )
    body = customer_services.serialize_customer(customer)
    body["token"] = auth.issue_token(customer)
    return jsonify(body), 201


@bp.post("/login")
def login() -> Any:
    data = json_body("email", "password")
    customer = customer_services.authenticate(data["email"], data["password"])
    return jsonify({"token": auth.issue_token(customer), "customer_id": customer.id})


@bp.route("/me", methods=["GET", "PATCH"])
@auth.login_required
def me() -> Any:
    customer = _me()
    if request.method == "PATCH":
        customer = customer_services.update_profile(customer, json_body())
    return jsonify(customer_services.serialize_customer(customer))


@bp.route("/me/addresses", methods=["GET", "POST"])
@auth.login_required
def addresses() -> Any:
    customer = _me()
    if request.method == "POST":
        address = customer_services.add_address(customer, json_body())
        return jsonify(customer_services.serialize_address(address)), 201
    return jsonify([customer_services.serialize_address(a) for a in customer.addresses])


@bp.delete("/me/addresses/<int:address_id>")
@auth.login_required
def delete_address(address_id: int) -> Any:
    customer_services.delete_address(_me(), address_id)
    return "", 204


@bp.get("/me/loyalty")
@auth.login_required
def loyalty_summary() -> Any:
    return jsonify(loyalty.summary(_me()))
