"""Express courier: priced per started kilogram, next day within the EU."""

from __future__ import annotations

from shop.shipping.carriers.base import EU_COUNTRIES, Carrier, Rate

BASE_CENTS = 1_290
PER_KG_CENTS = 180
CROSS_BORDER_CENTS = 600
NEXT_DAY_SURCHARGE_CENTS = 900


class ExpressCarrier(Carrier):
    code = "express"
    name = "Express Courier"
    max_weight_grams = 70_000
    status_map = {
        "PU": "dispatched",
        "HUB": "in_transit",
        "WC": "in_transit",
        "OK": "delivered",
        "RTS": "returned",
    }

    def supports(self, destination_country: str, weight_grams: int) -> bool:
        return destination_country in EU_COUNTRIES and super().supports(
            destination_country, weight_grams
        )

    def rates(self, weight_grams: int, origin: str, destination: str) -> list[Rate]:
        if not self.supports(destination, weight_grams):
            return []
        kilograms = -(-weight_grams // 1_000)
        cost = BASE_CENTS + kilograms * PER_KG_CENTS
        days = 1
        if origin != destination:
            cost += CROSS_BORDER_CENTS
            days = 2
        return [
            Rate(self.code, "express", cost, days),
            Rate(self.code, "next_day", cost + NEXT_DAY_SURCHARGE_CENTS, 1),
        ]

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://express.example/t/{tracking_number}"


CARRIER = ExpressCarrier
