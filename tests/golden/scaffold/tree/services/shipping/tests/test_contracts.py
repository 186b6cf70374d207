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

from shipping_service import clients as _clients
from shipping_service.http import ServiceError
from shipping_service.runtime import Runtime
from shipping_service.settings import Settings


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
CUSTOMERS_CONTRACTS: dict[str, tuple[type[BaseModel], str, str]] = {
    "current_customer": (
        _clients.CustomersCurrentCustomerRequest,
        "{}",
        "{\"text\": \"value\"}",
    ),
}


def _customers_provider(failures: int = 0, failure_status: int = 503) -> Provider:
    contracts = {
        name: (model, json.loads(result))
        for name, (model, _, result) in CUSTOMERS_CONTRACTS.items()
    }
    return Provider(
        "/customers/", contracts, failures=failures, failure_status=failure_status
    )


def _customers(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = {"customers": TestClient(provider.app, base_url="http://customers")}
    return _clients.make_clients(settings, tracer=runtime.tracer, http=http).customers


def _customers_example(operation: str) -> dict[str, Any]:
    """The example request of `operation`, as keyword arguments of the client's method."""
    model, example, _ = CUSTOMERS_CONTRACTS[operation]
    return _arguments(model.model_validate(json.loads(example)))


@pytest.mark.parametrize("operation", sorted(CUSTOMERS_CONTRACTS))
def test_customers_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    model, _, result = CUSTOMERS_CONTRACTS[operation]
    request = model.model_validate(_customers_example(operation))
    provider = _customers_provider()
    client = _customers(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)(**_arguments(request))

    assert response.result == type(response).model_validate({"result": json.loads(result)}).result
    [(called, body, traceparent)] = provider.calls
    assert called == operation
    assert model.model_validate(body) == request
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_customers_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = _customers_provider(failures=2)
    client = _customers(settings, runtime, provider)

    client.current_customer(**_customers_example("current_customer"))

    assert len(provider.calls) == 3


@pytest.mark.parametrize("status", [500, 502, 504])
def test_customers_client_does_not_repeat_a_call_that_may_have_run(
    settings: Settings, runtime: Runtime, status: int
) -> None:
    provider = _customers_provider(failures=1, failure_status=status)
    client = _customers(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.current_customer(**_customers_example("current_customer"))

    assert len(provider.calls) == 1


def test_customers_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = _customers_provider(failures=99)
    client = _customers(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.current_customer(**_customers_example("current_customer"))


# operation -> (request model, example request, example result), from the plan's wire types
INVENTORY_CONTRACTS: dict[str, tuple[type[BaseModel], str, str]] = {
    "fulfilment_warehouse": (
        _clients.InventoryFulfilmentWarehouseRequest,
        "{\"order_id\": 1}",
        "{\"text\": \"value\"}",
    ),
}


def _inventory_provider(failures: int = 0, failure_status: int = 503) -> Provider:
    contracts = {
        name: (model, json.loads(result))
        for name, (model, _, result) in INVENTORY_CONTRACTS.items()
    }
    return Provider(
        "/inventory/", contracts, failures=failures, failure_status=failure_status
    )


def _inventory(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = {"inventory": TestClient(provider.app, base_url="http://inventory")}
    return _clients.make_clients(settings, tracer=runtime.tracer, http=http).inventory


def _inventory_example(operation: str) -> dict[str, Any]:
    """The example request of `operation`, as keyword arguments of the client's method."""
    model, example, _ = INVENTORY_CONTRACTS[operation]
    return _arguments(model.model_validate(json.loads(example)))


@pytest.mark.parametrize("operation", sorted(INVENTORY_CONTRACTS))
def test_inventory_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    model, _, result = INVENTORY_CONTRACTS[operation]
    request = model.model_validate(_inventory_example(operation))
    provider = _inventory_provider()
    client = _inventory(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)(**_arguments(request))

    assert response.result == type(response).model_validate({"result": json.loads(result)}).result
    [(called, body, traceparent)] = provider.calls
    assert called == operation
    assert model.model_validate(body) == request
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_inventory_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = _inventory_provider(failures=2)
    client = _inventory(settings, runtime, provider)

    client.fulfilment_warehouse(**_inventory_example("fulfilment_warehouse"))

    assert len(provider.calls) == 3


@pytest.mark.parametrize("status", [500, 502, 504])
def test_inventory_client_does_not_repeat_a_call_that_may_have_run(
    settings: Settings, runtime: Runtime, status: int
) -> None:
    provider = _inventory_provider(failures=1, failure_status=status)
    client = _inventory(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.fulfilment_warehouse(**_inventory_example("fulfilment_warehouse"))

    assert len(provider.calls) == 1


def test_inventory_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = _inventory_provider(failures=99)
    client = _inventory(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.fulfilment_warehouse(**_inventory_example("fulfilment_warehouse"))


# operation -> (request model, example request, example result), from the plan's wire types
ORDERS_CONTRACTS: dict[str, tuple[type[BaseModel], str, str]] = {
    "get_customer_order": (
        _clients.OrdersGetCustomerOrderRequest,
        "{\"customer\": {\"text\": \"value\"}, \"order_id\": 1}",
        "{\"text\": \"value\"}",
    ),
    "get_order": (
        _clients.OrdersGetOrderRequest,
        "{\"order_id\": 1}",
        "{\"text\": \"value\"}",
    ),
}


def _orders_provider(failures: int = 0, failure_status: int = 503) -> Provider:
    contracts = {
        name: (model, json.loads(result))
        for name, (model, _, result) in ORDERS_CONTRACTS.items()
    }
    return Provider(
        "/orders/", contracts, failures=failures, failure_status=failure_status
    )


def _orders(settings: Settings, runtime: Runtime, provider: Provider) -> Any:
    http = {"orders": TestClient(provider.app, base_url="http://orders")}
    return _clients.make_clients(settings, tracer=runtime.tracer, http=http).orders


def _orders_example(operation: str) -> dict[str, Any]:
    """The example request of `operation`, as keyword arguments of the client's method."""
    model, example, _ = ORDERS_CONTRACTS[operation]
    return _arguments(model.model_validate(json.loads(example)))


@pytest.mark.parametrize("operation", sorted(ORDERS_CONTRACTS))
def test_orders_client_follows_the_contract(
    settings: Settings, runtime: Runtime, operation: str
) -> None:
    model, _, result = ORDERS_CONTRACTS[operation]
    request = model.model_validate(_orders_example(operation))
    provider = _orders_provider()
    client = _orders(settings, runtime, provider)

    with runtime.tracer.start_as_current_span("caller") as span:
        response = getattr(client, operation)(**_arguments(request))

    assert response.result == type(response).model_validate({"result": json.loads(result)}).result
    [(called, body, traceparent)] = provider.calls
    assert called == operation
    assert model.model_validate(body) == request
    assert traceparent and f"{span.get_span_context().trace_id:032x}" in traceparent


def test_orders_client_retries_while_unavailable(settings: Settings, runtime: Runtime) -> None:
    provider = _orders_provider(failures=2)
    client = _orders(settings, runtime, provider)

    client.get_customer_order(**_orders_example("get_customer_order"))

    assert len(provider.calls) == 3


@pytest.mark.parametrize("status", [500, 502, 504])
def test_orders_client_does_not_repeat_a_call_that_may_have_run(
    settings: Settings, runtime: Runtime, status: int
) -> None:
    provider = _orders_provider(failures=1, failure_status=status)
    client = _orders(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.get_customer_order(**_orders_example("get_customer_order"))

    assert len(provider.calls) == 1


def test_orders_client_reports_errors(settings: Settings, runtime: Runtime) -> None:
    provider = _orders_provider(failures=99)
    client = _orders(settings, runtime, provider)

    with pytest.raises(ServiceError):
        client.get_customer_order(**_orders_example("get_customer_order"))
