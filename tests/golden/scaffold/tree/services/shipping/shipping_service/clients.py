"""Typed clients of the services shipping calls (REST operations of the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer

from .http import ServiceClient
from .schemas import OperationResponse
from .settings import Settings


class CustomersClient(ServiceClient):
    """The customers service, under /customers/."""

    def current_customer(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("current_customer", arguments)


class InventoryClient(ServiceClient):
    """The inventory service, under /inventory/."""

    def fulfilment_warehouse(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("fulfilment_warehouse", arguments)


class OrdersClient(ServiceClient):
    """The orders service, under /orders/."""

    def get_customer_order(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("get_customer_order", arguments)

    def get_order(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("get_order", arguments)


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
