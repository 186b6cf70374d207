"""The catalog service's data in aurora-postgresql: SQLAlchemy models of the
entities it owns, and the ids of the SQS messages it has handled. Alembic migrates the schema
(`alembic upgrade head`); `create_tables` is for tests and local runs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .settings import Settings


class Base(DeclarativeBase):
    pass


class Category(Base):
    """Owned entity, from `shop.models:Category`: copy its columns from the monolith's model."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)


class PriceTier(Base):
    """Owned entity, from `shop.models:PriceTier`: copy its columns from the monolith's model."""

    __tablename__ = "price_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)


class Product(Base):
    """Owned entity, from `shop.models:Product`: copy its columns from the monolith's model."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)


class ProcessedMessage(Base):
    """An SQS message already handled: a redelivery of it is skipped."""

    __tablename__ = "processed_messages"

    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Store:
    def __init__(self, settings: Settings) -> None:
        self.engine = create_engine(settings.database_url, pool_pre_ping=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if settings.create_tables:
            Base.metadata.create_all(self.engine)

    def session(self) -> Session:
        return self.sessions()

    def seen(self, message_id: str) -> bool:
        with self.sessions() as session:
            found = session.scalar(
                select(ProcessedMessage.message_id).where(ProcessedMessage.message_id == message_id)
            )
            return found is not None

    def remember(self, message_id: str, event: str) -> None:
        with self.sessions.begin() as session:
            session.merge(
                ProcessedMessage(message_id=message_id, event=event, processed_at=datetime.now(UTC))
            )

    def close(self) -> None:
        self.engine.dispose()
