"""The customers service's data layer (aurora-postgresql)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, inspect

from customers_service.data import make_engine
from customers_service.runtime import Runtime
from customers_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["customers", "addresses", "loyalty_transactions", "notifications", "processed_messages"]
# table -> (column, nullable, primary key), as the plan describes the owned entities
COLUMNS = {
    "customers": [
        ("id", False, True),
        ("email", False, False),
        ("password_hash", False, False),
        ("full_name", False, False),
        ("phone", True, False),
        ("is_admin", False, False),
        ("marketing_opt_in", False, False),
        ("loyalty_points", False, False),
        ("lifetime_points", False, False),
        ("created_at", False, False),
    ],
    "addresses": [
        ("id", False, True),
        ("customer_id", False, False),
        ("label", False, False),
        ("recipient", False, False),
        ("line1", False, False),
        ("line2", True, False),
        ("city", False, False),
        ("postal_code", False, False),
        ("country", False, False),
        ("is_default", False, False),
    ],
    "loyalty_transactions": [
        ("id", False, True),
        ("customer_id", False, False),
        ("order_id", True, False),
        ("points", False, False),
        ("reason", False, False),
        ("created_at", False, False),
    ],
    "notifications": [
        ("id", False, True),
        ("customer_id", True, False),
        ("channel", False, False),
        ("recipient", False, False),
        ("template", False, False),
        ("subject", False, False),
        ("body", False, False),
        ("status", False, False),
        ("attempts", False, False),
        ("last_error", True, False),
        ("created_at", False, False),
        ("sent_at", True, False),
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
        database_url="postgresql+psycopg://customers_service@db.internal:5432/customers",
        database_iam_auth=True,
        aws_region="eu-west-1",
    )
    engine = make_engine(settings)
    parameters: dict[str, object] = {}

    engine.dialect.dispatch.do_connect(engine.dialect, None, [], parameters)

    token = str(parameters["password"])
    assert token.startswith("db.internal:5432/?Action=connect&DBUser=customers_service&")
    assert parameters["sslmode"] == "require"


def test_handled_messages_are_remembered(runtime: Runtime) -> None:
    assert not runtime.store.seen("message-1")

    runtime.store.remember("message-1", "happened")
    runtime.store.remember("message-1", "happened")

    assert runtime.store.seen("message-1")
