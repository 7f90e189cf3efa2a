"""Recording what was asked, off the request's hot path.

The service calls :meth:`Recorder.record` after every answer: it only appends to a list
in memory (no I/O, no await), so a reply never waits for statistics. A background task
writes the list in one transaction every ``flush_seconds``, or sooner when ``batch_size``
events are waiting; :meth:`Recorder.stop` (run by the web app's shutdown, which SIGTERM
triggers) writes whatever is left. If the database is down, events stay in memory and
the next flush tries again (up to ``max_pending``, beyond which new ones are counted and
dropped rather than letting memory grow without bound).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.stats.models import TOPIC_LENGTH, StatsEvent
from bot.stats.retention import roll_up
from bot.stats.uniques import DailySalts, close_days, record_visitors
from bot.types import Incoming, Reply

log = logging.getLogger(__name__)

#: The language menu is written in every language at once: it was answered in none.
UNDETERMINED = "und"
UNMATCHED = "unmatched"
#: Kinds that sent nothing to the person (a flood being ignored): not an answer.
SILENT_KINDS = frozenset({"ignored"})
MAINTENANCE_SECONDS = 600.0


@dataclass(frozen=True)
class Event:
    """One answered message as statistics keep it: no sender, no text, an hour."""

    day: date
    hour: int
    channel: str
    language: str
    topic: str  # a topic id, "unmatched", or "" when no topic was shown (menus, help)
    kind: str


def event_for(incoming: Incoming, reply: Reply, now: datetime) -> Event | None:
    """What to count for one answer, or None when nothing was answered."""
    if reply.kind in SILENT_KINDS:
        return None
    moment = now.astimezone(UTC)
    language = UNDETERMINED if reply.kind == "language" else reply.language
    topic = UNMATCHED if reply.kind == UNMATCHED else (reply.topic or "")
    return Event(day=moment.date(), hour=moment.hour, channel=incoming.channel,
                 language=language[:8], topic=topic[:TOPIC_LENGTH], kind=reply.kind[:16])


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Recorder:
    """Buffers events and unique senders in memory; writes them in batches."""

    def __init__(self, engine: AsyncEngine, *, flush_seconds: float = 5.0,
                 batch_size: int = 500, max_pending: int = 200_000,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.clock = clock
        self.dropped = 0
        self._events: list[Event] = []
        self._visitors: dict[date, set[str]] = {}
        self._salts = DailySalts()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._failing = False
        self._stopping = False

    # -- the hot path -------------------------------------------------------------------
    def record(self, incoming: Incoming, reply: Reply) -> None:
        """A :class:`bot.service.Listener`: remember the answer; never blocks, never raises."""
        try:
            event = event_for(incoming, reply, self.clock())
        except Exception:  # statistics must never cost a person their answer
            log.exception("statistics: an answer could not be counted")
            return
        if event is None:
            return
        if len(self._events) >= self.max_pending:
            self.dropped += 1
            return
        self._events.append(event)
        self._visitors.setdefault(event.day, set()).add(incoming.sender_key)
        if len(self._events) >= self.batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._events)

    # -- writing ------------------------------------------------------------------------
    async def flush(self) -> int:
        """Write everything waiting in one transaction; returns how many events."""
        async with self._lock:
            events, visitors = self._events, self._visitors
            self._events, self._visitors = [], {}
            if not events and not visitors:
                return 0
            try:
                await self._write(events, visitors)
            except BaseException:
                self._events[:0] = events  # keep them for the next try
                for day, keys in visitors.items():
                    self._visitors.setdefault(day, set()).update(keys)
                raise
            return len(events)

    async def _write(self, events: list[Event], visitors: dict[date, set[str]]) -> None:
        # vars(), not asdict(): asdict deep-copies every field, a third of this loop's time.
        rows = [{"id": secrets.randbits(63), **vars(event)} for event in events]
        secrets.SystemRandom().shuffle(rows)  # storage order must not tell who came after whom
        async with self.engine.begin() as conn:
            if rows:
                await conn.execute(insert(StatsEvent), rows)
            await record_visitors(conn, self._salts, visitors, self.clock())

    async def maintain(self) -> None:
        """Close finished days (destroying their salts) and roll up old events."""
        now = self.clock()
        await close_days(self.engine, now)
        await roll_up(self.engine, now)

    # -- the background task ------------------------------------------------------------
    async def run(self) -> None:
        """Flush on a timer or when a batch is full; maintenance every ten minutes."""
        last_maintenance = -MAINTENANCE_SECONDS
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.flush_seconds)
            self._wake.clear()
            if self._stopping:
                return
            await self._guarded(self.flush)
            if time.monotonic() - last_maintenance >= MAINTENANCE_SECONDS:
                last_maintenance = time.monotonic()
                await self._guarded(self.maintain)

    async def _guarded(self, step: Callable[[], Awaitable[object]]) -> None:
        try:
            await step()
        except (SQLAlchemyError, OSError) as exc:
            if not self._failing:  # once per outage
                log.warning("statistics not written yet (%s); %d events kept in memory",
                            type(exc).__name__, self.pending)
            self._failing = True
            return
        except Exception:  # a bug must not end the recording; the events stay queued
            log.exception("statistics step failed")
            return
        if self._failing:
            log.info("statistics written again")
        self._failing = False
        if self.dropped:
            log.warning("%d statistics events were dropped while the database was down",
                        self.dropped)
            self.dropped = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="stats-recorder")

    async def stop(self) -> None:
        """Stop the timer and write what is left: nothing is lost on a normal shutdown."""
        if self._task is not None:
            # Let a write under way finish rather than cancel it halfway through.
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        try:
            written = await self.flush()
        except (SQLAlchemyError, OSError) as exc:
            log.error("statistics: %d events could not be written at shutdown (%s)",
                      self.pending, type(exc).__name__)
            return
        if written:
            log.info("statistics: wrote %d events at shutdown", written)
