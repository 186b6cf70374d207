from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shop import db, events
from shop.app import create_app
from shop.catalog import services as catalog_services
from shop.customers import services as customer_services
from shop.customers.auth import issue_token
from shop.inventory import services as inventory_services
from shop.notifications.channels import Channel


@pytest.fixture
def app() -> Iterator[Flask]:
    app = create_app("testing")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
    Channel.sent.clear()
    events.clear_history()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def admin_headers(app: Flask) -> dict[str, str]:
    admin = customer_services.register(
        "admin@shop.test", "admin-password", "Ada Admin", is_admin=True
    )
    return {"Authorization": f"Bearer {issue_token(admin)}"}


@pytest.fixture
def catalog(app: Flask) -> dict[str, Any]:
    """Two warehouses, three products with stock in Berlin, one also in Vienna."""
    catalog_services.create_category("Coffee")
    catalog_services.create_category("Beans", "coffee")
    catalog_services.create_category("Equipment")
    inventory_services.create_warehouse("BER", "Berlin", "DE", 10)
    inventory_services.create_warehouse("VIE", "Vienna", "AT", 20)
    beans = catalog_services.create_product(
        {
            "sku": "bean-1",
            "name": "Ethiopia Beans",
            "price": "10.00",
            "category": "beans",
            "tax_class": "reduced",
            "weight_grams": 250,
            "price_tiers": [{"min_quantity": 5, "percent_off": 10}],
        }
    )
    grinder = catalog_services.create_product(
        {
            "sku": "grinder-1",
            "name": "Hand Grinder",
            "price": "80.00",
            "category": "equipment",
            "weight_grams": 900,
            "description": "Conical burr grinder",
        }
    )
    kettle = catalog_services.create_product(
        {
            "sku": "kettle-1",
            "name": "Gooseneck Kettle",
            "price": "50.00",
            "category": "equipment",
            "weight_grams": 1200,
        }
    )
    inventory_services.receive_stock("BEAN-1", "BER", 20)
    inventory_services.receive_stock("GRINDER-1", "BER", 2)
    inventory_services.receive_stock("GRINDER-1", "VIE", 3)
    inventory_services.receive_stock("KETTLE-1", "VIE", 1)
    return {"beans": beans.id, "grinder": grinder.id, "kettle": kettle.id}


class Api:
    """Small client-side helpers shared by the tests."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def register(self, email: str = "carla@example.com", **extra: Any) -> dict[str, str]:
        response = self.client.post(
            "/customers/register",
            json={
                "email": email,
                "password": "s3cret-pass",
                "full_name": "Carla Customer",
                **extra,
            },
        )
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    def add_address(self, headers: dict[str, str], country: str = "DE") -> int:
        response = self.client.post(
            "/customers/me/addresses",
            headers=headers,
            json={
                "recipient": "Carla Customer",
                "line1": "Hauptstr. 1",
                "city": "Berlin",
                "postal_code": "10115" if country == "DE" else "1010",
                "country": country,
            },
        )
        assert response.status_code == 201, response.get_json()
        return int(response.get_json()["id"])

    def checkout(
        self, headers: dict[str, str], items: dict[int, int], token: str = "tok_visa", **extra: Any
    ) -> Any:
        for product_id, quantity in items.items():
            response = self.client.post(
                "/orders/cart/items",
                headers=headers,
                json={"product_id": product_id, "quantity": quantity},
            )
            assert response.status_code == 201, response.get_json()
        return self.client.post(
            "/orders/checkout", headers=headers, json={"payment_token": token, **extra}
        )


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture
def shopper(api: Api, catalog: dict[str, Any]) -> dict[str, str]:
    headers = api.register(phone="+49 151 1234567")
    api.add_address(headers)
    return headers
