"""The wire format of the notifications service: one request and one response model per
operation, typed from the monolith function's signature as the plan records it (plan.json:
contexts.notifications.operations[].parameters / returns), plus the event envelope.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DeliveryErrorRequest(BaseModel):
    """delivery_error: the parameters of `shop.notifications.channels:DeliveryError`.

    Its signature is unknown to the plan, so any field is accepted: type them here.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class DeliveryErrorResponse(BaseModel):
    """delivery_error: what `shop.notifications.channels:DeliveryError` returns."""

    model_config = ConfigDict(extra="forbid")

    result: Any = None


class EmailChannelRequest(BaseModel):
    """email_channel: the parameters of `shop.notifications.channels.email:EmailChannel`.

    Its signature is unknown to the plan, so any field is accepted: type them here.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class EmailChannelResponse(BaseModel):
    """email_channel: what `shop.notifications.channels.email:EmailChannel` returns."""

    model_config = ConfigDict(extra="forbid")

    result: Any = None


class EventEnvelope(BaseModel):
    """The body of every SQS message: the event's name and its payload."""

    model_config = ConfigDict(extra="forbid")

    event: str
    payload: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    service: str
