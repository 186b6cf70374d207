"""The orders service's data in aurora-postgresql: SQLAlchemy models of the
entities it owns, and the ids of the SQS messages it has handled. Alembic migrates the schema
(`alembic upgrade head`); `create_tables` is for tests and local runs.
"""

from __future__ import annotations

import datetime as _datetime
from datetime import UTC, datetime

import boto3
from sqlalchemy import DateTime, Engine, ForeignKey, Integer, String, create_engine, event, select
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


class Cart(Base):
    """Owned entity, from `shop.models:Cart`, with the monolith's columns.

    Changed on the way:
    - customer_id: referred to customers.id, owned by customers: a plain id now
    - updated_at: default utcnow left to the code
    """

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    customer_id: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    coupon_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[_datetime.datetime] = mapped_column(DateTime, nullable=False)


class Order(Base):
    """Owned entity, from `shop.models:Order`, with the monolith's columns.

    Changed on the way:
    - customer_id: referred to customers.id, owned by customers: a plain id now
    - shipping_address_id: referred to addresses.id, owned by customers: a plain id now
    - placed_at: default utcnow left to the code
    """

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    customer_id: Mapped[int] = mapped_column(Integer, nullable=False)
    shipping_address_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending_payment")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    subtotal_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    discount_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    shipping_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    tax_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    points_redeemed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    shipping_method: Mapped[str] = mapped_column(String(32), nullable=False, default="parcelpost")
    placed_at: Mapped[_datetime.datetime] = mapped_column(DateTime, nullable=False)
    paid_at: Mapped[_datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    shipped_at: Mapped[_datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    delivered_at: Mapped[_datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_at: Mapped[_datetime.datetime | None] = mapped_column(DateTime, nullable=True)


class CartItem(Base):
    """Owned entity, from `shop.models:CartItem`, with the monolith's columns.

    Changed on the way:
    - product_id: referred to products.id, owned by catalog: a plain id now
    """

    __tablename__ = "cart_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    cart_id: Mapped[int] = mapped_column(Integer, ForeignKey("carts.id"), nullable=False)
    product_id: Mapped[int] = mapped_column(Integer, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)


class OrderLine(Base):
    """Owned entity, from `shop.models:OrderLine`, with the monolith's columns.

    Changed on the way:
    - product_id: referred to products.id, owned by catalog: a plain id now
    """

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, nullable=False)
    order_id: Mapped[int] = mapped_column(Integer, ForeignKey("orders.id"), nullable=False)
    product_id: Mapped[int] = mapped_column(Integer, nullable=False)
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price_cents: Mapped[int] = mapped_column(Integer, nullable=False)
    discount_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    tax_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    line_total_cents: Mapped[int] = mapped_column(Integer, nullable=False)


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
