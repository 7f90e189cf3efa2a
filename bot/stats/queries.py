"""Reading the statistics tables: raw events and daily counts, grouped by day."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.stats.models import StatsDaily, StatsEvent
from bot.stats.noise import Noise
from bot.stats.report import CountRow, Report, build_report
from bot.stats.uniques import GRACE, people_per_day


async def load_counts(engine: AsyncEngine, since: date | None = None,
                      until: date | None = None) -> tuple[list[CountRow], dict[date, int]]:
    """Counts per (day, channel, language, topic, kind) in the range, and people per day."""
    e, d = StatsEvent, StatsDaily
    raw = (select(e.day, e.channel, e.language, e.topic, e.kind, func.count())
           .group_by(e.day, e.channel, e.language, e.topic, e.kind))
    daily = select(d.day, d.channel, d.language, d.topic, d.kind, d.count)
    if since is not None:
        raw, daily = raw.where(e.day >= since), daily.where(d.day >= since)
    if until is not None:
        raw, daily = raw.where(e.day <= until), daily.where(d.day <= until)
    async with engine.connect() as conn:
        rows = [CountRow(day, channel, language, topic, kind, int(count))
                for query in (raw, daily)
                for day, channel, language, topic, kind, count in await conn.execute(query)]
        people = await people_per_day(conn, since, until)
        await conn.rollback()
    return rows, people


def last_closed_day(now: datetime | None = None) -> date:
    """Yesterday (UTC), once the grace for late batches is over; the day before until then."""
    return ((now or datetime.now(UTC)) - GRACE).astimezone(UTC).date() - timedelta(days=1)


def reported_until(until: date | None, noise: Noise, now: datetime | None = None) -> date | None:
    """The last day a report may show. With noise, a count must not change while people
    watch it: each change would be a fresh draw of noise around a count that moved by
    one or two, and a watcher adding messages of their own could average the draws. A
    closed day no longer changes, so a report with noise ends with yesterday."""
    if noise.exact:
        return until
    last = last_closed_day(now)
    return last if until is None or until > last else until


async def load_report(engine: AsyncEngine, min_count: int, since: date | None = None,
                      until: date | None = None, *, noise: Noise | None = None,
                      channels: Collection[str] = ()) -> Report:
    noise = noise or Noise.none()
    until = reported_until(until, noise)
    rows, people = await load_counts(engine, since, until)
    return build_report(rows, people, min_count, since, until, noise=noise, channels=channels)
