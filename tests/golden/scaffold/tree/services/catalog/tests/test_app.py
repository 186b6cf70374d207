"""The catalog service starts, answers its health check and routes every operation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/catalog/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "catalog"}


def test_openapi_lists_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert sorted(paths) == sorted(
        [
            "/catalog/health",
            "/catalog/get_product",
            "/catalog/get_product_by_sku",
        ]
    )


def test_get_product_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_service import handlers
    from catalog_service.schemas import GetProductRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "get_product", lambda _runtime, request: received.append(request) or result
    )
    body = {'active_only': True, 'product_id': 1}

    response = client.post("/catalog/get_product", json=body)

    assert response.status_code == 200, response.text
    assert received == [GetProductRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_get_product_is_routed(client: TestClient) -> None:
    response = client.post("/catalog/get_product", json={'active_only': True, 'product_id': 1})

    # 501 names the monolith code to move until handlers.get_product is implemented.
    assert response.status_code in (200, 501), response.text


def test_get_product_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/catalog/get_product", json={**{'active_only': True, 'product_id': 1}, "unexpected": 1})

    assert response.status_code == 422


def test_get_product_requires_its_fields(client: TestClient) -> None:
    response = client.post("/catalog/get_product", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"product_id" }


def test_get_product_by_sku_hands_the_request_to_its_handler(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_service import handlers
    from catalog_service.schemas import GetProductBySkuRequest

    received: list[Any] = []
    result = {'text': 'value'}
    monkeypatch.setattr(
        handlers, "get_product_by_sku", lambda _runtime, request: received.append(request) or result
    )
    body = {'sku': 'text'}

    response = client.post("/catalog/get_product_by_sku", json=body)

    assert response.status_code == 200, response.text
    assert received == [GetProductBySkuRequest.model_validate(body)]
    assert response.json() == {"result": result}


def test_get_product_by_sku_is_routed(client: TestClient) -> None:
    response = client.post("/catalog/get_product_by_sku", json={'sku': 'text'})

    # 501 names the monolith code to move until handlers.get_product_by_sku is implemented.
    assert response.status_code in (200, 501), response.text


def test_get_product_by_sku_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/catalog/get_product_by_sku", json={**{'sku': 'text'}, "unexpected": 1})

    assert response.status_code == 422


def test_get_product_by_sku_requires_its_fields(client: TestClient) -> None:
    response = client.post("/catalog/get_product_by_sku", json={})

    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert missing == {"sku" }
