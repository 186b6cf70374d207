"""The orders service starts, answers its health check and routes every operation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/orders/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "orders"}


def test_openapi_lists_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert sorted(paths) == sorted(
        [
            "/orders/health",
            "/orders/get_customer_order",
            "/orders/get_order",
            "/orders/mark_delivered",
            "/orders/mark_paid",
            "/orders/mark_payment_failed",
            "/orders/mark_refunded",
            "/orders/mark_shipped",
            "/orders/price_line",
        ]
    )


def test_get_customer_order_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import GetCustomerOrderRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "get_customer_order", lambda _runtime, request: received.append(request) or result
    )
    body = {'customer': {'text': 'value'}, 'order_id': 1}

    response = client.post("/orders/get_customer_order", json=body)

    assert response.status_code == 200, response.text
    assert received == [GetCustomerOrderRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_get_customer_order_is_routed(client: TestClient) -> None:
    response = client.post("/orders/get_customer_order", json={'customer': {'text': 'value'}, 'order_id': 1})

    # 501 names the monolith code to move until handlers.get_customer_order is implemented.
    assert response.status_code in (200, 501), response.text


def test_get_customer_order_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/get_customer_order", json={**{'customer': {'text': 'value'}, 'order_id': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_get_customer_order_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/get_customer_order", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"customer", "order_id" }


def test_get_order_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import GetOrderRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "get_order", lambda _runtime, request: received.append(request) or result
    )
    body = {'order_id': 1}

    response = client.post("/orders/get_order", json=body)

    assert response.status_code == 200, response.text
    assert received == [GetOrderRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_get_order_is_routed(client: TestClient) -> None:
    response = client.post("/orders/get_order", json={'order_id': 1})

    # 501 names the monolith code to move until handlers.get_order is implemented.
    assert response.status_code in (200, 501), response.text


def test_get_order_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/get_order", json={**{'order_id': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_get_order_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/get_order", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order_id" }


def test_mark_delivered_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import MarkDeliveredRequest

    received: list[Any] = []
    result = None
    monkeypatch.setattr(
        handlers, "mark_delivered", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}}

    response = client.post("/orders/mark_delivered", json=body)

    assert response.status_code == 200, response.text
    assert received == [MarkDeliveredRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_mark_delivered_is_routed(client: TestClient) -> None:
    response = client.post("/orders/mark_delivered", json={'order': {'text': 'value'}})

    # 501 names the monolith code to move until handlers.mark_delivered is implemented.
    assert response.status_code in (200, 501), response.text


def test_mark_delivered_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_delivered", json={**{'order': {'text': 'value'}}, "unexpected": 1})

    assert response.status_code == 422


def test_mark_delivered_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_delivered", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order" }


def test_mark_paid_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import MarkPaidRequest

    received: list[Any] = []
    result = None
    monkeypatch.setattr(
        handlers, "mark_paid", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}}

    response = client.post("/orders/mark_paid", json=body)

    assert response.status_code == 200, response.text
    assert received == [MarkPaidRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_mark_paid_is_routed(client: TestClient) -> None:
    response = client.post("/orders/mark_paid", json={'order': {'text': 'value'}})

    # 501 names the monolith code to move until handlers.mark_paid is implemented.
    assert response.status_code in (200, 501), response.text


def test_mark_paid_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_paid", json={**{'order': {'text': 'value'}}, "unexpected": 1})

    assert response.status_code == 422


def test_mark_paid_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_paid", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order" }


def test_mark_payment_failed_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import MarkPaymentFailedRequest

    received: list[Any] = []
    result = None
    monkeypatch.setattr(
        handlers, "mark_payment_failed", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}, 'reason': 'text'}

    response = client.post("/orders/mark_payment_failed", json=body)

    assert response.status_code == 200, response.text
    assert received == [MarkPaymentFailedRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_mark_payment_failed_is_routed(client: TestClient) -> None:
    response = client.post("/orders/mark_payment_failed", json={'order': {'text': 'value'}, 'reason': 'text'})

    # 501 names the monolith code to move until handlers.mark_payment_failed is implemented.
    assert response.status_code in (200, 501), response.text


def test_mark_payment_failed_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_payment_failed", json={**{'order': {'text': 'value'}, 'reason': 'text'}, "unexpected": 1})

    assert response.status_code == 422


def test_mark_payment_failed_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_payment_failed", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order", "reason" }


def test_mark_refunded_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import MarkRefundedRequest

    received: list[Any] = []
    result = None
    monkeypatch.setattr(
        handlers, "mark_refunded", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}}

    response = client.post("/orders/mark_refunded", json=body)

    assert response.status_code == 200, response.text
    assert received == [MarkRefundedRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_mark_refunded_is_routed(client: TestClient) -> None:
    response = client.post("/orders/mark_refunded", json={'order': {'text': 'value'}})

    # 501 names the monolith code to move until handlers.mark_refunded is implemented.
    assert response.status_code in (200, 501), response.text


def test_mark_refunded_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_refunded", json={**{'order': {'text': 'value'}}, "unexpected": 1})

    assert response.status_code == 422


def test_mark_refunded_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_refunded", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order" }


def test_mark_shipped_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import MarkShippedRequest

    received: list[Any] = []
    result = None
    monkeypatch.setattr(
        handlers, "mark_shipped", lambda _runtime, request: received.append(request) or result
    )
    body = {'order': {'text': 'value'}}

    response = client.post("/orders/mark_shipped", json=body)

    assert response.status_code == 200, response.text
    assert received == [MarkShippedRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_mark_shipped_is_routed(client: TestClient) -> None:
    response = client.post("/orders/mark_shipped", json={'order': {'text': 'value'}})

    # 501 names the monolith code to move until handlers.mark_shipped is implemented.
    assert response.status_code in (200, 501), response.text


def test_mark_shipped_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_shipped", json={**{'order': {'text': 'value'}}, "unexpected": 1})

    assert response.status_code == 422


def test_mark_shipped_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/mark_shipped", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"order" }


def test_price_line_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders_service import handlers
    from orders_service.schemas import PriceLineRequest

    received: list[Any] = []
    result = 'value'
    monkeypatch.setattr(
        handlers, "price_line", lambda _runtime, request: received.append(request) or result
    )
    body = {'country': 'text', 'product': {'text': 'value'}, 'quantity': 1}

    response = client.post("/orders/price_line", json=body)

    assert response.status_code == 200, response.text
    assert received == [PriceLineRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_price_line_is_routed(client: TestClient) -> None:
    response = client.post("/orders/price_line", json={'country': 'text', 'product': {'text': 'value'}, 'quantity': 1})

    # 501 names the monolith code to move until handlers.price_line is implemented.
    assert response.status_code in (200, 501), response.text


def test_price_line_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/orders/price_line", json={**{'country': 'text', 'product': {'text': 'value'}, 'quantity': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_price_line_requires_its_fields(client: TestClient) -> None:
    response = client.post("/orders/price_line", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"product", "quantity", "country" }
