"""Anonymized statistics: events, daily aggregates, and the daily unique count.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_events",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("hour", sa.SmallInteger, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("topic", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_stats_events_day", "stats_events", ["day"])
    op.create_table(
        "stats_daily",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("language", sa.String(8), primary_key=True),
        sa.Column("topic", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "stats_uniques",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("people", sa.Integer, nullable=False),
    )
    op.create_table(
        "stats_salts",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "stats_visitors",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("digest", sa.String(32), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("stats_visitors")
    op.drop_table("stats_salts")
    op.drop_table("stats_uniques")
    op.drop_table("stats_daily")
    op.drop_index("ix_stats_events_day", table_name="stats_events")
    op.drop_table("stats_events")
