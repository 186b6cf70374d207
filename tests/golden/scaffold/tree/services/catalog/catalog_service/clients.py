"""Typed clients of the services catalog calls (REST operations of the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer

from .http import ServiceClient
from .schemas import OperationResponse
from .settings import Settings


class InventoryClient(ServiceClient):
    """The inventory service, under /inventory/."""

    def availability(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("availability", arguments)

    def availability_for(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("availability_for", arguments)


class OrdersClient(ServiceClient):
    """The orders service, under /orders/."""

    def price_line(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("price_line", arguments)


@dataclass(frozen=True)
class Clients:
    inventory: InventoryClient
    orders: OrdersClient

    def close(self) -> None:
        self.inventory.close()
        self.orders.close()


def make_clients(
    settings: Settings, *, tracer: Tracer, http: Mapping[str, httpx.Client] | None = None
) -> Clients:
    """One client per called service; `http` replaces the transport (contract tests)."""
    http = http or {}
    return Clients(
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
