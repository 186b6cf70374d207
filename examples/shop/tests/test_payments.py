import json

from shop import db
from shop.models import Order, Payment
from shop.payments.gateways import _instances, register_gateway
from shop.payments.gateways.cardnet import CardNetGateway


class StubTransport:
    def __init__(self):
        self.calls = []

    def __call__(self, method, path, payload):
        self.calls.append((method, path, payload))
        if path == "/authorizations":
            if payload["source"] == "tok_declined":
                return {"status": "declined", "message": "insufficient funds"}
            return {"id": "cn_auth_1", "status": "authorized"}
        if path.endswith("/capture"):
            return {"id": "cn_auth_1", "status": "pending"}
        return {"id": "cn_refund_1", "status": "succeeded"}


def _cardnet(app):
    transport = StubTransport()
    gateway = CardNetGateway("key", "whsec-test", transport=transport)
    register_gateway(gateway)
    app.config["PAYMENT_GATEWAY"] = "cardnet"
    return gateway, transport


def test_admin_partial_refund(api, client, shopper, catalog, admin_headers):
    order = api.checkout(shopper, {catalog["grinder"]: 1}).get_json()
    payment_id = order["payments"][0]["id"]
    response = client.post(
        f"/payments/{payment_id}/refunds",
        headers=admin_headers,
        json={"amount": "20.00", "reason": "scratched"},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["amount_cents"] == 2000
    payment = client.get(f"/payments/{payment_id}", headers=shopper).get_json()
    assert payment["status"] == "partially_refunded"
    too_much = client.post(
        f"/payments/{payment_id}/refunds", headers=admin_headers, json={"amount": "1000"}
    )
    assert too_much.status_code == 409
    rest = (order["total_cents"] - 2000) / 100
    client.post(
        f"/payments/{payment_id}/refunds", headers=admin_headers, json={"amount": str(rest)}
    )
    db.session.expire_all()
    assert db.session.get(Order, order["id"]).status == "refunded"


def test_refund_requires_admin(api, client, shopper, catalog):
    order = api.checkout(shopper, {catalog["beans"]: 1}).get_json()
    response = client.post(
        f"/payments/{order['payments'][0]['id']}/refunds", headers=shopper, json={"amount": "1.00"}
    )
    assert response.status_code == 403


def test_cardnet_async_capture_via_webhook(api, app, client, shopper, catalog):
    gateway, transport = _cardnet(app)
    try:
        order = api.checkout(shopper, {catalog["beans"]: 1}).get_json()
        assert order["status"] == "pending_payment"
        assert order["payments"][0]["status"] == "authorized"
        assert [call[1] for call in transport.calls] == [
            "/authorizations",
            "/authorizations/cn_auth_1/capture",
        ]

        body = json.dumps(
            {
                "type": "capture.succeeded",
                "data": {"id": "cn_auth_1", "amount": order["total_cents"]},
            }
        ).encode()
        forged = client.post(
            "/payments/webhooks/cardnet", data=body, headers={"X-CardNet-Signature": "0" * 64}
        )
        assert forged.status_code == 422
        response = client.post(
            "/payments/webhooks/cardnet",
            data=body,
            headers={"X-CardNet-Signature": gateway.sign(body)},
        )
        assert response.get_json() == {
            "payment_id": order["payments"][0]["id"],
            "status": "captured",
        }
        # at-least-once delivery: the duplicate is harmless
        assert (
            client.post(
                "/payments/webhooks/cardnet",
                data=body,
                headers={"X-CardNet-Signature": gateway.sign(body)},
            ).status_code
            == 200
        )
        db.session.expire_all()
        assert db.session.get(Order, order["id"]).status == "paid"
    finally:
        _instances.pop("cardnet", None)


def test_cardnet_decline(api, app, client, shopper, catalog):
    _cardnet(app)
    try:
        order = api.checkout(shopper, {catalog["beans"]: 1}, token="tok_declined").get_json()
        assert order["status"] == "payment_failed"
        payment = db.session.get(Payment, order["payments"][0]["id"])
        assert payment.failure_reason == "insufficient funds"
    finally:
        _instances.pop("cardnet", None)


def test_fake_gateway_rejects_malformed_token(api, client, shopper, catalog):
    order = api.checkout(shopper, {catalog["beans"]: 1}, token="4242424242424242").get_json()
    assert order["status"] == "payment_failed"
