"""Delivery channels for outbox messages."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


class DeliveryError(Exception):
    """Delivery failed; ``permanent`` failures are not retried."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SentMessage:
    channel: str
    recipient: str
    subject: str
    body: str
    message_id: str


class Channel(ABC):
    name: str = ""

    #: messages "sent" through the in-memory backend, for development and tests
    sent: list[SentMessage] = []

    @abstractmethod
    def validate_recipient(self, recipient: str) -> None: ...

    @abstractmethod
    def send(self, recipient: str, subject: str, body: str) -> str:
        """Deliver the message and return the provider's message id."""

    def record(self, recipient: str, subject: str, body: str, message_id: str) -> None:
        Channel.sent.append(SentMessage(self.name, recipient, subject, body, message_id))
