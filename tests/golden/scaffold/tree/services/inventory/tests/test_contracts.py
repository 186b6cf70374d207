"""Contract tests of the clients: each called service as the plan describes it (POST
<prefix><operation>, the operation's request model in, its response model out), served in
process by a stand-in that checks every request against the contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from inventory_service import clients as _clients
from inventory_service.http import ServiceError
from inventory_service.runtime import Runtime
from inventory_service.settings import Settings


class Provider:
    """A stand-in for the called service: its operations' contracts, a canned answer each, a
    call log, and a number of error answers (503 unless told) to give first."""

    def __init__(
        self,
        prefix: str,
        contracts: dict[str, tuple[type[BaseModel], Any]],
        failures: int = 0,
        failure_status: int = 503,
    ) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []
        self.failures = failures
        self.failure_status = failure_status
        self.app = FastAPI()

        @self.app.post(prefix + "{operation}")
        async def answer(operation: str, request: Request) -> Any:
            if operation not in contracts:
                raise HTTPException(status_code=404)
            model, result = contracts[operation]
            body = await request.json()
            model.model_validate(body)  # 422 if the client broke the contract
            self.calls.append((operation, body, request.headers.get("traceparent")))
            if self.failures:
                self.failures -= 1
                raise HTTPException(status_code=self.failure_status)
            return {"result": result}


def _arguments(request: BaseModel) -> dict[str, Any]:
    """The request's fields as keyword arguments of the client's method (not `dict(request)`:
    a model with a field named `keys` is taken for a mapping, and that field is called)."""
    return {name: getattr(request, name) for name in type(request).model_fields}


# operation -> (request model, example request, example result), from the plan's wire types
CATALOG_CONTRACTS: dict[str, tuple[type[BaseModel], str, str]] = {
    "get_product_by_sku": (
        _clients.CatalogGetProductBySkuRequest,
        "{\"sku\": \"text\"}",
        "{\"text\": \"value\"}",
    ),
}


def _catalog_provider(failures: int = 0, failure_status: int = 503) -> Provider:
    contracts = {
        name: (model, json.loads(result))
        for name, (model, _, result) in CATALOG_CONTRACTS.items()
    }
    return Provider(
        "/catalog/", contracts, failures=failures, failure_status=failure_status
    )


def _catalog(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = {"catalog": TestClient(provider.app, base_url="http://catalog")}
    return _clients.make_clients(settings, tracer=runtime.tracer, http=http).catalog


def _catalog_example(operation: str) -> dict[str, Any]:
    """The example request of `operation`, as keyword arguments of the client's method."""
    model, example, _ = CATALOG_CONTRACTS[operation]
    return _arguments(model.model_validate(json.loads(example)))


@pytest.mark.parametrize("operation", sorted(CATALOG_CONTRACTS))
def test_catalog_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    model, _, result = CATALOG_CONTRACTS[operation]
    request = model.model_validate(_catalog_example(operation))
    provider = _catalog_provider()
    client = _catalog(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)(**_arguments(request))

    assert response.result == type(response).model_validate({"result": json.loads(result)}).result
    [(called, body, traceparent)] = provider.calls
    assert called == operation
    assert model.model_validate(body) == request
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_catalog_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = _catalog_provider(failures=2)
    client = _catalog(settings, runtime, provider)

    client.get_product_by_sku(**_catalog_example("get_product_by_sku"))

    assert len(provider.calls) == 3


@pytest.mark.parametrize("status", [500, 502, 504])
def test_catalog_client_does_not_repeat_a_call_that_may_have_run(
    settings: Settings, runtime: Runtime, status: int
) -> None:
    provider = _catalog_provider(failures=1, failure_status=status)
    client = _catalog(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.get_product_by_sku(**_catalog_example("get_product_by_sku"))

    assert len(provider.calls) == 1


def test_catalog_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = _catalog_provider(failures=99)
    client = _catalog(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.get_product_by_sku(**_catalog_example("get_product_by_sku"))
