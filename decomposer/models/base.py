"""The base of every model handed between stages."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of every stage model: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
