"""E-mail delivery through SMTP, or an in-memory sink when no host is configured."""

from __future__ import annotations

import re
import smtplib
import uuid
from email.message import EmailMessage

from shop.notifications.channels import Channel, DeliveryError

ADDRESS_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")


class EmailChannel(Channel):
    name = "email"

    def __init__(self, sender: str, smtp_host: str | None = None, smtp_port: int = 25) -> None:
        self.sender = sender
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port

    def validate_recipient(self, recipient: str) -> None:
        if not ADDRESS_RE.match(recipient):
            raise DeliveryError(f"invalid e-mail address {recipient!r}", permanent=True)

    def build(self, recipient: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Message-ID"] = f"<{uuid.uuid4().hex}@{self.sender.split('@')[-1]}>"
        message.set_content(body)
        return message

    def send(self, recipient: str, subject: str, body: str) -> str:
        self.validate_recipient(recipient)
        message = self.build(recipient, subject, body)
        if self.smtp_host is None:
            self.record(recipient, subject, body, message["Message-ID"])
            return message["Message-ID"]
        try:
            with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=10) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc}", permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp failure: {exc}") from exc
        return message["Message-ID"]
