"""Shipments: labels, dispatch and tracking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from shop import db, events
from shop.inventory import services as inventory_services
from shop.models import Shipment, ShipmentEvent
from shop.orders import services as order_services
from shop.shipping import rates
from shop.shipping.carriers import load_carrier
from shop.shipping.carriers.base import TrackingUpdate
from shop.utils import Conflict, NotFound, utcnow

ACTIVE_STATUSES = {"label_created", "dispatched", "in_transit"}
STATUS_ORDER = ["label_created", "dispatched", "in_transit", "delivered", "returned"]


def get_shipment(shipment_id: int) -> Shipment:
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    return shipment


def find_by_tracking_number(tracking_number: str) -> Shipment:
    shipment = db.session.scalar(
        select(Shipment).where(Shipment.tracking_number == tracking_number)
    )
    if shipment is None:
        raise NotFound(f"unknown tracking number {tracking_number}")
    return shipment


def _add_event(shipment: Shipment, status: str, location: str = "", description: str = "") -> None:
    shipment.events.append(
        ShipmentEvent(status=status, location=location, description=description or status)
    )


def create_shipment(order_id: int, method: str | None = None) -> Shipment:
    """Buy a label for a paid order from the warehouse holding its stock."""
    order = order_services.get_order(order_id)
    if order.status != "paid":
        raise Conflict(f"order {order.number} is {order.status}; only paid orders ship")
    if any(s.status in ACTIVE_STATUSES for s in order.shipments):
        raise Conflict(f"order {order.number} already has an active shipment")
    warehouse = inventory_services.fulfilment_warehouse(order.id)
    origin = warehouse.country if warehouse else rates.origin_country()
    rate = rates.quote_for_order(order, method or order.shipping_method)
    carrier = load_carrier(rate.carrier)
    weight = rates.parcel_weight(order.weight_grams)
    label = carrier.create_label(order.number, weight, origin, order.country, rate.service_level)
    shipment = Shipment(
        order=order,
        warehouse=warehouse,
        carrier=carrier.code,
        service_level=rate.service_level,
        tracking_number=label.tracking_number,
        label_url=label.label_url,
        cost_cents=label.cost_cents,
        weight_grams=weight,
    )
    _add_event(shipment, "label_created", warehouse.code if warehouse else "")
    db.session.add(shipment)
    db.session.commit()
    return shipment


def dispatch_shipment(shipment_id: int) -> Shipment:
    shipment = get_shipment(shipment_id)
    if shipment.status != "label_created":
        raise Conflict(f"shipment {shipment.id} is already {shipment.status}")
    order = shipment.order
    inventory_services.commit_reservations(order.id, reference=shipment.tracking_number)
    order_services.mark_shipped(order)
    shipment.status = "dispatched"
    shipment.dispatched_at = utcnow()
    _add_event(shipment, "dispatched", shipment.warehouse.code if shipment.warehouse else "")
    db.session.commit()
    carrier = load_carrier(shipment.carrier)
    events.publish(
        "shipment_dispatched",
        {
            "shipment_id": shipment.id,
            "order_id": order.id,
            "order_number": order.number,
            "customer_id": order.customer_id,
            "carrier": carrier.name,
            "tracking_number": shipment.tracking_number,
            "tracking_url": carrier.tracking_url(shipment.tracking_number or ""),
        },
    )
    return shipment


def _is_progress(current: str, new: str) -> bool:
    return STATUS_ORDER.index(new) > STATUS_ORDER.index(current) or new == "in_transit"


def apply_tracking_update(update: TrackingUpdate) -> Shipment:
    shipment = find_by_tracking_number(update.tracking_number)
    _add_event(shipment, update.status, update.location, update.description)
    if not _is_progress(shipment.status, update.status):
        db.session.commit()  # keep the event, ignore out-of-order status
        return shipment
    shipment.status = update.status
    if update.status == "delivered":
        shipment.delivered_at = utcnow()
        order_services.mark_delivered(shipment.order)
    db.session.commit()
    if update.status == "delivered":
        events.publish(
            "shipment_delivered",
            {"shipment_id": shipment.id, "order_id": shipment.order_id},
        )
    return shipment


def record_tracking_webhook(carrier_code: str, payload: dict[str, Any]) -> Shipment:
    carrier = load_carrier(carrier_code)
    return apply_tracking_update(carrier.parse_tracking_update(payload))


def serialize_shipment(shipment: Shipment, with_events: bool = False) -> dict[str, Any]:
    carrier = load_carrier(shipment.carrier)
    data: dict[str, Any] = {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "carrier": carrier.name,
        "service_level": shipment.service_level,
        "status": shipment.status,
        "tracking_number": shipment.tracking_number,
        "tracking_url": carrier.tracking_url(shipment.tracking_number or ""),
        "label_url": shipment.label_url,
    }
    if with_events:
        data["events"] = [
            {
                "status": e.status,
                "location": e.location,
                "description": e.description,
                "at": e.occurred_at.isoformat(),
            }
            for e in shipment.events
        ]
    return data
