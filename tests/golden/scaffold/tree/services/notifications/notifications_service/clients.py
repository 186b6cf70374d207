"""Typed clients of the services notifications calls (REST operations of the plan).

Each called operation's request and response models are a copy of the called service's own
(its schemas.py), generated from the same plan entry: the two services deploy apart, so neither
imports the other's code. tests/test_contracts.py holds the client to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from opentelemetry.trace import Tracer

from .settings import Settings


@dataclass(frozen=True)
class Clients:
    """notifications calls no other service over REST."""

    def close(self) -> None:
        return None


def make_clients(
    settings: Settings, *, tracer: Tracer, http: Mapping[str, httpx.Client] | None = None
) -> Clients:
    """One client per called service; `http` replaces the transport (contract tests)."""
    return Clients()
