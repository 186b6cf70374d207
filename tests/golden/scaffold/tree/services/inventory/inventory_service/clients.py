"""Typed clients of the services inventory calls (REST operations of the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer

from .http import ServiceClient
from .schemas import OperationResponse
from .settings import Settings


class CatalogClient(ServiceClient):
    """The catalog service, under /catalog/."""

    def get_product_by_sku(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("get_product_by_sku", arguments)


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
