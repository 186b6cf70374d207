"""Alembic environment of the customers service: the URL from its settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from customers_service.data import Base, make_engine
from customers_service.settings import Settings

# Every instance of a rolling deploy runs `alembic upgrade head` as its container starts: a
# lock held for the migration's transaction makes them take turns, and the later ones find
# the schema at head already.
LOCKS = {
    "postgresql": "SELECT pg_advisory_xact_lock(hashtext('alembic customers'))",
    "mysql": "SELECT GET_LOCK('alembic customers', 600)",
}


def run() -> None:
    settings = Settings()
    if context.is_offline_mode():
        context.configure(
            url=settings.database_url, target_metadata=Base.metadata, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    # The service's own engine: on AWS it logs in with an IAM token as the service's role,
    # which owns its database.
    engine = make_engine(settings)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            lock = LOCKS.get(connection.dialect.name)
            if lock:
                connection.execute(text(lock))
            context.run_migrations()


run()
