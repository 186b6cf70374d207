"""Typed clients of the services shipping calls (REST operations of the plan).

Each called operation's request and response models are a copy of the called service's own
(its schemas.py), generated from the same plan entry: the two services deploy apart, so neither
imports the other's code. tests/test_contracts.py holds the client to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer
from pydantic import BaseModel, ConfigDict

from .http import ServiceClient
from .settings import Settings


class CustomersCurrentCustomerRequest(BaseModel):
    """current_customer: the parameters of `shop.customers.auth:current_customer`.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CustomersCurrentCustomerResponse(BaseModel):
    """current_customer: what `shop.customers.auth:current_customer` returns.

    On the wire:
    - ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any] | None = None


class CustomersClient(ServiceClient):
    """The customers service, under /customers/."""

    def current_customer(self) -> CustomersCurrentCustomerResponse:
        request = CustomersCurrentCustomerRequest()
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("current_customer", body)
        return CustomersCurrentCustomerResponse.model_validate(answer)


class InventoryFulfilmentWarehouseRequest(BaseModel):
    """fulfilment_warehouse: the parameters of `shop.inventory.services:fulfilment_warehouse`.

    As the monolith declares them:
    - order_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_id: int


class InventoryFulfilmentWarehouseResponse(BaseModel):
    """fulfilment_warehouse: what `shop.inventory.services:fulfilment_warehouse` returns.

    On the wire:
    - ORM model shop.models:Warehouse: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any] | None = None


class InventoryClient(ServiceClient):
    """The inventory service, under /inventory/."""

    def fulfilment_warehouse(
        self,
        *,
        order_id: int,
    ) -> InventoryFulfilmentWarehouseResponse:
        request = InventoryFulfilmentWarehouseRequest(
            order_id=order_id,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("fulfilment_warehouse", body)
        return InventoryFulfilmentWarehouseResponse.model_validate(answer)


class OrdersGetCustomerOrderRequest(BaseModel):
    """get_customer_order: the parameters of `shop.orders.services:get_customer_order`.

    As the monolith declares them:
    - customer: shop.models.Customer
    - order_id: int

    On the wire:
    - customer: ORM model shop.models:Customer: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer: dict[str, Any]
    order_id: int


class OrdersGetCustomerOrderResponse(BaseModel):
    """get_customer_order: what `shop.orders.services:get_customer_order` returns.

    On the wire:
    - ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class OrdersGetOrderRequest(BaseModel):
    """get_order: the parameters of `shop.orders.services:get_order`.

    As the monolith declares them:
    - order_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_id: int


class OrdersGetOrderResponse(BaseModel):
    """get_order: what `shop.orders.services:get_order` returns.

    On the wire:
    - ORM model shop.models:Order: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class OrdersClient(ServiceClient):
    """The orders service, under /orders/."""

    def get_customer_order(
        self,
        *,
        customer: dict[str, Any],
        order_id: int,
    ) -> OrdersGetCustomerOrderResponse:
        request = OrdersGetCustomerOrderRequest(
            customer=customer,
            order_id=order_id,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("get_customer_order", body)
        return OrdersGetCustomerOrderResponse.model_validate(answer)

    def get_order(
        self,
        *,
        order_id: int,
    ) -> OrdersGetOrderResponse:
        request = OrdersGetOrderRequest(
            order_id=order_id,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("get_order", body)
        return OrdersGetOrderResponse.model_validate(answer)


@dataclass(frozen=True)
class Clients:
    customers: CustomersClient
    inventory: InventoryClient
    orders: OrdersClient

    def close(self) -> None:
        self.customers.close()
        self.inventory.close()
        self.orders.close()


def make_clients(
    settings: Settings, *, tracer: Tracer, http: Mapping[str, httpx.Client] | None = None
) -> Clients:
    """One client per called service; `http` replaces the transport (contract tests)."""
    http = http or {}
    return Clients(
        customers=CustomersClient(
            base_url=settings.customers_service_url,
            path_prefix="/customers/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("customers"),
        ),
        inventory=InventoryClient(
            base_url=settings.inventory_service_url,
            path_prefix="/inventory/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("inventory"),
        ),
        orders=OrdersClient(
            base_url=settings.orders_service_url,
            path_prefix="/orders/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("orders"),
        ),
    )
