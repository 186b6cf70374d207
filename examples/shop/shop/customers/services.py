"""Customer accounts and address book."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from sqlalchemy import func, select

from shop import db, events
from shop.models import Address, Customer
from shop.utils import Conflict, NotFound, ValidationError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")
PHONE_RE = re.compile(r"^\+[1-9]\d{6,14}$")
PBKDF2_ITERATIONS = 120_000
ADDRESS_FIELDS = ("label", "recipient", "line1", "line2", "city", "postal_code", "country")


class AuthenticationFailed(ValidationError):
    status_code = 401
    code = "authentication_failed"


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ITERATIONS)
    return f"pbkdf2${PBKDF2_ITERATIONS}${salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError(f"invalid e-mail address {email!r}")
    return email


def normalize_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"[\s\-()/]", "", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not PHONE_RE.match(digits):
        raise ValidationError("phone must be in international format, e.g. +4915112345678")
    return digits


def get_customer(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def find_by_email(email: str) -> Customer | None:
    return db.session.scalar(select(Customer).where(func.lower(Customer.email) == email.lower()))


def register(
    email: str,
    password: str,
    full_name: str,
    phone: str | None = None,
    is_admin: bool = False,
    marketing_opt_in: bool = False,
) -> Customer:
    email = normalize_email(email)
    if len(password) < 8:
        raise ValidationError("password must have at least 8 characters")
    if not full_name.strip():
        raise ValidationError("full_name is required")
    if find_by_email(email) is not None:
        raise Conflict("an account with this e-mail already exists")
    customer = Customer(
        email=email,
        password_hash=hash_password(password),
        full_name=full_name.strip(),
        phone=normalize_phone(phone),
        is_admin=is_admin,
        marketing_opt_in=marketing_opt_in,
    )
    db.session.add(customer)
    db.session.commit()
    events.publish("customer_registered", {"customer_id": customer.id, "email": customer.email})
    return customer


def authenticate(email: str, password: str) -> Customer:
    customer = find_by_email(email.strip())
    if customer is None or not verify_password(password, customer.password_hash):
        raise AuthenticationFailed("wrong e-mail or password")
    return customer


def update_profile(customer: Customer, data: dict[str, Any]) -> Customer:
    if "full_name" in data:
        if not str(data["full_name"]).strip():
            raise ValidationError("full_name must not be empty")
        customer.full_name = str(data["full_name"]).strip()
    if "phone" in data:
        customer.phone = normalize_phone(data["phone"])
    if "marketing_opt_in" in data:
        customer.marketing_opt_in = bool(data["marketing_opt_in"])
    if "password" in data:
        if not verify_password(str(data.get("current_password", "")), customer.password_hash):
            raise AuthenticationFailed("current password is wrong")
        if len(str(data["password"])) < 8:
            raise ValidationError("password must have at least 8 characters")
        customer.password_hash = hash_password(str(data["password"]))
    db.session.commit()
    return customer


def _clean_address(data: dict[str, Any]) -> dict[str, Any]:
    clean = {key: str(data[key]).strip() for key in ADDRESS_FIELDS if data.get(key)}
    missing = [
        k for k in ("recipient", "line1", "city", "postal_code", "country") if k not in clean
    ]
    if missing:
        raise ValidationError("incomplete address", fields=missing)
    clean["country"] = clean["country"].upper()
    if len(clean["country"]) != 2:
        raise ValidationError("country must be an ISO 3166 alpha-2 code")
    if clean["country"] == "DE" and not re.fullmatch(r"\d{5}", clean["postal_code"]):
        raise ValidationError("German postal codes have five digits")
    return clean


def add_address(customer: Customer, data: dict[str, Any]) -> Address:
    address = Address(**_clean_address(data))
    if data.get("is_default") or not customer.addresses:
        for other in customer.addresses:
            other.is_default = False
        address.is_default = True
    customer.addresses.append(address)
    db.session.commit()
    return address


def get_address(customer_id: int, address_id: int) -> Address:
    address = db.session.get(Address, address_id)
    if address is None or address.customer_id != customer_id:
        raise NotFound(f"address {address_id} not found")
    return address


def default_address(customer: Customer) -> Address | None:
    for address in customer.addresses:
        if address.is_default:
            return address
    return customer.addresses[0] if customer.addresses else None


def delete_address(customer: Customer, address_id: int) -> None:
    address = get_address(customer.id, address_id)
    was_default = address.is_default
    customer.addresses.remove(address)
    if was_default and customer.addresses:
        customer.addresses[0].is_default = True
    db.session.commit()


def serialize_customer(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "email": customer.email,
        "full_name": customer.full_name,
        "phone": customer.phone,
        "marketing_opt_in": customer.marketing_opt_in,
        "loyalty_points": customer.loyalty_points,
    }


def serialize_address(address: Address) -> dict[str, Any]:
    data = {key: getattr(address, key) for key in ADDRESS_FIELDS}
    data.update(id=address.id, is_default=address.is_default, formatted=address.one_line())
    return data
