"""Base class and value objects shared by all carrier plugins."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from shop.utils import ShopError

EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


class CarrierError(ShopError):
    status_code = 422
    code = "carrier_error"


@dataclass(frozen=True)
class Rate:
    carrier: str
    service_level: str
    cost_cents: int
    estimated_days: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "service_level": self.service_level,
            "cost_cents": self.cost_cents,
            "estimated_days": self.estimated_days,
        }


@dataclass(frozen=True)
class Label:
    tracking_number: str
    label_url: str
    cost_cents: int


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    status: str
    location: str
    description: str


class Carrier(ABC):
    code: str = ""
    name: str = ""
    max_weight_grams: int = 31_500
    #: carrier specific status codes mapped onto our shipment statuses
    status_map: dict[str, str] = {}

    def supports(self, destination_country: str, weight_grams: int) -> bool:
        return weight_grams <= self.max_weight_grams

    @abstractmethod
    def rates(self, weight_grams: int, origin: str, destination: str) -> list[Rate]: ...

    @abstractmethod
    def tracking_url(self, tracking_number: str) -> str: ...

    def _tracking_number(self, reference: str) -> str:
        digest = hashlib.sha1(f"{self.code}:{reference}".encode()).hexdigest()
        return f"{self.code[:2].upper()}{int(digest[:12], 16) % 10**12:012d}"

    def create_label(
        self, reference: str, weight_grams: int, origin: str, destination: str, service_level: str
    ) -> Label:
        matching = [
            r
            for r in self.rates(weight_grams, origin, destination)
            if r.service_level == service_level
        ]
        if not matching:
            raise CarrierError(f"{self.name} has no {service_level!r} service to {destination}")
        number = self._tracking_number(reference)
        return Label(
            number, f"https://labels.example/{self.code}/{number}.pdf", matching[0].cost_cents
        )

    def parse_tracking_update(self, payload: dict[str, Any]) -> TrackingUpdate:
        try:
            number = str(payload["tracking_number"])
            raw_status = str(payload["status"])
        except KeyError as exc:
            raise CarrierError(f"tracking update without {exc.args[0]}") from exc
        if raw_status not in self.status_map:
            raise CarrierError(f"unknown {self.code} status {raw_status!r}")
        return TrackingUpdate(
            tracking_number=number,
            status=self.status_map[raw_status],
            location=str(payload.get("location", "")),
            description=str(payload.get("description", raw_status)),
        )
