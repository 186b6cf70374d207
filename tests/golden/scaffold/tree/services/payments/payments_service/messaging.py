"""Amazon SQS: a publisher that carries the trace in message attributes, and a consumer loop
with long polling, a visibility timeout, a dead-letter queue, and idempotent handling.

SQS delivers at least once: a message whose handler failed, or whose deletion was lost, comes
back with the same MessageId. The consumer asks the store whether that id was handled before,
and remembers it after the handler succeeds. A message that keeps failing goes to the
dead-letter queue after `max_receive_count` receives (the queue's redrive policy).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from .schemas import EventEnvelope
from .tracing import extract, inject

_log = logging.getLogger(__name__)

EventHandler = Callable[[Mapping[str, Any]], None]


class MessageStore(Protocol):
    """Where the ids of handled messages are kept."""

    def seen(self, message_id: str) -> bool: ...

    def remember(self, message_id: str, event: str) -> None: ...


class Publisher:
    """Sends events to the inboxes of the services that consume them."""

    def __init__(self, sqs: Any, *, queue_prefix: str, tracer: trace.Tracer) -> None:
        self._sqs = sqs
        self._prefix = queue_prefix
        self._tracer = tracer
        self._urls: dict[str, str] = {}

    def publish(self, queue: str, event: str, payload: Mapping[str, Any]) -> str:
        """Send one event; returns the SQS MessageId."""
        name = f"{self._prefix}{queue}"
        with self._tracer.start_as_current_span(
            f"{name} send",
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "aws_sqs",
                "messaging.destination.name": name,
                "messaging.event": event,
            },
        ):
            carrier: dict[str, str] = {}
            inject(carrier)
            attributes = {"event": {"DataType": "String", "StringValue": event}}
            for key, value in carrier.items():
                attributes[key] = {"DataType": "String", "StringValue": value}
            body = EventEnvelope(event=event, payload=dict(payload)).model_dump_json()
            response = self._sqs.send_message(
                QueueUrl=self._url(name), MessageBody=body, MessageAttributes=attributes
            )
            _log.info("published %s to %s", event, name, extra={"event": event})
            return str(response["MessageId"])

    def _url(self, name: str) -> str:
        if name not in self._urls:
            self._urls[name] = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return self._urls[name]


class Consumer:
    """Receives the service's inbox and runs the handler of each event, once per message."""

    def __init__(
        self,
        sqs: Any,
        *,
        queue_url: str,
        handlers: Mapping[str, EventHandler],
        store: MessageStore,
        tracer: trace.Tracer,
        wait_time_s: int = 20,
        visibility_timeout_s: int = 60,
        max_messages: int = 10,
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._handlers = handlers
        self._store = store
        self._tracer = tracer
        self._wait_time_s = wait_time_s
        self._visibility_timeout_s = visibility_timeout_s
        self._max_messages = max_messages

    def poll_once(self) -> int:
        """One long poll; returns how many messages arrived."""
        response = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._max_messages,
            WaitTimeSeconds=self._wait_time_s,
            VisibilityTimeout=self._visibility_timeout_s,
            MessageAttributeNames=["All"],
            AttributeNames=["ApproximateReceiveCount"],
        )
        messages = response.get("Messages", [])
        for message in messages:
            self.handle(message)
        return len(messages)

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; a failing poll is logged and retried after a pause."""
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception:
                _log.exception("polling %s failed", self._queue_url)
                stop.wait(5)

    def handle(self, message: Mapping[str, Any]) -> bool:
        """Handle one message; True when it was deleted (handled now or before)."""
        carrier = {
            key: value["StringValue"]
            for key, value in message.get("MessageAttributes", {}).items()
            if "StringValue" in value
        }
        with self._tracer.start_as_current_span(
            f"{self._queue_url.rsplit('/', 1)[-1]} process",
            context=extract(carrier),
            kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "aws_sqs", "messaging.message.id": message["MessageId"]},
        ) as span:
            message_id = message["MessageId"]
            try:
                envelope = EventEnvelope.model_validate(json.loads(message["Body"]))
            except ValueError:
                _log.error("message %s is not an event envelope; left for the DLQ", message_id)
                span.set_status(StatusCode.ERROR)
                return False
            span.set_attribute("messaging.event", envelope.event)
            if self._store.seen(message_id):
                _log.info("event %s (message %s) was handled before", envelope.event, message_id)
                self._delete(message)
                return True
            handler = self._handlers.get(envelope.event)
            if handler is None:
                _log.error("no handler for event %s; left for the DLQ", envelope.event)
                span.set_status(StatusCode.ERROR)
                return False
            try:
                handler(envelope.payload)
            except Exception:
                # Not deleted: it comes back after the visibility timeout, then to the DLQ.
                _log.exception("handling event %s failed", envelope.event)
                span.set_status(StatusCode.ERROR)
                return False
            self._store.remember(message_id, envelope.event)
            self._delete(message)
            _log.info(
                "handled event %s", envelope.event, extra={"event": envelope.event, "message_id": message_id}
            )
            return True

    def _delete(self, message: Mapping[str, Any]) -> None:
        self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])


def ensure_queue(
    sqs: Any, name: str, *, visibility_timeout_s: int, max_receive_count: int
) -> str:
    """Create a queue and its dead-letter queue (local runs; Terraform does it on AWS)."""
    dead_letter_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(
        QueueUrl=dead_letter_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(max_receive_count)}
    return str(
        sqs.create_queue(
            QueueName=name,
            Attributes={
                "VisibilityTimeout": str(visibility_timeout_s),
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]
    )
