from datetime import timedelta

from shop import db
from shop.inventory import services as inventory_services
from shop.inventory import tasks
from shop.models import Order, Reservation
from shop.utils import utcnow


def test_receive_and_adjust(client, catalog, admin_headers):
    received = client.post(
        "/inventory/stock/receive",
        headers=admin_headers,
        json={"sku": "kettle-1", "warehouse": "ber", "quantity": 4},
    )
    assert received.status_code == 201
    assert received.get_json()["on_hand"] == 4
    adjusted = client.post(
        "/inventory/stock/adjust",
        headers=admin_headers,
        json={"sku": "KETTLE-1", "warehouse": "BER", "delta": -1, "reason": "damaged"},
    )
    assert adjusted.get_json()["available"] == 3
    bad_reason = client.post(
        "/inventory/stock/adjust",
        headers=admin_headers,
        json={"sku": "KETTLE-1", "warehouse": "BER", "delta": -1, "reason": "ate it"},
    )
    assert bad_reason.status_code == 422
    availability = client.get(f"/inventory/products/{catalog['kettle']}/availability").get_json()
    assert availability["available"] == 4
    assert {w["warehouse"] for w in availability["warehouses"]} == {"BER", "VIE"}


def test_adjustment_cannot_uncover_reservations(api, client, shopper, catalog, admin_headers):
    api.checkout(shopper, {catalog["kettle"]: 1})
    response = client.post(
        "/inventory/stock/adjust",
        headers=admin_headers,
        json={"sku": "KETTLE-1", "warehouse": "VIE", "delta": -1, "reason": "lost"},
    )
    assert response.status_code == 409


def test_reservations_prefer_destination_country(api, client, catalog):
    headers = api.register("anna@example.at")
    api.add_address(headers, country="AT")
    order = api.checkout(headers, {catalog["grinder"]: 4}).get_json()
    reservations = db.session.query(Reservation).filter_by(order_id=order["id"]).all()
    assert sorted((r.stock_item.warehouse.code, r.quantity) for r in reservations) == [
        ("BER", 1),
        ("VIE", 3),
    ]


def test_expired_reservations_cancel_unpaid_orders(api, client, shopper, catalog):
    order = api.checkout(shopper, {catalog["grinder"]: 1}, token="tok_declined").get_json()
    assert inventory_services.availability(catalog["grinder"]) == 4
    released = tasks.release_expired_reservations(now=utcnow() + timedelta(hours=1))
    assert released == [order["id"]]
    db.session.expire_all()
    assert db.session.get(Order, order["id"]).status == "cancelled"
    assert inventory_services.availability(catalog["grinder"]) == 5


def test_low_stock_report(client, catalog, admin_headers):
    rows = client.get("/inventory/low-stock?threshold=2", headers=admin_headers).get_json()
    assert {(r["sku"], r["warehouse"]) for r in rows} == {("GRINDER-1", "BER"), ("KETTLE-1", "VIE")}
    assert client.get("/inventory/warehouses", headers=admin_headers).get_json()[0]["code"] == "BER"
