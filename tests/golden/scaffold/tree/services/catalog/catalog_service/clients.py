"""Typed clients of the services catalog calls (REST operations of the plan).

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


class InventoryAvailabilityRequest(BaseModel):
    """availability: the parameters of `shop.inventory.services:availability`.

    As the monolith declares them:
    - product_id: int
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product_id: int


class InventoryAvailabilityResponse(BaseModel):
    """availability: what `shop.inventory.services:availability` returns."""

    model_config = ConfigDict(extra="forbid")

    result: int


class InventoryAvailabilityForRequest(BaseModel):
    """availability_for: the parameters of `shop.inventory.services:availability_for`.

    As the monolith declares them:
    - product_ids: list[int]
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product_ids: list[int]


class InventoryAvailabilityForResponse(BaseModel):
    """availability_for: what `shop.inventory.services:availability_for` returns."""

    model_config = ConfigDict(extra="forbid")

    result: dict[int, int]


class InventoryClient(ServiceClient):
    """The inventory service, under /inventory/."""

    def availability(
        self,
        *,
        product_id: int,
    ) -> InventoryAvailabilityResponse:
        request = InventoryAvailabilityRequest(
            product_id=product_id,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("availability", body)
        return InventoryAvailabilityResponse.model_validate(answer)

    def availability_for(
        self,
        *,
        product_ids: list[int],
    ) -> InventoryAvailabilityForResponse:
        request = InventoryAvailabilityForRequest(
            product_ids=product_ids,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("availability_for", body)
        return InventoryAvailabilityForResponse.model_validate(answer)


class OrdersPriceLineRequest(BaseModel):
    """price_line: the parameters of `shop.catalog.pricing:price_line`.

    As the monolith declares them:
    - product: shop.models.Product
    - quantity: int
    - country: str

    On the wire:
    - product: ORM model shop.models:Product: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    product: dict[str, Any]
    quantity: int
    country: str


class OrdersPriceLineResponse(BaseModel):
    """price_line: what `shop.catalog.pricing:price_line` returns.

    On the wire:
    - shop.catalog.pricing.PriceBreakdown: no JSON form known, travels untyped
    """

    model_config = ConfigDict(extra="forbid")

    result: Any = None


class OrdersClient(ServiceClient):
    """The orders service, under /orders/."""

    def price_line(
        self,
        *,
        product: dict[str, Any],
        quantity: int,
        country: str,
    ) -> OrdersPriceLineResponse:
        request = OrdersPriceLineRequest(
            product=product,
            quantity=quantity,
            country=country,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("price_line", body)
        return OrdersPriceLineResponse.model_validate(answer)


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
