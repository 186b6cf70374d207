"""Typed clients of the services inventory calls (REST operations of the plan).

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


class CatalogGetProductBySkuRequest(BaseModel):
    """get_product_by_sku: the parameters of `shop.catalog.services:get_product_by_sku`.

    As the monolith declares them:
    - sku: str
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sku: str


class CatalogGetProductBySkuResponse(BaseModel):
    """get_product_by_sku: what `shop.catalog.services:get_product_by_sku` returns.

    On the wire:
    - ORM model shop.models:Product: travels as an object of its fields
    """

    model_config = ConfigDict(extra="forbid")

    result: dict[str, Any]


class CatalogClient(ServiceClient):
    """The catalog service, under /catalog/."""

    def get_product_by_sku(
        self,
        *,
        sku: str,
    ) -> CatalogGetProductBySkuResponse:
        request = CatalogGetProductBySkuRequest(
            sku=sku,
        )
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("get_product_by_sku", body)
        return CatalogGetProductBySkuResponse.model_validate(answer)


@dataclass(frozen=True)
class Clients:
    catalog: CatalogClient

    def close(self) -> None:
        self.catalog.close()


def make_clients(
    settings: Settings, *, tracer: Tracer, http: Mapping[str, httpx.Client] | None = None
) -> Clients:
    """One client per called service; `http` replaces the transport (contract tests)."""
    http = http or {}
    return Clients(
        catalog=CatalogClient(
            base_url=settings.catalog_service_url,
            path_prefix="/catalog/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("catalog"),
        ),
    )
