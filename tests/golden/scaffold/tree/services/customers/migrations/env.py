"""Alembic environment of the customers service: the URL from its settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from customers_service.data import Base
from customers_service.settings import Settings


def run() -> None:
    url = Settings().database_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
