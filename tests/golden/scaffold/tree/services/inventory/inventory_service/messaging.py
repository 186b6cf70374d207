"""Amazon SQS: a publisher that carries the trace in message attributes, and a consumer loop
with long polling, a visibility timeout kept alive while it works, a dead-letter queue, and
handling that runs once per message.

SQS delivers at least once: a message whose handler failed, or whose deletion was lost, comes
back with the same MessageId. The store runs the handler and records that id in one atomic
step (`MessageStore.handle_once`): the effect and the record are kept together or not at all,
so a redelivery finds the record and is only deleted. A message that keeps failing goes to the
dead-letter queue after `max_receive_count` receives (the queue's redrive policy).

A handler's worst case is unbounded (it may call other services, each call with a timeout and
retries), so no fixed visibility timeout covers it: while a batch is handled, a heartbeat
extends the visibility of every message of the batch not yet done (ChangeMessageVisibility), so
none reappears to another consumer mid-batch. A message whose handler failed is left to come
back after the visibility timeout.
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
    """Where the ids of handled messages are kept, with the effects of their handlers."""

    def handle_once(self, message_id: str, event: str, work: Callable[[], None]) -> bool:
        """Run `work` and record `message_id` atomically; False, without running it, when the
        id is recorded already. An exception from `work` records nothing and propagates."""
        ...


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
        heartbeat_s: float | None = None,
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._handlers = handlers
        self._store = store
        self._tracer = tracer
        self._wait_time_s = wait_time_s
        self._visibility_timeout_s = visibility_timeout_s
        self._max_messages = max_messages
        # Extend well before the timeout runs out: a third of it leaves two tries to spare.
        self.heartbeat_s = heartbeat_s or max(visibility_timeout_s / 3, 0.1)

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
        if messages:
            with _Heartbeat(self, messages) as heartbeat:
                for message in messages:
                    try:
                        self.handle(message)
                    finally:
                        heartbeat.done(message)
        return len(messages)

    def extend(self, messages: list[Mapping[str, Any]]) -> None:
        """Hide `messages` from other consumers for another visibility timeout."""
        for start in range(0, len(messages), 10):
            entries = [
                {
                    "Id": str(index),
                    "ReceiptHandle": message["ReceiptHandle"],
                    "VisibilityTimeout": self._visibility_timeout_s,
                }
                for index, message in enumerate(messages[start : start + 10])
            ]
            response = self._sqs.change_message_visibility_batch(
                QueueUrl=self._queue_url, Entries=entries
            )
            for failed in response.get("Failed", []):
                _log.warning("could not extend the visibility of a message: %s", failed.get("Message"))

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
            handler = self._handlers.get(envelope.event)
            if handler is None:
                _log.error("no handler for event %s; left for the DLQ", envelope.event)
                span.set_status(StatusCode.ERROR)
                return False
            try:
                ran = self._store.handle_once(
                    message_id, envelope.event, lambda: handler(envelope.payload)
                )
            except Exception:
                # Not deleted: it comes back after the visibility timeout, then to the DLQ.
                _log.exception("handling event %s failed", envelope.event)
                span.set_status(StatusCode.ERROR)
                return False
            if not ran:
                _log.info("event %s (message %s) was handled before", envelope.event, message_id)
            self._delete(message)
            _log.info(
                "handled event %s", envelope.event, extra={"event": envelope.event, "message_id": message_id}
            )
            return True

    def _delete(self, message: Mapping[str, Any]) -> None:
        self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])


class _Heartbeat:
    """Extends the visibility of a batch's messages until each is done."""

    def __init__(self, consumer: Consumer, messages: list[Mapping[str, Any]]) -> None:
        self._consumer = consumer
        self._pending = {message["ReceiptHandle"]: message for message in messages}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sqs-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def done(self, message: Mapping[str, Any]) -> None:
        with self._lock:
            self._pending.pop(message["ReceiptHandle"], None)

    def _beat(self) -> None:
        while not self._stop.wait(self._consumer.heartbeat_s):
            with self._lock:
                pending = list(self._pending.values())
            if not pending:
                return
            try:
                self._consumer.extend(pending)
            except Exception:
                _log.exception("extending the visibility of %d messages failed", len(pending))


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
