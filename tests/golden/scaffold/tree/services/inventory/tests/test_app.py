"""The inventory service starts, answers its health check and routes every operation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/inventory/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "inventory"}


def test_openapi_lists_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert sorted(paths) == sorted(
        [
            "/inventory/health",
            "/inventory/availability",
            "/inventory/availability_for",
            "/inventory/commit_reservations",
            "/inventory/fulfilment_warehouse",
            "/inventory/release_reservations",
            "/inventory/reserve_stock",
        ]
    )


def test_availability_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory_service import handlers
    from inventory_service.schemas import AvailabilityRequest

    received: list[Any] = []
    result = 1
    monkeypatch.setattr(
        handlers, "availability", lambda _runtime, request: received.append(request) or result
    )
    body = {'product_id': 1}

    response = client.post("/inventory/availability", json=body)

    assert response.status_code == 200, response.text
    assert received == [AvailabilityRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_availability_is_routed(client: TestClient) -> None:
    response = client.post("/inventory/availability", json={'product_id': 1})

    # 501 names the monolith code to move until handlers.availability is implemented.
    assert response.status_code in (200, 501), response.text


def test_availability_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/inventory/availability", json={**{'product_id': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_availability_requires_its_fields(client: TestClient) -> None:
    response = client.post("/inventory/availability", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"product_id" }


def test_availability_for_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory_service import handlers
    from inventory_service.schemas import AvailabilityForRequest

    received: list[Any] = []
    result = {'1': 1}
    monkeypatch.setattr(
        handlers, "availability_for", lambda _runtime, request: received.append(request) or result
    )
    body = {'product_ids': [1]}

    response = client.post("/inventory/availability_for", json=body)

    assert response.status_code == 200, response.text
    assert received == [AvailabilityForRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_availability_for_is_routed(client: TestClient) -> None:
    response = client.post("/inventory/availability_for", json={'product_ids': [1]})

    # 501 names the monolith code to move until handlers.availability_for is implemented.
    assert response.status_code in (200, 501), response.text


def test_availability_for_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/inventory/availability_for", json={**{'product_ids': [1]}, "unexpected": 1})

    assert response.status_code == 422


def test_availability_for_requires_its_fields(client: TestClient) -> None:
    response = client.post("/inventory/availability_for", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"product_ids" }


def test_commit_reservations_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory_service import handlers
    from inventory_service.schemas import CommitReservationsRequest

    received: list[Any] = []
    result = 1
    monkeypatch.setattr(
        handlers, "commit_reservations", lambda _runtime, request: received.append(request) or result
    )
    body = {'order_id': 1, 'reference': 'text'}

    response = client.post("/inventory/commit_reservations", json=body)

    assert response.status_code == 200, response.text
    assert received == [CommitReservationsRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_commit_reservations_is_routed(client: TestClient) -> None:
    response = client.post("/inventory/commit_reservations", json={'order_id': 1, 'reference': 'text'})

    # 501 names the monolith code to move until handlers.commit_reservations is implemented.
    assert response.status_code in (200, 501), response.text


def test_commit_reservations_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/inventory/commit_reservations", json={**{'order_id': 1, 'reference': 'text'}, "unexpected": 1})

    assert response.status_code == 422


def test_commit_reservations_requires_its_fields(client: TestClient) -> None:
    response = client.post("/inventory/commit_reservations", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order_id" }


def test_fulfilment_warehouse_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory_service import handlers
    from inventory_service.schemas import FulfilmentWarehouseRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "fulfilment_warehouse", lambda _runtime, request: received.append(request) or result
    )
    body = {'order_id': 1}

    response = client.post("/inventory/fulfilment_warehouse", json=body)

    assert response.status_code == 200, response.text
    assert received == [FulfilmentWarehouseRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_fulfilment_warehouse_is_routed(client: TestClient) -> None:
    response = client.post("/inventory/fulfilment_warehouse", json={'order_id': 1})

    # 501 names the monolith code to move until handlers.fulfilment_warehouse is implemented.
    assert response.status_code in (200, 501), response.text


def test_fulfilment_warehouse_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/inventory/fulfilment_warehouse", json={**{'order_id': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_fulfilment_warehouse_requires_its_fields(client: TestClient) -> None:
    response = client.post("/inventory/fulfilment_warehouse", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order_id" }


def test_release_reservations_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory_service import handlers
    from inventory_service.schemas import ReleaseReservationsRequest

    received: list[Any] = []
    result = 1
    monkeypatch.setattr(
        handlers, "release_reservations", lambda _runtime, request: received.append(request) or result
    )
    body = {'order_id': 1, 'status': 'text'}

    response = client.post("/inventory/release_reservations", json=body)

    assert response.status_code == 200, response.text
    assert received == [ReleaseReservationsRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_release_reservations_is_routed(client: TestClient) -> None:
    response = client.post("/inventory/release_reservations", json={'order_id': 1, 'status': 'text'})

    # 501 names the monolith code to move until handlers.release_reservations is implemented.
    assert response.status_code in (200, 501), response.text


def test_release_reservations_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/inventory/release_reservations", json={**{'order_id': 1, 'status': 'text'}, "unexpected": 1})

    assert response.status_code == 422


def test_release_reservations_requires_its_fields(client: TestClient) -> None:
    response = client.post("/inventory/release_reservations", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order_id" }


def test_reserve_stock_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory_service import handlers
    from inventory_service.schemas import ReserveStockRequest

    received: list[Any] = []
    result = [{'text': 'value'}]
    monkeypatch.setattr(
        handlers, "reserve_stock", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}}

    response = client.post("/inventory/reserve_stock", json=body)

    assert response.status_code == 200, response.text
    assert received == [ReserveStockRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_reserve_stock_is_routed(client: TestClient) -> None:
    response = client.post("/inventory/reserve_stock", json={'order': {'text': 'value'}})

    # 501 names the monolith code to move until handlers.reserve_stock is implemented.
    assert response.status_code in (200, 501), response.text


def test_reserve_stock_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/inventory/reserve_stock", json={**{'order': {'text': 'value'}}, "unexpected": 1})

    assert response.status_code == 422


def test_reserve_stock_requires_its_fields(client: TestClient) -> None:
    response = client.post("/inventory/reserve_stock", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order" }
