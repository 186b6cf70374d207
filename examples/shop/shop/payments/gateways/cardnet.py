"""Client for the CardNet payment service provider (JSON over HTTPS).

CardNet authorizes synchronously but confirms captures asynchronously with a
signed webhook (``capture.succeeded`` / ``capture.failed``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from shop.payments.gateways.base import GatewayError, GatewayResult, PaymentGateway, WebhookEvent

Transport = Callable[[str, str, dict[str, Any]], dict[str, Any]]
API_BASE = "https://api.cardnet.example/v2"
WEBHOOK_TYPES = {"capture.succeeded", "capture.failed", "refund.succeeded"}


class CardNetGateway(PaymentGateway):
    name = "cardnet"
    captures_synchronously = False

    def __init__(self, api_key: str, webhook_secret: str, transport: Transport | None = None):
        self.api_key = api_key
        self.webhook_secret = webhook_secret.encode()
        self._transport = transport or self._http

    def _http(self, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        if not self.api_key:
            raise GatewayError("CARDNET_API_KEY is not configured")
        request = urllib.request.Request(
            API_BASE + path,
            data=json.dumps(payload).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(payload.get("reference", "")),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                return json.loads(exc.read())
            except ValueError:
                raise GatewayError(f"cardnet answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise GatewayError(f"cardnet unreachable: {exc}") from exc

    def _call(self, method: str, path: str, payload: dict[str, Any]) -> GatewayResult:
        body = self._transport(method, path, payload)
        status = body.get("status", "error")
        return GatewayResult(
            success=status not in {"declined", "failed", "error"},
            status=status,
            reference=body.get("id"),
            message=body.get("message", ""),
            raw=body,
        )

    def authorize(
        self, amount_cents: int, currency: str, token: str, reference: str
    ) -> GatewayResult:
        self.check_amount(amount_cents)
        return self._call(
            "POST",
            "/authorizations",
            {"amount": amount_cents, "currency": currency, "source": token, "reference": reference},
        )

    def capture(self, gateway_reference: str, amount_cents: int) -> GatewayResult:
        return self._call(
            "POST", f"/authorizations/{gateway_reference}/capture", {"amount": amount_cents}
        )

    def refund(self, gateway_reference: str, amount_cents: int) -> GatewayResult:
        return self._call("POST", f"/charges/{gateway_reference}/refunds", {"amount": amount_cents})

    def void(self, gateway_reference: str) -> GatewayResult:
        return self._call("POST", f"/authorizations/{gateway_reference}/void", {})

    def sign(self, body: bytes) -> str:
        return hmac.new(self.webhook_secret, body, hashlib.sha256).hexdigest()

    def parse_webhook(self, body: bytes, signature: str | None) -> WebhookEvent:
        if not signature or not hmac.compare_digest(self.sign(body), signature):
            raise GatewayError("invalid webhook signature")
        try:
            data = json.loads(body)
            event_type = data["type"]
            reference = data["data"]["id"]
            amount = int(data["data"].get("amount", 0))
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayError("malformed webhook body") from exc
        if event_type not in WEBHOOK_TYPES:
            raise GatewayError(f"unsupported webhook type {event_type}")
        return WebhookEvent(event_type, reference, amount, data["data"].get("message", ""))
