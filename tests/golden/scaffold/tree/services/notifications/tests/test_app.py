"""The notifications service starts, answers its health check and routes every operation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/notifications/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "notifications"}


def test_openapi_lists_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert sorted(paths) == sorted(
        [
            "/notifications/health",
            "/notifications/delivery_error",
            "/notifications/email_channel",
        ]
    )


def test_delivery_error_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notifications_service import handlers
    from notifications_service.schemas import DeliveryErrorRequest

    received: list[Any] = []
    result = 'value'
    monkeypatch.setattr(
        handlers, "delivery_error", lambda _runtime, request: received.append(request) or result
    )
    body = {}

    response = client.post("/notifications/delivery_error", json=body)

    assert response.status_code == 200, response.text
    assert received == [DeliveryErrorRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_delivery_error_is_routed(client: TestClient) -> None:
    response = client.post("/notifications/delivery_error", json={})

    # 501 names the monolith code to move until handlers.delivery_error is implemented.
    assert response.status_code in (200, 501), response.text


def test_email_channel_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notifications_service import handlers
    from notifications_service.schemas import EmailChannelRequest

    received: list[Any] = []
    result = 'value'
    monkeypatch.setattr(
        handlers, "email_channel", lambda _runtime, request: received.append(request) or result
    )
    body = {}

    response = client.post("/notifications/email_channel", json=body)

    assert response.status_code == 200, response.text
    assert received == [EmailChannelRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_email_channel_is_routed(client: TestClient) -> None:
    response = client.post("/notifications/email_channel", json={})

    # 501 names the monolith code to move until handlers.email_channel is implemented.
    assert response.status_code in (200, 501), response.text
