from decimal import Decimal

import pytest

from shop import db, events
from shop.commands import flush_outbox, init_db, low_stock, release_expired_reservations, seed_data
from shop.models import Product
from shop.notifications.channels import DeliveryError
from shop.notifications.channels.sms import SmsChannel, segments
from shop.utils import ValidationError, allocate, format_money, from_cents, slugify, to_cents


def test_seed_and_maintenance_commands(app):
    runner = app.test_cli_runner()
    assert "initialised" in runner.invoke(init_db).output
    result = runner.invoke(seed_data)
    assert result.exit_code == 0, result.output
    assert db.session.query(Product).count() == 4
    assert "sent 1, failed 0" in runner.invoke(flush_outbox).output
    assert "released reservations of 0" in runner.invoke(release_expired_reservations).output
    assert runner.invoke(low_stock, ["--threshold", "30"]).output.count("\n") == 8


def test_health(client):
    assert client.get("/health").get_json()["status"] == "ok"
    assert client.get("/nowhere").status_code == 404


def test_money_helpers():
    assert format_money(123456, "EUR") == "€1,234.56"
    assert format_money(-5, "USD") == "-$0.05"
    assert format_money(100, "CHF") == "CHF 1.00"
    assert to_cents("12.345") == 1235
    assert from_cents(1999) == Decimal("19.99")
    with pytest.raises(ValidationError):
        to_cents("twelve")
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(7, [0, 0]) == [7, 0]


def test_slugify():
    assert slugify("Crème Brûlée & Café!") == "creme-brulee-cafe"
    assert slugify("???") == "item"


def test_event_bus_isolates_failing_handlers():
    calls = []

    @events.subscribe("test_event")
    def broken(payload):
        raise RuntimeError("boom")

    @events.subscribe("test_event")
    def working(payload):
        calls.append(payload["n"])

    try:
        assert events.publish("test_event", {"n": 1}) == 1
        assert calls == [1]
    finally:
        events.unsubscribe("test_event", broken)
        events.unsubscribe("test_event", working)
    assert events.subscribers("test_event") == []


def test_sms_segmentation():
    assert len(segments("a" * 160)) == 1
    assert len(segments("a" * 161)) == 2
    assert len(segments("€" * 71)) == 2
    with pytest.raises(DeliveryError):
        SmsChannel().send("+49151", "", "hi")
