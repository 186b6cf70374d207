"""Constants shared across the shop."""

__all__ = [
    "DEFAULT_CURRENCY",
    "SUPPORTED_CURRENCIES",
    "TAX_RATES",
    "REDUCED_TAX_RATES",
    "TAX_CLASS_STANDARD",
    "TAX_CLASS_REDUCED",
    "TAX_CLASS_EXEMPT",
    "ORDER_STATUSES",
    "PAYMENT_STATUSES",
    "SHIPMENT_STATUSES",
    "MAX_LINE_QUANTITY",
]

DEFAULT_CURRENCY = "EUR"
SUPPORTED_CURRENCIES = ("EUR", "USD", "GBP")

TAX_CLASS_STANDARD = "standard"
TAX_CLASS_REDUCED = "reduced"
TAX_CLASS_EXEMPT = "exempt"

# VAT in percent per destination country.
TAX_RATES = {"DE": 19, "AT": 20, "FR": 20, "NL": 21, "IT": 22, "ES": 21, "GB": 20, "US": 0}
REDUCED_TAX_RATES = {"DE": 7, "AT": 10, "FR": 5, "NL": 9, "IT": 10, "ES": 10, "GB": 5, "US": 0}

ORDER_STATUSES = (
    "pending_payment",
    "payment_failed",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "refunded",
)
PAYMENT_STATUSES = ("pending", "authorized", "captured", "failed", "refunded", "partially_refunded")
SHIPMENT_STATUSES = ("label_created", "dispatched", "in_transit", "delivered", "returned")

MAX_LINE_QUANTITY = 99
