"""Periodic inventory jobs, run from cron through the Flask CLI."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app

from shop import events
from shop.inventory import services as inventory_services

if TYPE_CHECKING:
    from shop.models import StockItem

log = logging.getLogger(__name__)
REORDER_COVER_FACTOR = 3


def release_expired_reservations(now: datetime | None = None) -> list[int]:
    order_ids = inventory_services.expire_reservations(now)
    for order_id in order_ids:
        log.info("reservations of order %s expired", order_id)
        events.publish("reservation_expired", {"order_id": order_id})
    return order_ids


def reorder_row(item: StockItem, threshold: int) -> dict[str, Any]:
    """Suggest enough units to cover ``REORDER_COVER_FACTOR`` times the threshold."""
    target = max(item.reorder_level, threshold) * REORDER_COVER_FACTOR
    return {
        "sku": item.product.sku,
        "product": item.product.name,
        "warehouse": item.warehouse.code,
        "available": item.available,
        "suggested_reorder": max(0, target - item.available),
    }


def low_stock_report(threshold: int | None = None) -> list[dict[str, Any]]:
    if threshold is None:
        threshold = current_app.config["LOW_STOCK_THRESHOLD"]
    return [reorder_row(item, threshold) for item in inventory_services.low_stock(threshold)]
