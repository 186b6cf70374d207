"""Fixtures of the payments service's tests: settings, a fake SQS, the app."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from payments_service.main import create_app
from payments_service.runtime import Runtime
from payments_service.settings import Settings


class FakeSqs:
    """Enough of boto3's SQS client for the publisher and the consumer, in memory.

    A received message stays in its queue until deleted, as after a visibility timeout.
    """

    def __init__(self) -> None:
        self.queues: dict[str, list[dict[str, Any]]] = {}
        self._sent = 0

    def create_queue(self, QueueName: str, Attributes: Any = None) -> dict[str, str]:
        self.queues.setdefault(QueueName, [])
        return {"QueueUrl": f"https://sqs.local/{QueueName}"}

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return self.create_queue(QueueName)

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: Any) -> dict[str, Any]:
        name = QueueUrl.rsplit("/", 1)[-1]
        return {"Attributes": {"QueueArn": f"arn:aws:sqs:us-east-1:000000000000:{name}"}}

    def send_message(
        self, QueueUrl: str, MessageBody: str, MessageAttributes: Any = None
    ) -> dict[str, str]:
        self._sent += 1
        message_id = f"message-{self._sent}"
        self.queues[QueueUrl.rsplit("/", 1)[-1]].append(
            {
                "MessageId": message_id,
                "ReceiptHandle": f"receipt-{message_id}",
                "Body": MessageBody,
                "MessageAttributes": MessageAttributes or {},
            }
        )
        return {"MessageId": message_id}

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int = 1, **_: Any) -> Any:
        return {"Messages": list(self.queues[QueueUrl.rsplit("/", 1)[-1]][:MaxNumberOfMessages])}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        queue = self.queues[QueueUrl.rsplit("/", 1)[-1]]
        queue[:] = [m for m in queue if m["ReceiptHandle"] != ReceiptHandle]


@pytest.fixture
def sqs() -> FakeSqs:
    return FakeSqs()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        span_file=str(tmp_path / "spans.jsonl"),
        create_tables=True,
        create_queues=True,
        # TEST_DATABASE_URL: an empty PostgreSQL database (its tables are dropped after each test).
        database_url=os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}",
        consumer_enabled=False,
        http_backoff_s=0,
    )


@pytest.fixture
def app(settings: Settings, sqs: FakeSqs) -> Iterator[FastAPI]:
    app = create_app(settings, sqs=sqs)
    yield app
    from payments_service.data import Base

    Base.metadata.drop_all(app.state.runtime.store.engine)
    app.state.runtime.store.close()


@pytest.fixture
def real_sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """boto3's SQS client on moto: visibility timeouts that run out, as on AWS."""
    import boto3
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def runtime(app: FastAPI, client: TestClient) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


def read_spans(settings: Settings) -> list[dict[str, Any]]:
    assert settings.span_file
    path = Path(settings.span_file)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]
