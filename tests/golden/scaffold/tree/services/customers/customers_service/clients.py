"""Typed clients of the services customers calls (REST operations of the plan).

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


class NotificationsDeliveryErrorRequest(BaseModel):
    """delivery_error: the parameters of `shop.notifications.channels:DeliveryError`.

    Its signature is unknown to the plan, so any field is accepted: type them here.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class NotificationsDeliveryErrorResponse(BaseModel):
    """delivery_error: what `shop.notifications.channels:DeliveryError` returns."""

    model_config = ConfigDict(extra="forbid")

    result: Any = None


class NotificationsEmailChannelRequest(BaseModel):
    """email_channel: the parameters of `shop.notifications.channels.email:EmailChannel`.

    Its signature is unknown to the plan, so any field is accepted: type them here.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class NotificationsEmailChannelResponse(BaseModel):
    """email_channel: what `shop.notifications.channels.email:EmailChannel` returns."""

    model_config = ConfigDict(extra="forbid")

    result: Any = None


class NotificationsClient(ServiceClient):
    """The notifications service, under /notifications/."""

    def delivery_error(self, **fields: Any) -> NotificationsDeliveryErrorResponse:
        request = NotificationsDeliveryErrorRequest(**fields)
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("delivery_error", body)
        return NotificationsDeliveryErrorResponse.model_validate(answer)

    def email_channel(self, **fields: Any) -> NotificationsEmailChannelResponse:
        request = NotificationsEmailChannelRequest(**fields)
        body = request.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        answer = self._call("email_channel", body)
        return NotificationsEmailChannelResponse.model_validate(answer)


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
