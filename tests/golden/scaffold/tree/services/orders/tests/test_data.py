"""The orders service's data layer (aurora-postgresql)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, inspect

from orders_service.data import make_engine
from orders_service.runtime import Runtime
from orders_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["carts", "orders", "cart_items", "order_lines", "processed_messages"]
# table -> (column, nullable, primary key), as the plan describes the owned entities
COLUMNS = {
    "carts": [
        ("id", False, True),
        ("customer_id", False, False),
        ("coupon_code", True, False),
        ("updated_at", False, False),
    ],
    "orders": [
        ("id", False, True),
        ("number", False, False),
        ("customer_id", False, False),
        ("shipping_address_id", True, False),
        ("status", False, False),
        ("currency", False, False),
        ("country", False, False),
        ("subtotal_cents", False, False),
        ("discount_cents", False, False),
        ("shipping_cents", False, False),
        ("tax_cents", False, False),
        ("total_cents", False, False),
        ("points_redeemed", False, False),
        ("shipping_method", False, False),
        ("placed_at", False, False),
        ("paid_at", True, False),
        ("shipped_at", True, False),
        ("delivered_at", True, False),
        ("cancelled_at", True, False),
    ],
    "cart_items": [
        ("id", False, True),
        ("cart_id", False, False),
        ("product_id", False, False),
        ("quantity", False, False),
    ],
    "order_lines": [
        ("id", False, True),
        ("order_id", False, False),
        ("product_id", False, False),
        ("sku", False, False),
        ("name", False, False),
        ("quantity", False, False),
        ("unit_price_cents", False, False),
        ("discount_cents", False, False),
        ("tax_cents", False, False),
        ("line_total_cents", False, False),
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
        database_url="postgresql+psycopg://orders_service@db.internal:5432/orders",
        database_iam_auth=True,
        aws_region="eu-west-1",
    )
    engine = make_engine(settings)
    parameters: dict[str, object] = {}

    engine.dialect.dispatch.do_connect(engine.dialect, None, [], parameters)

    token = str(parameters["password"])
    assert token.startswith("db.internal:5432/?Action=connect&DBUser=orders_service&")
    assert parameters["sslmode"] == "require"


def test_handled_messages_are_remembered(runtime: Runtime) -> None:
    assert not runtime.store.seen("message-1")

    runtime.store.remember("message-1", "happened")
    runtime.store.remember("message-1", "happened")

    assert runtime.store.seen("message-1")
