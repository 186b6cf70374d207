"""SMS delivery. Long texts are split into concatenated segments."""

from __future__ import annotations

import re
import uuid

from shop.notifications.channels import Channel, DeliveryError

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
MAX_SEGMENTS = 4


def segments(text: str) -> list[str]:
    """Split ``text`` the way handsets reassemble it (GSM-7 or UCS-2)."""
    single, multi = (160, 153) if set(text) <= GSM7 else (70, 67)
    if len(text) <= single:
        return [text]
    return [text[i : i + multi] for i in range(0, len(text), multi)]


class SmsChannel(Channel):
    name = "sms"

    def validate_recipient(self, recipient: str) -> None:
        if not E164_RE.match(recipient):
            raise DeliveryError(f"not an E.164 phone number: {recipient!r}", permanent=True)

    def send(self, recipient: str, subject: str, body: str) -> str:
        self.validate_recipient(recipient)
        parts = segments(body)
        if len(parts) > MAX_SEGMENTS:
            raise DeliveryError(f"text needs {len(parts)} segments", permanent=True)
        message_id = f"sms-{uuid.uuid4().hex[:16]}"
        self.record(recipient, "", body, message_id)
        return message_id
