"""The customers service's data in aurora-postgresql: SQLAlchemy models of the
entities it owns, and the ids of the SQS messages it has handled. Alembic migrates the schema
(`alembic upgrade head`); `create_tables` is for tests and local runs.
"""

from __future__ import annotations

import datetime as _datetime
from datetime import UTC, datetime

import boto3
from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .settings import Settings

DEFAULT_PORT = 5432


def make_engine(settings: Settings) -> Engine:
    """The service's engine (the app's and Alembic's). With `database_iam_auth` (on AWS) every
    new connection logs in as the service's own role with a fresh IAM authentication token:
    a token lives 15 minutes, so one is generated per connection and never stored, and no
    password exists to rotate (Aurora User Guide: "Connecting to your DB cluster using IAM
    authentication and the AWS SDK for Python (Boto3)")."""
    engine = create_engine(settings.database_url, pool_pre_ping=True, pool_recycle=600)
    if settings.database_iam_auth:
        rds = boto3.client(
            "rds", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url
        )
        url = engine.url

        @event.listens_for(engine, "do_connect")
        def _log_in_with_a_token(dialect, connection_record, cargs, cparams) -> None:
            token = rds.generate_db_auth_token(
                DBHostname=url.host, Port=url.port or DEFAULT_PORT, DBUsername=url.username
            )
            cparams.update(iam_connect_parameters(token))

    return engine


def iam_connect_parameters(token: str) -> dict[str, object]:
    """What the driver logs in with: the token as the password, over TLS (IAM needs it)."""
    return {"password": token, "sslmode": "require"}


class Base(DeclarativeBase):
    pass


class Customer(Base):
    """Owned entity, from `shop.models:Customer`, with the monolith's columns.

    Changed on the way:
    - created_at: default utcnow left to the code
    """

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    loyalty_points: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lifetime_points: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[_datetime.datetime] = mapped_column(DateTime, nullable=False)


class Address(Base):
    """Owned entity, from `shop.models:Address`, with the monolith's columns."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    customer_id: Mapped[int] = mapped_column(Integer, ForeignKey("customers.id"), nullable=False)
    label: Mapped[str] = mapped_column(String(40), nullable=False, default="home")
    recipient: Mapped[str] = mapped_column(String(200), nullable=False)
    line1: Mapped[str] = mapped_column(String(200), nullable=False)
    line2: Mapped[str | None] = mapped_column(String(200), nullable=True)
    city: Mapped[str] = mapped_column(String(100), nullable=False)
    postal_code: Mapped[str] = mapped_column(String(16), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class LoyaltyTransaction(Base):
    """Owned entity, from `shop.models:LoyaltyTransaction`, with the monolith's columns.

    Changed on the way:
    - order_id: referred to orders.id, owned by orders: a plain id now
    - created_at: default utcnow left to the code
    """

    __tablename__ = "loyalty_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    customer_id: Mapped[int] = mapped_column(Integer, ForeignKey("customers.id"), nullable=False)
    order_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[_datetime.datetime] = mapped_column(DateTime, nullable=False)


class Notification(Base):
    """Owned entity, from `shop.models:Notification`, with the monolith's columns.

    Changed on the way:
    - created_at: default utcnow left to the code
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    customer_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("customers.id"), nullable=True
    )
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    template: Mapped[str] = mapped_column(String(64), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[_datetime.datetime] = mapped_column(DateTime, nullable=False)
    sent_at: Mapped[_datetime.datetime | None] = mapped_column(DateTime, nullable=True)


class ProcessedMessage(Base):
    """An SQS message already handled: a redelivery of it is skipped."""

    __tablename__ = "processed_messages"

    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Store:
    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings)
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
