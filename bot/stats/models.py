"""Statistics tables. Nothing here points back to a person.

- ``stats_events``: one row per answered message — day, hour, channel, language, topic,
  kind. No sender key, no text. The id is random and every batch is shuffled before it
  is written, so neither ids nor storage order tell which messages came one after another.
- ``stats_daily``: the same counts per day, for events older than the retention period.
- ``stats_access``: one row, the dashboard's sign-in generation: signing out raises it,
  and every session cookie made under an older one is refused, in every process.
- ``stats_salts`` and ``stats_visitors``: today's random salt and the salted digests of
  today's senders, used only to count unique people; both are deleted once the day's
  count is stored in ``stats_uniques`` (see ``bot/stats/uniques.py``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base

TOPIC_LENGTH = 80


class StatsEvent(Base):
    """One answered message, coarsened to the hour."""

    __tablename__ = "stats_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, index=True)
    hour: Mapped[int] = mapped_column(SmallInteger)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(TOPIC_LENGTH))  # "" when no topic was shown
    kind: Mapped[str] = mapped_column(String(16))


class StatsDaily(Base):
    """Counts per day of events that are past the retention period of raw events."""

    __tablename__ = "stats_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    topic: Mapped[str] = mapped_column(String(TOPIC_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class StatsUniques(Base):
    """How many different senders wrote on a day (a closed day: its salt is gone)."""

    __tablename__ = "stats_uniques"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    people: Mapped[int] = mapped_column(Integer)


class StatsSalt(Base):
    """The random salt of one open day; deleted when the day is closed."""

    __tablename__ = "stats_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))


class StatsVisitor(Base):
    """HMAC(day's salt, sender key), truncated: one row per sender per open day."""

    __tablename__ = "stats_visitors"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    digest: Mapped[str] = mapped_column(String(32), primary_key=True)


class StatsAccess(Base):
    """The dashboard's sign-in generation (one row, id 1): part of every session cookie."""

    __tablename__ = "stats_access"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)


TABLES = ("stats_events", "stats_daily", "stats_uniques", "stats_salts", "stats_visitors",
          "stats_access")
