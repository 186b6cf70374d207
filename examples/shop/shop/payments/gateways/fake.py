"""In-memory gateway for development and tests.

Magic tokens: ``tok_declined`` is declined, ``tok_error`` simulates an
outage, ``tok_async`` authorizes but captures only via webhook; anything
else starting with ``tok_`` succeeds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from shop.payments.gateways.base import GatewayError, GatewayResult, PaymentGateway


@dataclass
class _Charge:
    amount_cents: int
    currency: str
    captured_cents: int = 0
    refunded_cents: int = 0
    asynchronous: bool = False


class FakeGateway(PaymentGateway):
    name = "fake"

    def __init__(self) -> None:
        self._charges: dict[str, _Charge] = {}
        self._ids = itertools.count(1)

    def authorize(
        self, amount_cents: int, currency: str, token: str, reference: str
    ) -> GatewayResult:
        self.check_amount(amount_cents)
        if token == "tok_error":
            raise GatewayError("fake gateway is unavailable")
        if not token.startswith("tok_"):
            return GatewayResult(False, "declined", message="malformed card token")
        if token == "tok_declined":
            return GatewayResult(False, "declined", message="card declined")
        charge_id = f"fake_ch_{next(self._ids)}"
        self._charges[charge_id] = _Charge(
            amount_cents, currency, asynchronous=token == "tok_async"
        )
        return GatewayResult(True, "authorized", reference=charge_id)

    def _charge(self, reference: str) -> _Charge:
        try:
            return self._charges[reference]
        except KeyError as exc:
            raise GatewayError(f"unknown charge {reference}") from exc

    def capture(self, gateway_reference: str, amount_cents: int) -> GatewayResult:
        charge = self._charge(gateway_reference)
        if amount_cents > charge.amount_cents - charge.captured_cents:
            return GatewayResult(
                False, "failed", gateway_reference, "capture exceeds authorization"
            )
        if charge.asynchronous:
            return GatewayResult(True, "pending", gateway_reference)
        charge.captured_cents += amount_cents
        return GatewayResult(True, "captured", gateway_reference)

    def settle_async(self, gateway_reference: str) -> None:
        """Test helper: the bank confirmed an asynchronous capture."""
        charge = self._charge(gateway_reference)
        charge.captured_cents = charge.amount_cents

    def refund(self, gateway_reference: str, amount_cents: int) -> GatewayResult:
        charge = self._charge(gateway_reference)
        if amount_cents > charge.captured_cents - charge.refunded_cents:
            return GatewayResult(False, "failed", gateway_reference, "refund exceeds capture")
        charge.refunded_cents += amount_cents
        return GatewayResult(True, "refunded", f"fake_re_{next(self._ids)}")

    def void(self, gateway_reference: str) -> GatewayResult:
        charge = self._charge(gateway_reference)
        if charge.captured_cents:
            return GatewayResult(False, "failed", gateway_reference, "already captured")
        del self._charges[gateway_reference]
        return GatewayResult(True, "voided", gateway_reference)
