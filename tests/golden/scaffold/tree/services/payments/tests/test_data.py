"""The payments service's data layer (aurora-postgresql)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from payments_service.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["payments", "refunds", "processed_messages"]


def test_the_owned_tables_are_created(runtime: Runtime) -> None:
    assert sorted(inspect(runtime.store.engine).get_table_names()) == sorted(TABLES)


def test_migrations_create_the_same_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))

    command.upgrade(config, "head")

    tables = set(inspect(create_engine(url)).get_table_names()) - {"alembic_version"}
    assert sorted(tables) == sorted(TABLES)


def test_handled_messages_are_remembered(runtime: Runtime) -> None:
    assert not runtime.store.seen("message-1")

    runtime.store.remember("message-1", "happened")
    runtime.store.remember("message-1", "happened")

    assert runtime.store.seen("message-1")
