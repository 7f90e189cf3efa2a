"""Unique people per day through a daily salt that is destroyed, and the 90-day roll-up."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.stats.models import StatsDaily, StatsEvent, StatsSalt, StatsUniques, StatsVisitor
from bot.stats.queries import load_report
from bot.stats.recorder import Recorder
from bot.stats.retention import roll_up
from bot.stats.uniques import close_days, visitor_digest
from bot.storage.db import create_engine
from bot.types import Incoming, Reply

DAY = date(2026, 11, 20)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def message(recorder: Recorder, sender: str, channel: str = "sms", language: str = "ky",
            topic: str | None = "permits.registration") -> None:
    kind = "topic" if topic else "menu"
    recorder.record(Incoming(channel=channel, sender_key=sender),  # type: ignore[arg-type]
                    Reply(language=language, kind=kind, topic=topic))


async def rows(engine, model) -> list[tuple]:
    async with engine.connect() as conn:
        result = [tuple(r) for r in await conn.execute(select(model))]
        await conn.rollback()
    return result


async def test_people_are_counted_once_a_day_and_the_salt_is_destroyed_after(engine):
    clock = Clock(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    recorder = Recorder(engine, clock=clock)
    for sender in ("key-a", "key-b", "key-a", "key-c", "key-a"):
        message(recorder, sender)
    assert await recorder.flush() == 5
    [(day, salt)] = await rows(engine, StatsSalt)
    assert day == DAY and len(salt) == 32
    digests = {d for _, d in await rows(engine, StatsVisitor)}
    assert digests == {visitor_digest(salt, k) for k in ("key-a", "key-b", "key-c")}
    report = await load_report(engine, 1, DAY, DAY)
    assert report.days == [(DAY, 5, 3)]  # an open day is counted from its digests

    # Just after midnight the day stays open for batches still in flight ...
    clock.moment = datetime(2026, 11, 21, 0, 5, tzinfo=UTC)
    assert await close_days(engine, clock()) == []
    # ... then it is closed: the count is kept, the salt and the digests are gone.
    clock.moment = datetime(2026, 11, 21, 0, 11, tzinfo=UTC)
    assert await close_days(engine, clock()) == [DAY]
    assert await rows(engine, StatsUniques) == [(DAY, 3)]
    assert await rows(engine, StatsSalt) == []
    assert await rows(engine, StatsVisitor) == []
    assert (await load_report(engine, 1, DAY, DAY)).days == [(DAY, 5, 3)]

    if engine.url.get_backend_name() == "sqlite":  # not even in free pages or the WAL
        path = Path(engine.url.database or "")
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert salt not in raw
        assert all(d.encode() not in raw for d in digests)


async def test_the_salt_rotates_so_days_cannot_be_linked(engine):
    clock = Clock(datetime(2026, 11, 20, 23, 0, tzinfo=UTC))
    recorder = Recorder(engine, clock=clock)
    message(recorder, "key-a")
    await recorder.flush()
    clock.moment = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    message(recorder, "key-a")
    await recorder.flush()
    salts = dict(await rows(engine, StatsSalt))
    assert set(salts) == {DAY, DAY + timedelta(days=1)}
    assert salts[DAY] != salts[DAY + timedelta(days=1)]
    visitors = await rows(engine, StatsVisitor)
    assert len({d for _, d in visitors}) == 2  # the same sender, two unrelated digests


async def test_a_batch_for_a_closed_day_does_not_revive_its_salt(engine):
    clock = Clock(datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    recorder = Recorder(engine, clock=clock)
    message(recorder, "key-a")
    await recorder.flush()
    message(recorder, "key-b")  # recorded on the 20th, but written a day late
    clock.moment = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    await close_days(engine, clock())
    await recorder.flush()
    assert await rows(engine, StatsSalt) == []
    assert await rows(engine, StatsUniques) == [(DAY, 1)]
    async with engine.connect() as conn:  # the event itself is kept: it holds no identity
        events = (await conn.execute(select(func.count()).select_from(StatsEvent))).scalar()
        await conn.rollback()
    assert events == 2


async def test_two_processes_share_one_salt(database_url):
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        clock = Clock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
        recorders = [Recorder(e, clock=clock) for e in engines]
        for recorder in recorders:
            message(recorder, "key-same-person")
        await asyncio.gather(*(r.flush() for r in recorders))
        assert len(await rows(engines[0], StatsSalt)) == 1
        assert len(await rows(engines[0], StatsVisitor)) == 1  # counted once
    finally:
        for engine in engines:
            await engine.dispose()


async def test_old_events_become_daily_counts_and_still_count(engine):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    old, recent = now - timedelta(days=91), now - timedelta(days=89)
    clock = Clock(old)
    recorder = Recorder(engine, clock=clock)
    for i in range(7):
        message(recorder, f"old-{i}", language="tg")
    message(recorder, "old-x", channel="telegram", language="ru", topic=None)
    await recorder.flush()
    clock.moment = recent
    for i in range(6):
        message(recorder, f"new-{i}", language="tg")
    await recorder.flush()

    moved = await asyncio.gather(roll_up(engine, now), roll_up(engine, now))
    assert sorted(moved) == [0, 8]  # two processes at once: each event moved exactly once
    daily = {(r[1], r[2], r[3], r[4]): r[5] for r in await rows(engine, StatsDaily)}
    assert daily == {("sms", "tg", "permits.registration", "topic"): 7,
                     ("telegram", "ru", "", "menu"): 1}
    events = await rows(engine, StatsEvent)
    assert len(events) == 6 and all(e[1] == recent.date() for e in events)

    report = await load_report(engine, 1)
    assert dict(report.topics)["permits.registration"] == 13
    assert report.total == 14
    assert [(d, m) for d, m, _ in report.days] == [(old.date(), 8), (recent.date(), 6)]
