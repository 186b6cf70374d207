"""Stock keeping and reservations."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from shop import db
from shop.catalog import services as catalog_services
from shop.models import Order, Reservation, StockItem, StockMovement, Warehouse
from shop.utils import Conflict, NotFound, ShopError, ValidationError, utcnow


class OutOfStock(ShopError):
    status_code = 409
    code = "out_of_stock"


def create_warehouse(code: str, name: str, country: str = "DE", priority: int = 100) -> Warehouse:
    code = code.strip().upper()
    if not code or len(code) > 16:
        raise ValidationError("warehouse code must be 1-16 characters")
    if db.session.scalar(select(Warehouse.id).where(Warehouse.code == code)):
        raise Conflict(f"warehouse {code} already exists")
    warehouse = Warehouse(code=code, name=name, country=country.upper(), priority=priority)
    db.session.add(warehouse)
    db.session.commit()
    return warehouse


def list_warehouses() -> list[Warehouse]:
    return list(db.session.scalars(select(Warehouse).order_by(Warehouse.priority, Warehouse.code)))


def get_warehouse(code: str) -> Warehouse:
    warehouse = db.session.scalar(select(Warehouse).where(Warehouse.code == code.upper()))
    if warehouse is None or not warehouse.is_active:
        raise NotFound(f"warehouse {code} not found")
    return warehouse


def _stock_item(product_id: int, warehouse: Warehouse) -> StockItem:
    item = db.session.scalar(
        select(StockItem).where(
            StockItem.product_id == product_id, StockItem.warehouse_id == warehouse.id
        )
    )
    if item is None:
        item = StockItem(product_id=product_id, warehouse=warehouse, on_hand=0, reserved=0)
        db.session.add(item)
    return item


def _move(item: StockItem, delta: int, reason: str, reference: str | None) -> None:
    item.on_hand += delta
    db.session.add(StockMovement(stock_item=item, delta=delta, reason=reason, reference=reference))


def receive_stock(
    sku: str, warehouse_code: str, quantity: int, reference: str | None = None
) -> StockItem:
    if quantity <= 0:
        raise ValidationError("received quantity must be positive")
    product = catalog_services.get_product_by_sku(sku)
    item = _stock_item(product.id, get_warehouse(warehouse_code))
    _move(item, quantity, "received", reference)
    db.session.commit()
    return item


def adjust_stock(sku: str, warehouse_code: str, delta: int, reason: str) -> StockItem:
    """Manual correction after a stock count, damage or loss."""
    if delta == 0:
        raise ValidationError("delta must not be zero")
    if reason not in {"count", "damaged", "lost", "found", "returned"}:
        raise ValidationError(f"unknown adjustment reason {reason!r}")
    product = catalog_services.get_product_by_sku(sku)
    item = _stock_item(product.id, get_warehouse(warehouse_code))
    if item.on_hand + delta < item.reserved:
        raise Conflict(
            "adjustment would leave reserved units uncovered",
            on_hand=item.on_hand,
            reserved=item.reserved,
        )
    _move(item, delta, reason, None)
    db.session.commit()
    return item


def availability(product_id: int) -> int:
    return availability_for([product_id]).get(product_id, 0)


def availability_for(product_ids: list[int]) -> dict[int, int]:
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(StockItem.product_id, func.sum(StockItem.on_hand - StockItem.reserved))
        .join(Warehouse)
        .where(StockItem.product_id.in_(product_ids), Warehouse.is_active.is_(True))
        .group_by(StockItem.product_id)
    )
    return {product_id: int(total or 0) for product_id, total in rows}


def availability_by_warehouse(product_id: int) -> list[dict[str, Any]]:
    items = db.session.scalars(
        select(StockItem).join(Warehouse).where(StockItem.product_id == product_id)
    )
    return [
        {
            "warehouse": item.warehouse.code,
            "on_hand": item.on_hand,
            "reserved": item.reserved,
            "available": item.available,
        }
        for item in items
    ]


def _candidate_items(product_id: int, country: str) -> list[StockItem]:
    items = db.session.scalars(
        select(StockItem)
        .join(Warehouse)
        .where(StockItem.product_id == product_id, Warehouse.is_active.is_(True))
    )
    # Ship from the destination country first, then by warehouse priority.
    return sorted(items, key=lambda i: (i.warehouse.country != country, i.warehouse.priority, i.id))


def reserve_stock(order: Order) -> list[Reservation]:
    """Reserve every line of ``order``, splitting across warehouses if needed.

    All or nothing: if any line cannot be covered nothing is reserved.
    """
    ttl = timedelta(minutes=current_app.config["RESERVATION_TTL_MINUTES"])
    allocations: list[tuple[StockItem, int]] = []
    taken: dict[int, int] = defaultdict(int)
    shortages: dict[str, int] = {}
    for line in order.lines:
        missing = line.quantity
        for item in _candidate_items(line.product_id, order.country):
            take = min(item.available - taken[item.id], missing)
            if take <= 0:
                continue
            allocations.append((item, take))
            taken[item.id] += take
            missing -= take
            if missing == 0:
                break
        if missing:
            shortages[line.sku] = missing
    if shortages:
        raise OutOfStock("not enough stock", missing=shortages)
    expires_at = utcnow() + ttl
    reservations = []
    for item, quantity in allocations:
        item.reserved += quantity
        reservations.append(
            Reservation(stock_item=item, order=order, quantity=quantity, expires_at=expires_at)
        )
    db.session.add_all(reservations)
    db.session.flush()
    return reservations


def _active_reservations(order_id: int) -> list[Reservation]:
    return list(
        db.session.scalars(
            select(Reservation).where(
                Reservation.order_id == order_id, Reservation.status == "active"
            )
        )
    )


def release_reservations(order_id: int, status: str = "released") -> int:
    """Give reserved units back to the available pool. Caller commits."""
    released = 0
    for reservation in _active_reservations(order_id):
        reservation.stock_item.reserved -= reservation.quantity
        reservation.status = status
        released += reservation.quantity
    return released


def commit_reservations(order_id: int, reference: str | None = None) -> int:
    """The goods left the building: turn reservations into stock movements."""
    shipped = 0
    for reservation in _active_reservations(order_id):
        item = reservation.stock_item
        item.reserved -= reservation.quantity
        _move(item, -reservation.quantity, "shipped", reference)
        reservation.status = "committed"
        shipped += reservation.quantity
    return shipped


def fulfilment_warehouse(order_id: int) -> Warehouse | None:
    """Warehouse holding most of the order's reserved units."""
    units: dict[int, int] = defaultdict(int)
    warehouses: dict[int, Warehouse] = {}
    for reservation in _active_reservations(order_id):
        warehouse = reservation.stock_item.warehouse
        units[warehouse.id] += reservation.quantity
        warehouses[warehouse.id] = warehouse
    if not units:
        return None
    return warehouses[max(units, key=lambda wid: (units[wid], -wid))]


def expire_reservations(now: datetime | None = None) -> list[int]:
    """Release reservations past their deadline; returns affected order ids."""
    now = now or utcnow()
    expired = db.session.scalars(
        select(Reservation).where(Reservation.status == "active", Reservation.expires_at < now)
    )
    order_ids: set[int] = set()
    for reservation in expired:
        reservation.stock_item.reserved -= reservation.quantity
        reservation.status = "expired"
        order_ids.add(reservation.order_id)
    db.session.commit()
    return sorted(order_ids)


def low_stock(threshold: int) -> list[StockItem]:
    items = db.session.scalars(
        select(StockItem).join(Warehouse).where(Warehouse.is_active.is_(True))
    )
    low = [item for item in items if item.available <= max(item.reorder_level, threshold)]
    return sorted(low, key=lambda item: (item.available, item.id))
