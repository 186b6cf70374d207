"""The interface every payment gateway client implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


class GatewayError(Exception):
    """The gateway could not be reached or answered nonsense."""


@dataclass(frozen=True)
class GatewayResult:
    success: bool
    status: str
    reference: str | None = None
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookEvent:
    type: str
    reference: str
    amount_cents: int
    message: str = ""


class PaymentGateway(ABC):
    name: str = "abstract"
    #: False for gateways that confirm captures later through a webhook.
    captures_synchronously: bool = True

    @abstractmethod
    def authorize(
        self, amount_cents: int, currency: str, token: str, reference: str
    ) -> GatewayResult: ...

    @abstractmethod
    def capture(self, gateway_reference: str, amount_cents: int) -> GatewayResult: ...

    @abstractmethod
    def refund(self, gateway_reference: str, amount_cents: int) -> GatewayResult: ...

    def void(self, gateway_reference: str) -> GatewayResult:
        return GatewayResult(success=False, status="unsupported", message="void not supported")

    def parse_webhook(self, body: bytes, signature: str | None) -> WebhookEvent:
        raise GatewayError(f"{self.name} does not send webhooks")

    @staticmethod
    def check_amount(amount_cents: int) -> None:
        if amount_cents <= 0:
            raise GatewayError("amount must be positive")
        if amount_cents > 10_000_000:
            raise GatewayError("amount exceeds the per-transaction limit")
