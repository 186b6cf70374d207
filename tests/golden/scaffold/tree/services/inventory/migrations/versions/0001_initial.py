"""The inventory service's first schema: the tables it owns and handled messages.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("reservations", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("stock_items", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("stock_movements", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("warehouses", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(
        "processed_messages",
        sa.Column("message_id", sa.String(128), primary_key=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("processed_messages")
    op.drop_table("warehouses")
    op.drop_table("stock_movements")
    op.drop_table("stock_items")
    op.drop_table("reservations")
