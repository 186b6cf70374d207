"""The customers service starts, answers its health check and routes every operation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/customers/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "customers"}


def test_openapi_lists_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert sorted(paths) == sorted(
        [
            "/customers/health",
            "/customers/current_customer",
            "/customers/default_address",
            "/customers/get_address",
            "/customers/max_redeemable_points",
            "/customers/redeem_points",
            "/customers/restore_points",
        ]
    )


def test_current_customer_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customers_service import handlers
    from customers_service.schemas import CurrentCustomerRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "current_customer", lambda _runtime, request: received.append(request) or result
    )
    body = {}

    response = client.post("/customers/current_customer", json=body)

    assert response.status_code == 200, response.text
    assert received == [CurrentCustomerRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_current_customer_is_routed(client: TestClient) -> None:
    response = client.post("/customers/current_customer", json={})

    # 501 names the monolith code to move until handlers.current_customer is implemented.
    assert response.status_code in (200, 501), response.text


def test_current_customer_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/customers/current_customer", json={**{}, "unexpected": 1})

    assert response.status_code == 422


def test_default_address_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customers_service import handlers
    from customers_service.schemas import DefaultAddressRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "default_address", lambda _runtime, request: received.append(request) or result
    )
    body = {'customer': {'text': 'value'}}

    response = client.post("/customers/default_address", json=body)

    assert response.status_code == 200, response.text
    assert received == [DefaultAddressRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_default_address_is_routed(client: TestClient) -> None:
    response = client.post("/customers/default_address", json={'customer': {'text': 'value'}})

    # 501 names the monolith code to move until handlers.default_address is implemented.
    assert response.status_code in (200, 501), response.text


def test_default_address_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/customers/default_address", json={**{'customer': {'text': 'value'}}, "unexpected": 1})

    assert response.status_code == 422


def test_default_address_requires_its_fields(client: TestClient) -> None:
    response = client.post("/customers/default_address", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"customer" }


def test_get_address_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customers_service import handlers
    from customers_service.schemas import GetAddressRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "get_address", lambda _runtime, request: received.append(request) or result
    )
    body = {'address_id': 1, 'customer_id': 1}

    response = client.post("/customers/get_address", json=body)

    assert response.status_code == 200, response.text
    assert received == [GetAddressRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_get_address_is_routed(client: TestClient) -> None:
    response = client.post("/customers/get_address", json={'address_id': 1, 'customer_id': 1})

    # 501 names the monolith code to move until handlers.get_address is implemented.
    assert response.status_code in (200, 501), response.text


def test_get_address_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/customers/get_address", json={**{'address_id': 1, 'customer_id': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_get_address_requires_its_fields(client: TestClient) -> None:
    response = client.post("/customers/get_address", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"customer_id", "address_id" }


def test_max_redeemable_points_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customers_service import handlers
    from customers_service.schemas import MaxRedeemablePointsRequest

    received: list[Any] = []
    result = 1
    monkeypatch.setattr(
        handlers, "max_redeemable_points", lambda _runtime, request: received.append(request) or result
    )
    body = {'customer': {'text': 'value'}, 'totals': 'value'}

    response = client.post("/customers/max_redeemable_points", json=body)

    assert response.status_code == 200, response.text
    assert received == [MaxRedeemablePointsRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_max_redeemable_points_is_routed(client: TestClient) -> None:
    response = client.post("/customers/max_redeemable_points", json={'customer': {'text': 'value'}, 'totals': 'value'})

    # 501 names the monolith code to move until handlers.max_redeemable_points is implemented.
    assert response.status_code in (200, 501), response.text


def test_max_redeemable_points_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/customers/max_redeemable_points", json={**{'customer': {'text': 'value'}, 'totals': 'value'}, "unexpected": 1})

    assert response.status_code == 422


def test_max_redeemable_points_requires_its_fields(client: TestClient) -> None:
    response = client.post("/customers/max_redeemable_points", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"customer", "totals" }


def test_redeem_points_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customers_service import handlers
    from customers_service.schemas import RedeemPointsRequest

    received: list[Any] = []
    result = 1
    monkeypatch.setattr(
        handlers, "redeem_points", lambda _runtime, request: received.append(request) or result
    )
    body = {'customer': {'text': 'value'}, 'order_id': 1, 'points': 1}

    response = client.post("/customers/redeem_points", json=body)

    assert response.status_code == 200, response.text
    assert received == [RedeemPointsRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_redeem_points_is_routed(client: TestClient) -> None:
    response = client.post("/customers/redeem_points", json={'customer': {'text': 'value'}, 'order_id': 1, 'points': 1})

    # 501 names the monolith code to move until handlers.redeem_points is implemented.
    assert response.status_code in (200, 501), response.text


def test_redeem_points_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/customers/redeem_points", json={**{'customer': {'text': 'value'}, 'order_id': 1, 'points': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_redeem_points_requires_its_fields(client: TestClient) -> None:
    response = client.post("/customers/redeem_points", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"customer", "points" }


def test_restore_points_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from customers_service import handlers
    from customers_service.schemas import RestorePointsRequest

    received: list[Any] = []
    result = None
    monkeypatch.setattr(
        handlers, "restore_points", lambda _runtime, request: received.append(request) or result
    )
    body = {'customer': {'text': 'value'}, 'order_id': 1, 'points': 1}

    response = client.post("/customers/restore_points", json=body)

    assert response.status_code == 200, response.text
    assert received == [RestorePointsRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_restore_points_is_routed(client: TestClient) -> None:
    response = client.post("/customers/restore_points", json={'customer': {'text': 'value'}, 'order_id': 1, 'points': 1})

    # 501 names the monolith code to move until handlers.restore_points is implemented.
    assert response.status_code in (200, 501), response.text


def test_restore_points_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/customers/restore_points", json={**{'customer': {'text': 'value'}, 'order_id': 1, 'points': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_restore_points_requires_its_fields(client: TestClient) -> None:
    response = client.post("/customers/restore_points", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"customer", "points", "order_id" }
