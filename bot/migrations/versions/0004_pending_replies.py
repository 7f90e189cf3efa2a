"""Processed messages remember whether their answer still has to go out.

A Telegram reply is kept with the claim of its update before it is sent; ``pending`` stays
true until the Bot API accepted it, so a redelivery after a crash or a failed send sends
the reply that was worked out instead of answering (and counting) the update again.

Revision ID: 0004
Revises: 0003_stats_access
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_stats_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows from before this revision were handled in full (the old code claimed an update
    # only as it answered it): not pending.
    op.add_column("processed_messages",
                  sa.Column("pending", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("processed_messages") as batch:
        batch.drop_column("pending")
