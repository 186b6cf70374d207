"""ParcelPost: the national postal service. Cheap, slow, ships everywhere."""

from __future__ import annotations

from shop.shipping.carriers.base import EU_COUNTRIES, Carrier, Rate

WEIGHT_BANDS = ((2_000, 499), (5_000, 699), (10_000, 999), (31_500, 1_699))
ZONE_SURCHARGE = {"domestic": 0, "eu": 800, "world": 2_400}
ZONE_DAYS = {"domestic": 2, "eu": 5, "world": 12}


class ParcelPostCarrier(Carrier):
    code = "parcelpost"
    name = "ParcelPost"
    status_map = {
        "ACCEPTED": "dispatched",
        "IN_TRANSIT": "in_transit",
        "OUT_FOR_DELIVERY": "in_transit",
        "DELIVERED": "delivered",
        "RETURNED_TO_SENDER": "returned",
    }

    @staticmethod
    def zone(origin: str, destination: str) -> str:
        if origin == destination:
            return "domestic"
        if origin in EU_COUNTRIES and destination in EU_COUNTRIES:
            return "eu"
        return "world"

    def rates(self, weight_grams: int, origin: str, destination: str) -> list[Rate]:
        if not self.supports(destination, weight_grams):
            return []
        base = next(price for limit, price in WEIGHT_BANDS if weight_grams <= limit)
        zone = self.zone(origin, destination)
        standard = Rate(self.code, "standard", base + ZONE_SURCHARGE[zone], ZONE_DAYS[zone])
        rates = [standard]
        if zone == "domestic":
            rates.append(Rate(self.code, "registered", standard.cost_cents + 250, 2))
        return rates

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://parcelpost.example/track?id={tracking_number}"


CARRIER = ParcelPostCarrier
