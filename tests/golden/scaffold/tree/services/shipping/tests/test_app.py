"""The shipping service starts, answers its health check and routes every operation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/shipping/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "shipping"}


def test_openapi_lists_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert sorted(paths) == sorted(
        [
            "/shipping/health",
            "/shipping/shipping_cost_for_order",
        ]
    )


def test_shipping_cost_for_order_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shipping_service import handlers
    from shipping_service.schemas import ShippingCostForOrderRequest

    received: list[Any] = []
    result = 1
    monkeypatch.setattr(
        handlers, "shipping_cost_for_order", lambda _runtime, request: received.append(request) or result
    )
    body = {'method': 'text', 'order': {'text': 'value'}}

    response = client.post("/shipping/shipping_cost_for_order", json=body)

    assert response.status_code == 200, response.text
    assert received == [ShippingCostForOrderRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_shipping_cost_for_order_is_routed(client: TestClient) -> None:
    response = client.post("/shipping/shipping_cost_for_order", json={'method': 'text', 'order': {'text': 'value'}})

    # 501 names the monolith code to move until handlers.shipping_cost_for_order is implemented.
    assert response.status_code in (200, 501), response.text


def test_shipping_cost_for_order_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/shipping/shipping_cost_for_order", json={**{'method': 'text', 'order': {'text': 'value'}}, "unexpected": 1})

    assert response.status_code == 422


def test_shipping_cost_for_order_requires_its_fields(client: TestClient) -> None:
    response = client.post("/shipping/shipping_cost_for_order", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order", "method" }
