"""Tables. Nothing here can point back to a person: keys are keyed hashes, no texts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    """Where one pseudonymous conversation stands."""

    __tablename__ = "sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC of channel+sender
    language: Mapped[str | None] = mapped_column(String(8))
    position: Mapped[str] = mapped_column(String(120), default="root")
    page: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(Text, default="{}")  # JSON: shown options, flags
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ProcessedMessage(Base):
    """A message id already handled, and the answer given, so a retry changes nothing."""

    __tablename__ = "processed_messages"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    response: Mapped[str | None] = mapped_column(Text)  # the rendered answer, never the question
    # True from the moment a Telegram reply is worked out until the Bot API accepted it.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
