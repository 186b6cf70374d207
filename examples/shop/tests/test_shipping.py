import pytest

from shop import db
from shop.models import Order, StockItem
from shop.notifications.channels import Channel
from shop.shipping.carriers import load_carrier
from shop.shipping.carriers.base import CarrierError


def test_quotes_are_sorted_by_price(client, app):
    rates = client.get("/shipping/quotes?weight_grams=800&country=DE").get_json()
    assert [(r["carrier"], r["service_level"]) for r in rates] == [
        ("parcelpost", "standard"),
        ("parcelpost", "registered"),
        ("express", "express"),
        ("express", "next_day"),
    ]
    outside_eu = client.get("/shipping/quotes?weight_grams=800&country=US").get_json()
    assert {r["carrier"] for r in outside_eu} == {"parcelpost"}
    assert outside_eu[0]["cost_cents"] == 499 + 2400


def test_carrier_plugins_load_dynamically(app):
    assert load_carrier("express").name == "Express Courier"
    with pytest.raises(CarrierError):
        load_carrier("pigeon")
    with pytest.raises(CarrierError):
        load_carrier("../etc")


def test_order_quotes_for_customer(api, client, shopper, catalog):
    order = api.checkout(shopper, {catalog["kettle"]: 1}).get_json()
    rates = client.get(f"/shipping/orders/{order['id']}/quotes", headers=shopper).get_json()
    assert rates[0]["cost_cents"] == 499


def test_fulfilment_flow(api, client, shopper, catalog, admin_headers):
    order = api.checkout(shopper, {catalog["kettle"]: 1}).get_json()
    created = client.post(
        "/shipping/shipments", headers=admin_headers, json={"order_id": order["id"]}
    )
    assert created.status_code == 201, created.get_json()
    shipment = created.get_json()
    assert shipment["tracking_number"].startswith("PA")
    again = client.post(
        "/shipping/shipments", headers=admin_headers, json={"order_id": order["id"]}
    )
    assert again.status_code == 409

    dispatched = client.post(
        f"/shipping/shipments/{shipment['id']}/dispatch", headers=admin_headers
    )
    assert dispatched.get_json()["status"] == "dispatched"
    kettle_stock = db.session.query(StockItem).filter_by(product_id=catalog["kettle"]).one()
    assert (kettle_stock.on_hand, kettle_stock.reserved) == (0, 0)

    tracking = shipment["tracking_number"]
    update = client.post(
        "/shipping/tracking/parcelpost",
        json={"tracking_number": tracking, "status": "IN_TRANSIT", "location": "Leipzig"},
    )
    assert update.get_json()["status"] == "in_transit"
    bad = client.post(
        "/shipping/tracking/parcelpost", json={"tracking_number": tracking, "status": "LOST?"}
    )
    assert bad.status_code == 422
    client.post(
        "/shipping/tracking/parcelpost", json={"tracking_number": tracking, "status": "DELIVERED"}
    )

    public = client.get(f"/shipping/track/{tracking}").get_json()
    assert [e["status"] for e in public["events"]] == [
        "label_created",
        "dispatched",
        "in_transit",
        "delivered",
    ]
    db.session.expire_all()
    assert db.session.get(Order, order["id"]).status == "delivered"

    client.post("/notifications/flush", headers=admin_headers)
    sms = [m for m in Channel.sent if m.channel == "sms"]
    assert any("shipped with ParcelPost" in m.body for m in sms)
    assert all(m.recipient == "+491511234567" for m in sms)


def test_unpaid_orders_do_not_ship(api, client, shopper, catalog, admin_headers):
    order = api.checkout(shopper, {catalog["beans"]: 1}, token="tok_declined").get_json()
    response = client.post(
        "/shipping/shipments", headers=admin_headers, json={"order_id": order["id"]}
    )
    assert response.status_code == 409
