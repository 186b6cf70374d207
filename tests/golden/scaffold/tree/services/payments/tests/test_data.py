"""The payments service's data layer (aurora-postgresql)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, inspect

from payments_service.data import make_engine
from payments_service.runtime import Runtime
from payments_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["payments", "refunds", "processed_messages"]
# table -> (column, nullable, primary key), as the plan describes the owned entities
COLUMNS = {
    "payments": [
        ("id", False, True),
        ("order_id", False, False),
        ("gateway", False, False),
        ("gateway_reference", True, False),
        ("status", False, False),
        ("amount_cents", False, False),
        ("captured_cents", False, False),
        ("refunded_cents", False, False),
        ("currency", False, False),
        ("failure_reason", True, False),
        ("created_at", False, False),
        ("captured_at", True, False),
    ],
    "refunds": [
        ("id", False, True),
        ("payment_id", False, False),
        ("amount_cents", False, False),
        ("reason", False, False),
        ("status", False, False),
        ("gateway_reference", True, False),
        ("created_at", False, False),
    ],
}


def columns_of(engine: Engine) -> dict[str, list[tuple[str, bool, bool]]]:
    found = inspect(engine)
    return {
        table: [
            (c["name"], c["nullable"], c["name"] in found.get_pk_constraint(table)["constrained_columns"])
            for c in found.get_columns(table)
        ]
        for table in COLUMNS
    }


def test_the_owned_tables_are_created(runtime: Runtime) -> None:
    assert sorted(inspect(runtime.store.engine).get_table_names()) == sorted(TABLES)
    assert columns_of(runtime.store.engine) == COLUMNS


def test_migrations_create_the_same_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))

    command.upgrade(config, "head")

    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert sorted(tables) == sorted(TABLES)
    assert columns_of(engine) == COLUMNS


def test_on_aws_each_connection_logs_in_with_an_iam_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """No password on AWS: each new connection gets a fresh token for the service's own role."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = Settings(
        database_url="postgresql+psycopg://payments_service@db.internal:5432/payments",
        database_iam_auth=True,
        aws_region="eu-west-1",
    )
    engine = make_engine(settings)
    parameters: dict[str, object] = {}

    engine.dialect.dispatch.do_connect(engine.dialect, None, [], parameters)

    token = str(parameters["password"])
    assert token.startswith("db.internal:5432/?Action=connect&DBUser=payments_service&")
    assert parameters["sslmode"] == "require"


def test_a_message_is_handled_once(runtime: Runtime) -> None:
    calls: list[int] = []

    assert runtime.store.handle_once("message-1", "happened", lambda: calls.append(1))
    assert not runtime.store.handle_once("message-1", "happened", lambda: calls.append(2))

    assert calls == [1]
    assert runtime.store.seen("message-1")


def test_a_failing_handler_leaves_no_record(runtime: Runtime) -> None:
    def fail() -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        runtime.store.handle_once("message-1", "happened", fail)

    assert not runtime.store.seen("message-1")


def _write(runtime: Runtime, effect: str) -> None:
    # Any row will do as the handler's effect: one of the store's own table.
    from payments_service.data import ProcessedMessage

    with runtime.store.transaction() as session:
        session.add(ProcessedMessage(message_id=effect, event="effect", processed_at=datetime.now(UTC)))


def test_a_handlers_writes_commit_with_the_message_record_or_not_at_all(runtime: Runtime) -> None:
    def write_then_fail() -> None:
        _write(runtime, "effect-of-1")
        raise RuntimeError("after the write")

    with pytest.raises(RuntimeError):
        runtime.store.handle_once("message-1", "happened", write_then_fail)
    assert not runtime.store.seen("effect-of-1")
    assert not runtime.store.seen("message-1")

    assert runtime.store.handle_once("message-1", "happened", lambda: _write(runtime, "effect-of-1"))
    assert runtime.store.seen("effect-of-1")
    assert runtime.store.seen("message-1")


def test_two_consumers_of_one_message_run_its_handler_once(runtime: Runtime, settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("needs concurrent transactions: set TEST_DATABASE_URL to a PostgreSQL database")
    inside, release = threading.Event(), threading.Event()
    calls: list[str] = []
    results: dict[str, bool] = {}

    def slow() -> None:
        calls.append("first")
        _write(runtime, "effect-of-1")
        inside.set()
        release.wait(10)

    def handle(name: str, work: Callable[[], None]) -> None:
        results[name] = runtime.store.handle_once("message-1", "happened", work)

    first = threading.Thread(target=handle, args=("first", slow))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=handle, args=("second", lambda: calls.append("second")))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waits on the first consumer's uncommitted record
    release.set()
    first.join(10)
    second.join(10)

    assert calls == ["first"]
    assert results == {"first": True, "second": False}
