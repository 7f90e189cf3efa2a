"""Recording what was asked, off the request's hot path.

The service calls :meth:`Recorder.record` after every answer: it only appends to a list
in memory (no I/O, no await), so a reply never waits for statistics. A background task
writes the list in one transaction every ``flush_seconds``, or sooner when ``batch_size``
events are waiting; :meth:`Recorder.stop` (run by the web app's shutdown, which SIGTERM
triggers) writes whatever is left. If the database is down, events stay in memory and
the next flush tries again (up to ``max_pending``, beyond which new ones are counted and
dropped rather than letting memory grow without bound); each failed flush also appends
the new events to a journal on the local disk (``bot/stats/journal.py``), which the next
process to start writes to the database. A ``kill -9`` loses what arrived since the last
flush (``STATS_FLUSH_SECONDS``, 5 s by default), in an outage or not.

Simulator messages are counted under their own channel, ``simulator``, and their senders
are not counted among the day's people: they are NGO staff trying the content.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.stats.journal import Event, Journal
from bot.stats.models import TOPIC_LENGTH, StatsEvent
from bot.stats.retention import roll_up
from bot.stats.uniques import DailySalts, close_days, record_visitors, visitor_digest
from bot.types import Incoming, Reply

log = logging.getLogger(__name__)

#: The language menu is written in every language at once: it was answered in none.
UNDETERMINED = "und"
UNMATCHED = "unmatched"
DIDYOUMEAN = "didyoumean"
#: Kinds with no topic of their own that the report shows as a row of their own.
NAMED_KINDS = frozenset({UNMATCHED, DIDYOUMEAN})
#: Channels whose senders are not people to count (NGO staff previewing content).
UNCOUNTED_SENDERS = frozenset({"simulator"})
#: Kinds that sent nothing to the person (a flood being ignored): not an answer.
SILENT_KINDS = frozenset({"ignored"})
MAINTENANCE_SECONDS = 600.0


def event_for(incoming: Incoming, reply: Reply, now: datetime) -> Event | None:
    """What to count for one answer, or None when nothing was answered."""
    if reply.kind in SILENT_KINDS:
        return None
    moment = now.astimezone(UTC)
    language = UNDETERMINED if reply.kind == "language" else reply.language
    topic = reply.kind if reply.kind in NAMED_KINDS else (reply.topic or "")
    return Event(day=moment.date(), hour=moment.hour, channel=incoming.channel,
                 language=language[:8], topic=topic[:TOPIC_LENGTH], kind=reply.kind[:16])


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Recorder:
    """Buffers events and unique senders in memory; writes them in batches."""

    def __init__(self, engine: AsyncEngine, *, flush_seconds: float = 5.0,
                 batch_size: int = 500, max_pending: int = 200_000,
                 clock: Callable[[], datetime] = _utcnow,
                 journal: Journal | None = None) -> None:
        self.engine = engine
        self.journal = journal
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.clock = clock
        self.dropped = 0
        self._events: list[Event] = []
        self._visitors: dict[date, set[str]] = {}
        self._digests: dict[date, set[str]] = {}  # senders read back from a journal
        self._journaled = 0  # how many of _events (from the first) are in the journal
        self._journaled_senders: set[tuple[date, str]] = set()
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
        if event.channel not in UNCOUNTED_SENDERS:
            self._visitors.setdefault(event.day, set()).add(incoming.sender_key)
        if len(self._events) >= self.batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._events)

    # -- writing ------------------------------------------------------------------------
    async def flush(self) -> int:
        """Write everything waiting in one transaction; returns how many events.

        On failure everything stays in memory for the next try, and what is not in the
        journal yet is appended to it."""
        async with self._lock:
            events, visitors, digests = self._events, self._visitors, self._digests
            if not events and not visitors and not digests:
                if self.journal is not None and self.journal.holding:
                    self.journal.written()  # journals that held nothing readable
                return 0
            self._events, self._visitors, self._digests = [], {}, {}
            try:
                await self._write(events, visitors, digests)
            except BaseException:
                self._events[:0] = events  # keep them for the next try
                for day, keys in visitors.items():
                    self._visitors.setdefault(day, set()).update(keys)
                for day, found in digests.items():
                    self._digests.setdefault(day, set()).update(found)
                self._spill()
                raise
            self._journaled = 0
            self._journaled_senders.clear()
            if self.journal is not None:
                self.journal.written()
            return len(events)

    async def _write(self, events: list[Event], visitors: dict[date, set[str]],
                     digests: dict[date, set[str]]) -> None:
        # vars(), not asdict(): asdict deep-copies every field, a third of this loop's time.
        rows = [{"id": secrets.randbits(63), **vars(event)} for event in events]
        secrets.SystemRandom().shuffle(rows)  # storage order must not tell who came after whom
        async with self.engine.begin() as conn:
            if rows:
                await conn.execute(insert(StatsEvent), rows)
            await record_visitors(conn, self._salts, visitors, self.clock(), digests)

    def _spill(self) -> None:
        """Append to the journal what it lacks: the newer events, and the senders whose
        day salt is known here (as that day's digests; the keys themselves never)."""
        if self.journal is None:
            return
        events = self._events[self._journaled:]
        senders, digests = [], []
        for day, keys in self._visitors.items():
            salt = self._salts.cached(day)
            if salt is None:  # not known here: these senders miss from the day's people
                continue
            for key in keys:
                if (day, key) not in self._journaled_senders:
                    senders.append((day, key))
                    digests.append((day, visitor_digest(salt, key)))
        try:
            self.journal.append(events, digests)
        except OSError as exc:  # a full disk: the events are still in memory
            log.warning("statistics journal not written (%s)", type(exc).__name__)
            return
        self._journaled = len(self._events)
        self._journaled_senders.update(senders)

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
        """Take over the journals of stopped processes, then flush on a timer."""
        if self.journal is not None:
            try:
                found = self.journal.take_over()
            except OSError as exc:
                log.error("statistics journals could not be read (%s)", type(exc).__name__)
            else:
                if found.files:
                    log.info("statistics: %d events from %d journal file(s) left by a stopped "
                             "process will be written", len(found.events), found.files)
                self._events[:0] = found.events
                self._journaled = len(found.events)
                for day, digests in found.digests.items():
                    self._digests.setdefault(day, set()).update(digests)
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
            kept = self.journal is not None and self._journaled == self.pending
            log.error("statistics: %d events could not be written at shutdown (%s)%s",
                      self.pending, type(exc).__name__,
                      "; they are in the journal for the next start" if kept else "")
            if self.journal is not None:
                self.journal.release()
            return
        if written:
            log.info("statistics: wrote %d events at shutdown", written)
