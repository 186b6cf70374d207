"""The wire format shared by every generated service.

The plan names operations but not their fields, so a request carries its arguments and a
response its result as JSON objects; replace them with typed models as each operation is
implemented (the client of the calling service then follows).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OperationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    arguments: dict[str, Any] = Field(default_factory=dict, description="Named arguments")


class OperationResponse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Any = Field(default=None, description="What the operation returned")


class EventEnvelope(BaseModel):
    """The body of every SQS message: the event's name and its payload."""

    model_config = ConfigDict(extra="forbid")

    event: str
    payload: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str
    service: str
