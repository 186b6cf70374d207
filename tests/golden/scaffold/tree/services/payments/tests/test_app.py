"""The payments service starts, answers its health check and routes every operation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/payments/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "payments"}


def test_openapi_lists_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert sorted(paths) == sorted(
        [
            "/payments/health",
            "/payments/charge",
            "/payments/refund_order",
        ]
    )


def test_charge_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payments_service import handlers
    from payments_service.schemas import ChargeRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "charge", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}, 'token': 'text'}

    response = client.post("/payments/charge", json=body)

    assert response.status_code == 200, response.text
    assert received == [ChargeRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_charge_is_routed(client: TestClient) -> None:
    response = client.post("/payments/charge", json={'order': {'text': 'value'}, 'token': 'text'})

    # 501 names the monolith code to move until handlers.charge is implemented.
    assert response.status_code in (200, 501), response.text


def test_charge_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/payments/charge", json={**{'order': {'text': 'value'}, 'token': 'text'}, "unexpected": 1})

    assert response.status_code == 422


def test_charge_requires_its_fields(client: TestClient) -> None:
    response = client.post("/payments/charge", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order", "token" }


def test_refund_order_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payments_service import handlers
    from payments_service.schemas import RefundOrderRequest

    received: list[Any] = []
    result = 1
    monkeypatch.setattr(
        handlers, "refund_order", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}, 'reason': 'text'}

    response = client.post("/payments/refund_order", json=body)

    assert response.status_code == 200, response.text
    assert received == [RefundOrderRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_refund_order_is_routed(client: TestClient) -> None:
    response = client.post("/payments/refund_order", json={'order': {'text': 'value'}, 'reason': 'text'})

    # 501 names the monolith code to move until handlers.refund_order is implemented.
    assert response.status_code in (200, 501), response.text


def test_refund_order_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/payments/refund_order", json={**{'order': {'text': 'value'}, 'reason': 'text'}, "unexpected": 1})

    assert response.status_code == 422


def test_refund_order_requires_its_fields(client: TestClient) -> None:
    response = client.post("/payments/refund_order", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order", "reason" }
