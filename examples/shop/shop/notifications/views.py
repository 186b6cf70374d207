"""Customer message history and outbox administration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from shop.customers.auth import admin_required, current_customer, login_required
from shop.notifications import services as notification_services
from shop.utils import page_args

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def my_notifications() -> Any:
    customer = current_customer()
    assert customer is not None
    page, per_page = page_args(current_app.config["PAGE_SIZE"])
    result = notification_services.list_for_customer(customer.id, page, per_page)
    return jsonify(
        {
            "items": [notification_services.serialize(n) for n in result.items],
            "meta": result.meta(),
        }
    )


@bp.post("/flush")
@admin_required
def flush() -> Any:
    limit = int(request.args.get("limit", 100))
    return jsonify(notification_services.flush_outbox(limit))


@bp.get("/templates")
@admin_required
def templates() -> Any:
    return jsonify(
        {name: sorted(channels) for name, channels in notification_services.TEMPLATES.items()}
    )
