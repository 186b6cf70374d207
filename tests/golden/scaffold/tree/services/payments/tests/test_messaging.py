"""Events over SQS: published to the right inbox with the trace, consumed once per message."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import pytest

from payments_service.messaging import Consumer, Publisher
from payments_service.runtime import Runtime
from payments_service.settings import Settings

from .conftest import FakeSqs, read_spans


def test_mark_paid_goes_to_every_consumer_inbox(runtime: Runtime, sqs: FakeSqs) -> None:
    runtime.events.mark_paid({"id": 1})

    [message] = sqs.queues["orders-inbox"]
    assert json.loads(message["Body"]) == {"event": "mark_paid", "payload": {"id": 1}}
    assert "traceparent" in message["MessageAttributes"]


def test_mark_payment_failed_goes_to_every_consumer_inbox(runtime: Runtime, sqs: FakeSqs) -> None:
    runtime.events.mark_payment_failed({"id": 1})

    [message] = sqs.queues["orders-inbox"]
    assert json.loads(message["Body"]) == {"event": "mark_payment_failed", "payload": {"id": 1}}
    assert "traceparent" in message["MessageAttributes"]


def test_mark_refunded_goes_to_every_consumer_inbox(runtime: Runtime, sqs: FakeSqs) -> None:
    runtime.events.mark_refunded({"id": 1})

    [message] = sqs.queues["orders-inbox"]
    assert json.loads(message["Body"]) == {"event": "mark_refunded", "payload": {"id": 1}}
    assert "traceparent" in message["MessageAttributes"]


def test_payment_captured_goes_to_every_consumer_inbox(runtime: Runtime, sqs: FakeSqs) -> None:
    runtime.events.payment_captured({"id": 1})

    [message] = sqs.queues["customers-inbox"]
    assert json.loads(message["Body"]) == {"event": "payment_captured", "payload": {"id": 1}}
    assert "traceparent" in message["MessageAttributes"]


def test_charge_has_a_handler(runtime: Runtime) -> None:
    from payments_service.events import event_handlers

    assert "charge" in event_handlers(runtime)


def test_charge_runs_the_handler_of_its_operation(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payments_service import handlers
    from payments_service.events import event_handlers
    from payments_service.schemas import ChargeRequest

    received: list[Any] = []
    monkeypatch.setattr(handlers, "charge", lambda _runtime, request: received.append(request))
    payload = {'order': {'text': 'value'}, 'token': 'text'}

    event_handlers(runtime)["charge"](payload)

    assert received == [ChargeRequest.model_validate(payload)]


def test_refund_order_has_a_handler(runtime: Runtime) -> None:
    from payments_service.events import event_handlers

    assert "refund_order" in event_handlers(runtime)


def test_refund_order_runs_the_handler_of_its_operation(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payments_service import handlers
    from payments_service.events import event_handlers
    from payments_service.schemas import RefundOrderRequest

    received: list[Any] = []
    monkeypatch.setattr(handlers, "refund_order", lambda _runtime, request: received.append(request))
    payload = {'order': {'text': 'value'}, 'reason': 'text'}

    event_handlers(runtime)["refund_order"](payload)

    assert received == [RefundOrderRequest.model_validate(payload)]


def _consumer(
    runtime: Runtime, sqs: FakeSqs, handlers: Mapping[str, Any]
) -> tuple[Publisher, Consumer]:
    publisher = Publisher(sqs, queue_prefix="", tracer=runtime.tracer)
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    consumer = Consumer(
        sqs, queue_url=url, handlers=handlers, store=runtime.store, tracer=runtime.tracer
    )
    return publisher, consumer


def test_a_redelivered_message_is_handled_once(runtime: Runtime, sqs: FakeSqs) -> None:
    handled: list[Mapping[str, Any]] = []
    publisher, consumer = _consumer(runtime, sqs, {"happened": handled.append})
    publisher.publish("inbox", "happened", {"id": 7})
    [message] = sqs.queues["inbox"]
    assert json.loads(message["Body"])["event"] == "happened"

    assert consumer.handle(message)
    assert consumer.handle(message)  # SQS delivers at least once: the same MessageId again

    assert handled == [{"id": 7}]
    assert sqs.queues["inbox"] == []


def test_no_message_of_a_slow_batch_reappears_while_it_is_handled(
    runtime: Runtime, real_sqs: Any
) -> None:
    """Three messages of 1 s each outlast a visibility timeout of 2 s: the heartbeat keeps
    every message of the batch hidden until it is done, so another consumer sees none."""
    url = real_sqs.create_queue(QueueName="slow-inbox")["QueueUrl"]
    for number in range(3):
        real_sqs.send_message(
            QueueUrl=url, MessageBody=json.dumps({"event": "happened", "payload": {"n": number}})
        )
    visible_to_others: list[Any] = []
    handled: list[Mapping[str, Any]] = []

    def slow(payload: Mapping[str, Any]) -> None:
        time.sleep(1.0)
        peek = real_sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        visible_to_others.extend(peek.get("Messages", []))
        handled.append(payload)

    consumer = Consumer(
        real_sqs,
        queue_url=url,
        handlers={"happened": slow},
        store=runtime.store,
        tracer=runtime.tracer,
        wait_time_s=1,
        visibility_timeout_s=2,
        max_messages=10,
        heartbeat_s=0.3,
    )
    received = 0
    while received < 3:
        count = consumer.poll_once()
        assert count, "a message was lost"
        received += count

    assert visible_to_others == []
    assert sorted(p["n"] for p in handled) == [0, 1, 2]
    attributes = real_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_a_failing_handler_leaves_the_message_for_redelivery(
    runtime: Runtime, sqs: FakeSqs
) -> None:
    def fail(payload: Mapping[str, Any]) -> None:
        raise RuntimeError("database down")

    publisher, consumer = _consumer(runtime, sqs, {"happened": fail})
    publisher.publish("inbox", "happened", {})

    assert consumer.poll_once() == 1
    assert len(sqs.queues["inbox"]) == 1  # back after the visibility timeout, then the DLQ


def test_an_unknown_event_is_left_for_the_dead_letter_queue(
    runtime: Runtime, sqs: FakeSqs
) -> None:
    publisher, consumer = _consumer(runtime, sqs, {})
    publisher.publish("inbox", "nobody_handles_this", {})

    consumer.poll_once()

    assert len(sqs.queues["inbox"]) == 1


def test_the_trace_id_crosses_the_queue(
    runtime: Runtime, sqs: FakeSqs, settings: Settings
) -> None:
    publisher, consumer = _consumer(runtime, sqs, {"happened": lambda payload: None})
    with runtime.tracer.start_as_current_span("request"):
        publisher.publish("inbox", "happened", {})

    consumer.poll_once()

    spans = {span["name"]: span for span in read_spans(settings)}
    assert spans["inbox process"]["trace_id"] == spans["request"]["trace_id"]
    assert spans["inbox process"]["parent_id"] == spans["inbox send"]["span_id"]


@pytest.mark.parametrize("attribute", ["traceparent", "x-amzn-trace-id", "event"])
def test_messages_carry_the_trace_and_event_attributes(
    runtime: Runtime, sqs: FakeSqs, attribute: str
) -> None:
    publisher, _ = _consumer(runtime, sqs, {})
    with runtime.tracer.start_as_current_span("request"):
        publisher.publish("inbox", "happened", {})

    assert attribute in sqs.queues["inbox"][0]["MessageAttributes"]
