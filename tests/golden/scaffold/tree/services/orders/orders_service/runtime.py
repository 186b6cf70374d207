"""What every route and event handler of the orders service works with."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.trace import Tracer

from .clients import Clients
from .data import Store
from .events import Events
from .settings import Settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    tracer: Tracer
    store: Store
    events: Events
    clients: Clients
