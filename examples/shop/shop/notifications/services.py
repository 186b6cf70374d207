"""Message templates and the transactional outbox."""

from __future__ import annotations

import logging
import sys
from string import Template
from typing import Any

from flask import current_app
from sqlalchemy import select

from shop import db
from shop.models import Customer, Notification
from shop.notifications.channels import Channel, DeliveryError
from shop.notifications.channels.email import EmailChannel
from shop.utils import Page, paginate, utcnow

log = logging.getLogger(__name__)

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "welcome": {
        "email": (
            "Welcome to the shop, $name",
            "Hello $name,\n\nthanks for creating an account. Happy shopping!\n",
        ),
    },
    "order_placed": {
        "email": (
            "Your order $number",
            "Hello $name,\n\nwe received your order $number over $total.\n"
            "We will let you know as soon as it ships.\n",
        ),
    },
    "payment_captured": {
        "email": (
            "Payment received for $number",
            "Hello $name,\n\nwe received your payment of $amount for order $number.\n",
        ),
        "sms": ("", "Payment of $amount for order $number received. Thank you!"),
    },
    "shipment_dispatched": {
        "email": (
            "Order $number is on its way",
            "Hello $name,\n\nyour order $number was handed to $carrier.\n"
            "Track it here: $tracking_url\n",
        ),
        "sms": ("", "Order $number shipped with $carrier: $tracking_url"),
    },
    "order_cancelled": {
        "email": (
            "Order $number cancelled",
            "Hello $name,\n\nyour order $number was cancelled ($reason).$refund_note\n",
        ),
    },
}


def render(template: str, channel: str, context: dict[str, Any]) -> tuple[str, str]:
    try:
        subject, body = TEMPLATES[template][channel]
    except KeyError as exc:
        raise KeyError(f"no {channel} template named {template!r}") from exc
    return Template(subject).safe_substitute(context), Template(body).safe_substitute(context)


def channel_for(name: str) -> Channel:
    if name == "email":
        return EmailChannel(current_app.config["MAIL_SENDER"], current_app.config.get("SMTP_HOST"))
    if name == "sms":
        __import__("shop.notifications.channels.sms")
        module = sys.modules["shop.notifications.channels.sms"]
        return module.SmsChannel()
    raise ValueError(f"unknown channel {name!r}")


def enqueue(
    template: str,
    channel: str,
    recipient: str,
    context: dict[str, Any],
    customer_id: int | None = None,
) -> Notification:
    subject, body = render(template, channel, context)
    notification = Notification(
        customer_id=customer_id,
        channel=channel,
        recipient=recipient,
        template=template,
        subject=subject,
        body=body,
    )
    db.session.add(notification)
    return notification


def notify_customer(
    customer: Customer, template: str, context: dict[str, Any]
) -> list[Notification]:
    """Queue ``template`` on every channel the customer can be reached on."""
    context = {"name": customer.full_name.split()[0], **context}
    queued = [enqueue(template, "email", customer.email, context, customer.id)]
    sms_enabled = current_app.config["SMS_ENABLED"]
    if sms_enabled and customer.phone and "sms" in TEMPLATES.get(template, {}):
        queued.append(enqueue(template, "sms", customer.phone, context, customer.id))
    db.session.commit()
    return queued


def deliver(notification: Notification, channels: dict[str, Channel]) -> bool:
    max_attempts = current_app.config["NOTIFICATION_MAX_ATTEMPTS"]
    channel = channels.setdefault(notification.channel, channel_for(notification.channel))
    notification.attempts += 1
    try:
        channel.send(notification.recipient, notification.subject, notification.body)
    except DeliveryError as exc:
        notification.last_error = str(exc)[:300]
        if exc.permanent or notification.attempts >= max_attempts:
            notification.status = "failed"
        log.warning("notification %s failed: %s", notification.id, exc)
        return False
    notification.status = "sent"
    notification.sent_at = utcnow()
    notification.last_error = None
    return True


def flush_outbox(limit: int = 100) -> dict[str, int]:
    pending = db.session.scalars(
        select(Notification)
        .where(Notification.status == "pending")
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    )
    channels: dict[str, Channel] = {}
    counts = {"sent": 0, "failed": 0}
    for notification in pending:
        counts["sent" if deliver(notification, channels) else "failed"] += 1
    db.session.commit()
    return counts


def list_for_customer(customer_id: int, page: int, per_page: int) -> Page[Notification]:
    stmt = (
        select(Notification)
        .where(Notification.customer_id == customer_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(db.session(), stmt, page, per_page)


def serialize(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "channel": notification.channel,
        "template": notification.template,
        "subject": notification.subject,
        "status": notification.status,
        "created_at": notification.created_at.isoformat(),
    }
