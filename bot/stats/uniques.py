"""Unique people per day, without knowing who they are.

Each day gets a random 32-byte salt, made by whichever process needs it first and shared
through the database (several processes must count a person once). A sender is recorded
for the day as ``HMAC-SHA256(salt, sender key)``, truncated to 128 bits, at most once.
The sender key itself (already a keyed hash of channel and sender) is never written.

When the day is over (plus a grace period for batches still in flight), the day is
*closed*: the number of digests is stored in ``stats_uniques``, and the digests and the
salt are deleted in the same transaction. Without the salt nobody — not even someone
holding ``SECRET_KEY`` and a phone number — can tell whether that person wrote that day.
On SQLite the deletion uses ``secure_delete`` and the write-ahead log is truncated, so the
salt's bytes do not linger in the file.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.stats.models import StatsSalt, StatsUniques, StatsVisitor
from bot.stats.sql import insert_for

log = logging.getLogger(__name__)

#: How long after midnight (UTC) a day stays open for batches written late.
GRACE = timedelta(minutes=10)


def visitor_digest(salt: bytes, sender_key: str) -> str:
    """The day's pseudonym of a sender: useless once the salt is gone."""
    return hmac.new(salt, sender_key.encode(), hashlib.sha256).hexdigest()[:32]


def open_days(now: datetime) -> tuple[date, ...]:
    """The days that may still receive visitors: today, and yesterday during the grace."""
    today = now.astimezone(UTC).date()
    if (now - GRACE).astimezone(UTC).date() < today:
        return (today, today - timedelta(days=1))
    return (today,)


class DailySalts:
    """The salts of the open days, cached per process, created on first use."""

    def __init__(self) -> None:
        self._cache: dict[date, bytes] = {}

    async def get(self, conn: AsyncConnection, day: date, create: bool) -> bytes | None:
        if day in self._cache:
            return self._cache[day]
        if create:
            statement = insert_for(conn, StatsSalt).values(day=day, salt=secrets.token_bytes(32))
            await conn.execute(statement.on_conflict_do_nothing(index_elements=["day"]))
        salt = (await conn.execute(select(StatsSalt.salt).where(StatsSalt.day == day))).scalar()
        if salt is not None:
            self._cache[day] = bytes(salt)
        return None if salt is None else bytes(salt)

    def cached(self, day: date) -> bytes | None:
        """The day's salt if this process has it (no database needed)."""
        return self._cache.get(day)

    def keep_only(self, days: Iterable[date]) -> None:
        """Forget every cached salt but these: a closed day's salt must not live on here."""
        wanted = set(days)
        for day in [d for d in self._cache if d not in wanted]:
            del self._cache[day]


async def record_visitors(conn: AsyncConnection, salts: DailySalts,
                          visitors: dict[date, set[str]], now: datetime,
                          digests: dict[date, set[str]] | None = None) -> None:
    """Write the digests of the senders seen (and digests made before, read back from a
    journal); a closed day's senders are dropped: its count is final."""
    days = open_days(now)
    salts.keep_only(days)
    today = days[0]
    for day in days:
        keys, made = visitors.get(day, set()), (digests or {}).get(day, set())
        if not keys and not made:
            continue
        salt = await salts.get(conn, day, create=day == today) if keys else None
        found = made | ({visitor_digest(salt, key) for key in keys} if salt else set())
        if not found:
            continue
        statement = insert_for(conn, StatsVisitor).on_conflict_do_nothing(
            index_elements=["day", "digest"])
        await conn.execute(statement, [{"day": day, "digest": d} for d in found])


async def close_days(engine: AsyncEngine, now: datetime | None = None) -> list[date]:
    """Store the unique count of every finished day, then destroy its salt and digests."""
    now = now or datetime.now(UTC)
    first_open = min(open_days(now))
    async with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # overwrite deleted rows with zeros instead of leaving them in free pages
            await conn.exec_driver_sql("PRAGMA secure_delete=ON")
        salt_days = await conn.execute(select(StatsSalt.day).where(StatsSalt.day < first_open))
        visitor_days = await conn.execute(
            select(StatsVisitor.day).where(StatsVisitor.day < first_open).distinct())
        days = sorted({d for (d,) in salt_days} | {d for (d,) in visitor_days})
        for day in days:
            people = (await conn.execute(
                select(func.count()).select_from(StatsVisitor).where(StatsVisitor.day == day)
            )).scalar_one()
            statement = insert_for(conn, StatsUniques).values(day=day, people=people)
            await conn.execute(statement.on_conflict_do_nothing(index_elements=["day"]))
            await conn.execute(delete(StatsVisitor).where(StatsVisitor.day == day))
            await conn.execute(delete(StatsSalt).where(StatsSalt.day == day))
    if days and sqlite:
        await _truncate_wal(engine)
    if days:
        log.info("closed %d day(s) of unique counts; their salts are destroyed", len(days))
    return days


async def _truncate_wal(engine: AsyncEngine) -> None:
    """Copy the log into the database and empty it, so old pages do not keep the salt.

    Runs on the driver connection: SQLAlchemy would wrap it in BEGIN IMMEDIATE, inside
    which SQLite refuses a checkpoint.
    """
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        if driver is None:
            return
        cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = (await cursor.fetchone() or (0,))[0]
        await cursor.close()
        if busy:
            log.info("the write-ahead log is busy; SQLite will recycle it later")


async def people_per_day(conn: AsyncConnection, since: date | None,
                         until: date | None) -> dict[date, int]:
    """Closed days from ``stats_uniques``; open days counted from today's digests."""
    people: dict[date, int] = {}
    closed = select(StatsUniques.day, StatsUniques.people)
    live = select(StatsVisitor.day, func.count()).group_by(StatsVisitor.day)
    if since is not None:
        closed = closed.where(StatsUniques.day >= since)
        live = live.where(StatsVisitor.day >= since)
    if until is not None:
        closed = closed.where(StatsUniques.day <= until)
        live = live.where(StatsVisitor.day <= until)
    for day, count in await conn.execute(closed):
        people[day] = int(count)
    for day, count in await conn.execute(live):
        people.setdefault(day, int(count))  # a closed day's count is final
    return people
