"""Database plumbing: declarative base, engine and the scoped session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def to_dict(self, *fields: str) -> dict[str, Any]:
        names = fields or tuple(col.key for col in self.__table__.columns)
        return {name: getattr(self, name) for name in names}


_session_factory = sessionmaker(expire_on_commit=False, autoflush=True)
session: scoped_session[Session] = scoped_session(_session_factory)
_engine: Engine | None = None


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def configure(url: str, echo: bool = False) -> Engine:
    """Create the engine for ``url`` and bind the session factory to it."""
    global _engine
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    if _engine is not None:
        session.remove()
        _engine.dispose()
    _engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(_engine, "connect", _enable_sqlite_foreign_keys)
    _session_factory.configure(bind=_engine)
    return _engine


def get_engine() -> Engine:
    if _engine is None:
        raise RuntimeError("database is not configured; call shop.db.configure() first")
    return _engine


def create_all() -> None:
    Base.metadata.create_all(get_engine())


def drop_all() -> None:
    Base.metadata.drop_all(get_engine())


@contextmanager
def transaction() -> Iterator[Session]:
    """Commit on success, roll back on any exception."""
    current = session()
    try:
        yield current
        current.commit()
    except Exception:
        current.rollback()
        raise


def remove_session(_exc: BaseException | None = None) -> None:
    session.remove()
