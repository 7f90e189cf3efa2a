"""Raw events older than the retention period become daily counts, then go.

A day is moved in one transaction: ``DELETE … RETURNING`` takes its events (so two
processes doing this at once cannot both count the same rows: the second one's DELETE
finds them gone), and their counts are added to ``stats_daily``.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.stats.models import StatsDaily, StatsEvent
from bot.stats.sql import insert_for

log = logging.getLogger(__name__)

RETENTION_DAYS = 90
_KEY = (StatsEvent.channel, StatsEvent.language, StatsEvent.topic, StatsEvent.kind)


def retention_cutoff(now: datetime, days: int = RETENTION_DAYS) -> date:
    """The first day whose raw events are kept."""
    return now.astimezone(UTC).date() - timedelta(days=days)


async def roll_up(engine: AsyncEngine, now: datetime | None = None,
                  days: int = RETENTION_DAYS) -> int:
    """Move every day before the cutoff into ``stats_daily``; returns the events moved."""
    cutoff = retention_cutoff(now or datetime.now(UTC), days)
    async with engine.connect() as conn:
        old_days = [d for (d,) in await conn.execute(
            select(StatsEvent.day).where(StatsEvent.day < cutoff).distinct())]
        await conn.rollback()
    moved = 0
    for day in sorted(old_days):
        moved += await _roll_up_day(engine, day)
    if moved:
        log.info("rolled %d events from %d day(s) into daily counts", moved, len(old_days))
    return moved


async def _roll_up_day(engine: AsyncEngine, day: date) -> int:
    async with engine.begin() as conn:
        taken = await conn.execute(
            delete(StatsEvent).where(StatsEvent.day == day).returning(*_KEY))
        counts = Counter(tuple(row) for row in taken)
        if not counts:
            return 0
        statement = insert_for(conn, StatsDaily)
        statement = statement.on_conflict_do_update(
            index_elements=["day", "channel", "language", "topic", "kind"],
            set_={"count": StatsDaily.count + statement.excluded["count"]},
        )
        rows = [{"day": day, "channel": c, "language": lang, "topic": t, "kind": k, "count": n}
                for (c, lang, t, k), n in counts.items()]
        await conn.execute(statement, rows)
    return sum(counts.values())
