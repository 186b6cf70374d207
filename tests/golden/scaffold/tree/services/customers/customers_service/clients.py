"""Typed clients of the services customers calls (REST operations of the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry.trace import Tracer

from .http import ServiceClient
from .schemas import OperationResponse
from .settings import Settings


class NotificationsClient(ServiceClient):
    """The notifications service, under /notifications/."""

    def delivery_error(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("delivery_error", arguments)

    def email_channel(self, arguments: Mapping[str, Any] | None = None) -> OperationResponse:
        return self._call("email_channel", arguments)


@dataclass(frozen=True)
class Clients:
    notifications: NotificationsClient

    def close(self) -> None:
        self.notifications.close()


def make_clients(
    settings: Settings, *, tracer: Tracer, http: Mapping[str, httpx.Client] | None = None
) -> Clients:
    """One client per called service; `http` replaces the transport (contract tests)."""
    http = http or {}
    return Clients(
        notifications=NotificationsClient(
            base_url=settings.notifications_service_url,
            path_prefix="/notifications/",
            tracer=tracer,
            timeout_s=settings.http_timeout_s,
            retries=settings.http_retries,
            backoff_s=settings.http_backoff_s,
            http=http.get("notifications"),
        ),
    )
