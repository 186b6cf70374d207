from shop import db, events
from shop.models import Customer, Order, StockItem


def _order(order_id):
    db.session.expire_all()
    return db.session.get(Order, order_id)


def test_happy_path_checkout(api, client, shopper, catalog):
    response = api.checkout(shopper, {catalog["beans"]: 2, catalog["grinder"]: 1})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "paid"
    # 2 x 10.00 beans (7 %) + 80.00 grinder (19 %), free standard shipping above 100? no: 100.00
    assert body["subtotal_cents"] == 10000
    assert body["tax_cents"] == 140 + 1520
    assert body["shipping_cents"] == 0
    assert body["total_cents"] == 11660
    assert body["payments"][0]["status"] == "captured"

    # stock is reserved, not yet shipped
    grinder_rows = db.session.query(StockItem).filter_by(product_id=catalog["grinder"]).all()
    assert sorted((s.warehouse.code, s.reserved) for s in grinder_rows) == [("BER", 1), ("VIE", 0)]

    # the cart is empty, the order is listed
    assert client.get("/orders/cart", headers=shopper).get_json()["items"] == []
    listed = client.get("/orders/", headers=shopper).get_json()["items"]
    assert [o["number"] for o in listed] == [body["number"]]

    # events fanned out to notifications and loyalty
    templates = [
        n["template"] for n in client.get("/notifications/", headers=shopper).get_json()["items"]
    ]
    assert sorted(templates) == ["order_placed", "payment_captured", "payment_captured", "welcome"]
    assert [name for name, _ in events.recent()][-2:] == ["order_placed", "payment_captured"]
    loyalty = client.get("/customers/me/loyalty", headers=shopper).get_json()
    assert loyalty["points"] == 116 and loyalty["tier"] == "bronze"


def test_small_order_pays_shipping(api, client, shopper, catalog):
    body = api.checkout(shopper, {catalog["beans"]: 1}).get_json()
    assert body["shipping_cents"] == 499
    assert body["total_cents"] == 1000 + 70 + 499


def test_express_shipping_method(api, client, shopper, catalog):
    body = api.checkout(
        shopper, {catalog["beans"]: 1}, shipping_method="express:next_day"
    ).get_json()
    assert body["shipping_cents"] == 1290 + 180 + 900


def test_declined_card_then_retry(api, client, shopper, catalog):
    response = api.checkout(shopper, {catalog["kettle"]: 1}, token="tok_declined")
    assert response.status_code == 201
    order = response.get_json()
    assert order["status"] == "payment_failed"
    retry = client.post(
        f"/payments/orders/{order['id']}/retry", headers=shopper, json={"payment_token": "tok_visa"}
    )
    assert retry.status_code == 201, retry.get_json()
    assert retry.get_json()["status"] == "captured"
    assert _order(order["id"]).status == "paid"
    again = client.post(
        f"/payments/orders/{order['id']}/retry", headers=shopper, json={"payment_token": "tok_visa"}
    )
    assert again.status_code == 409


def test_gateway_outage_marks_payment_failed(api, client, shopper, catalog):
    order = api.checkout(shopper, {catalog["beans"]: 1}, token="tok_error").get_json()
    assert order["status"] == "payment_failed"
    payment = client.get(f"/payments/{order['payments'][0]['id']}", headers=shopper).get_json()
    assert payment["failure_reason"].startswith("gateway error")


def test_out_of_stock_reserves_nothing(api, client, shopper, catalog):
    client.post(
        "/orders/cart/items", headers=shopper, json={"product_id": catalog["kettle"], "quantity": 1}
    )
    # somebody else buys the last kettle first
    other = api.register("other@example.com")
    api.add_address(other)
    assert api.checkout(other, {catalog["kettle"]: 1}).status_code == 201
    response = client.post("/orders/checkout", headers=shopper, json={"payment_token": "tok_visa"})
    assert response.status_code == 409
    assert response.get_json()["details"]["missing"] == {"KETTLE-1": 1}
    assert db.session.query(Order).count() == 1


def test_cart_rejects_more_than_available(client, shopper, catalog):
    response = client.post(
        "/orders/cart/items",
        headers=shopper,
        json={"product_id": catalog["grinder"], "quantity": 6},
    )
    assert response.status_code == 409
    added = client.post(
        "/orders/cart/items",
        headers=shopper,
        json={"product_id": catalog["grinder"], "quantity": 2},
    ).get_json()
    changed = client.patch(
        f"/orders/cart/items/{added['item_id']}", headers=shopper, json={"quantity": 3}
    )
    assert changed.get_json()["items"][0]["quantity"] == 3
    emptied = client.delete(f"/orders/cart/items/{added['item_id']}", headers=shopper)
    assert emptied.get_json()["items"] == []


def test_empty_cart_cannot_check_out(client, shopper):
    response = client.post("/orders/checkout", headers=shopper, json={"payment_token": "tok_visa"})
    assert response.status_code == 422


def test_cancel_paid_order_refunds_and_releases(api, client, shopper, catalog):
    order = api.checkout(shopper, {catalog["grinder"]: 2}).get_json()
    response = client.post(
        f"/orders/{order['id']}/cancel", headers=shopper, json={"reason": "changed_mind"}
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    payment = client.get(f"/payments/{order['payments'][0]['id']}", headers=shopper).get_json()
    assert payment["status"] == "refunded"
    assert payment["refunded_cents"] == order["total_cents"]
    assert all(s.reserved == 0 for s in db.session.query(StockItem).all())
    assert client.post(f"/orders/{order['id']}/cancel", headers=shopper).status_code == 409


def test_redeem_loyalty_points(api, client, shopper, catalog):
    customer = db.session.query(Customer).filter_by(email="carla@example.com").one()
    customer.loyalty_points = 400
    db.session.commit()
    order = api.checkout(shopper, {catalog["kettle"]: 1}, redeem_points=300).get_json()
    # 300 points x 5 cents = 15.00 off 50.00, VAT on 35.00
    assert order["discount_cents"] == 1500
    assert order["tax_cents"] == 665
    assert order["points_redeemed"] == 300
    too_many = api.checkout(shopper, {catalog["beans"]: 1}, redeem_points=500)
    assert too_many.status_code == 422


def test_other_customers_orders_are_hidden(api, client, shopper, catalog):
    order = api.checkout(shopper, {catalog["beans"]: 1}).get_json()
    stranger = api.register("mallory@example.com")
    assert client.get(f"/orders/{order['id']}", headers=stranger).status_code == 404
    assert client.get(f"/orders/{order['id']}", headers=shopper).status_code == 200
