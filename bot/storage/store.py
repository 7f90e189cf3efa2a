"""Sessions and processed message ids, over one async engine.

Writes are single atomic statements (``INSERT … ON CONFLICT``), so two processes on one
PostgreSQL — or two tasks on one SQLite file — cannot both win a race. The hot path (load,
save, delete, claim, keep an answer) goes through a group commit (``groupcommit.py``):
what concurrent messages ask for is done in one transaction of a few multi-row statements.
On SQLite, sessions this process committed are also kept in memory (``cache.py``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.batch import Claim, CoreBatch, SQLiteBatch, Statements
from bot.storage.cache import SessionCache
from bot.storage.db import sessionmaker
from bot.storage.groupcommit import GroupCommit
from bot.storage.models import ProcessedMessage, SessionRow
from bot.types import Session


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def session_from_row(row: Mapping[str, Any]) -> Session:
    """A session from its stored columns (a row's mapping, or what ``_values`` made)."""
    state = json.loads(row["state"] or "{}")
    return Session(
        key=row["key"],
        language=row["language"],
        position=row["position"],
        page=row["page"],
        shown=tuple(state.get("shown", ())),
        latin=bool(state.get("latin", False)),
        last_topic=state.get("last_topic"),
        window_start=_parse_time(state.get("window_start")),
        window_count=int(state.get("window_count", 0)),
        updated_at=_aware(row["updated_at"]),
    )


def _values(session: Session) -> dict[str, Any]:
    state = {"shown": list(session.shown), "latin": session.latin,
             "last_topic": session.last_topic, "window_count": session.window_count,
             "window_start": session.window_start.isoformat() if session.window_start else None}
    return {
        "key": session.key,
        "language": session.language,
        "position": session.position[:120],
        "page": session.page,
        "state": json.dumps(state, ensure_ascii=False),
        "updated_at": session.updated_at,
    }


#: What ``_values`` does not keep, and what a load gives back instead.
_NOT_STORED: dict[str, Any] = {"history": (), "forget": False}


def _as_stored(session: Session) -> Session:
    """The session as a load would read it back: for the cache, without a JSON round trip
    (a tenth of the store's CPU per answer). ``test_the_cache_returns_what_a_load_would``
    holds the two to every field."""
    return session.evolve(position=session.position[:120], **_NOT_STORED)


@dataclass(frozen=True)
class Kept:
    """What became of an answer offered to :meth:`Store.keep_answer`."""

    new: bool  # the message was new: the answer is kept and the session saved
    response: str | None  # what to send: this answer, or the one the first attempt kept
    stale: bool = False  # computed from a cached session someone else changed: do it again
    pending: bool = False  # that answer is not yet known to have gone out (see mark_sent)


# The operations of the hot path, as the group commit queues them.
@dataclass(frozen=True)
class _Load:
    key: str


@dataclass(frozen=True)
class _Write:
    key: str
    session: Session | None  # None: delete


@dataclass(frozen=True)
class _Claim:
    channel: str
    message_id: str


@dataclass(frozen=True)
class _Answer:
    """Claim the message id, keep the answer for retries and save the session: all or none."""

    session: Session
    channel: str
    message_id: str | None  # None: nothing to de-duplicate on, just save
    response: str
    epoch: int | None  # the cache epoch the session was read in; None: from the database
    pending: bool = False  # the answer goes out after the commit (Telegram), not with it


@dataclass(frozen=True)
class _Sent:
    channel: str
    message_id: str


_Op = _Load | _Write | _Claim | _Answer | _Sent


@dataclass
class _Done:
    """What a committed batch leaves for the cache."""

    committed: list[Session] = field(default_factory=list)
    data_version: int | None = None


def _message_key(channel: str, message_id: str) -> tuple[str, str]:
    return channel, message_id[:128]


def _is_outage(exc: BaseException) -> bool:
    """The database itself failed (not one operation's data): retrying alone won't help."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError)


def _owns(op: _Claim | _Answer, owners: dict[tuple[str, str], _Op],
          claimed: dict[tuple[str, str], Claim]) -> bool:
    """The op was the first in its batch to claim a message id nobody had claimed before."""
    key = (op.channel, op.message_id or "")
    claim = claimed.get(key)
    return owners.get(key) is op and claim is not None and claim.new


class Store:
    """The hot path is Core statements built once, run in batches: the ORM and one
    transaction per operation were most of each message's CPU time in
    ``bench/bench_webhooks.py``."""

    def __init__(self, engine: AsyncEngine, through_driver: bool | None = None) -> None:
        """``through_driver``: batches on SQLite go through aiosqlite itself (the default
        there, see batch.py); False keeps them on SQLAlchemy Core, as on PostgreSQL."""
        self.engine = engine
        self._sessions = sessionmaker(engine)
        if through_driver is None:
            through_driver = engine.dialect.driver == "aiosqlite"
        self._batch = SQLiteBatch(engine) if through_driver else CoreBatch(engine)
        self._batches: GroupCommit[_Op, Any] = GroupCommit(self._run_batch)
        # Only SQLite says cheaply whether anyone else wrote (see cache.py).
        self._cache = SessionCache() if engine.dialect.name == "sqlite" else None

    # -- sessions ---------------------------------------------------------------------
    async def load(self, key: str) -> Session:
        return await self._batches.submit(_Load(key))

    async def save(self, session: Session) -> None:
        """Upsert the session, or delete it when the person asked to be forgotten."""
        await self._batches.submit(_Write(session.key, None if session.forget else session))

    async def delete(self, key: str) -> None:
        await self._batches.submit(_Write(key, None))

    async def purge_idle(self, days: int = 30, now: datetime | None = None) -> int:
        """Delete sessions idle for ``days``; returns how many went."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        async with self._sessions() as db, db.begin():
            result = await db.execute(delete(SessionRow).where(SessionRow.updated_at < cutoff))
        if self._cache is not None:
            self._cache.clear()
        return int(getattr(result, "rowcount", 0) or 0)

    async def count_sessions(self) -> int:
        async with self._sessions() as db:
            rows = await db.execute(select(SessionRow.key))
            return len(rows.all())

    # -- de-duplication -------------------------------------------------------------------
    async def claim(self, channel: str, message_id: str) -> Claim:
        """Record a message id as handled; if it was already, return the stored answer."""
        return await self._batches.submit(_Claim(*_message_key(channel, message_id)))

    # -- answers ----------------------------------------------------------------------------
    def cached(self, key: str) -> tuple[Session, int] | None:
        """The session as this process last committed it, with its cache epoch (to pass to
        :meth:`keep_answer`), or None: load it."""
        return self._cache.get(key) if self._cache is not None else None

    def keep_answer(self, session: Session, response: str, channel: str,
                    message_id: str | None, epoch: int | None = None,
                    pending: bool = False) -> asyncio.Future[Kept]:
        """Claim ``message_id``, keep ``response`` for its retries and save ``session``, in
        one transaction. If the id was claimed before (a retry, maybe answered by another
        process), nothing is saved and the first answer comes back instead. ``epoch``: the
        session came from :meth:`cached`; if the database changed under the cache since,
        nothing is saved and the answer is ``stale``. ``pending``: the answer is sent after
        this commit rather than with it (a Telegram reply); until :meth:`mark_sent`, a
        retry learns that it may still have to send it."""
        key = _message_key(channel, message_id) if message_id else (channel, None)
        return self._batches.queue(_Answer(session, *key, response, epoch, pending))

    async def mark_sent(self, channel: str, message_id: str) -> None:
        """The answer kept for ``message_id`` has gone out: retries need not send it."""
        await self._batches.submit(_Sent(*_message_key(channel, message_id)))

    # -- one batch ------------------------------------------------------------------------
    async def _run_batch(self, ops: Sequence[_Op]) -> list[Any]:
        """One transaction for the batch; if it fails on one operation's data rather than
        an outage, each operation is tried alone so the others still go through."""
        try:
            return await self._transaction(ops)
        except Exception as exc:
            if len(ops) == 1 or _is_outage(exc):
                raise
        results: list[Any] = []
        for op in ops:
            try:
                results.extend(await self._transaction([op]))
            except Exception as exc:  # handed to that operation's caller
                results.append(exc)
        return results

    async def _transaction(self, ops: Sequence[_Op]) -> list[Any]:
        done = _Done()
        try:
            results = await self._batch.run(lambda db: self._statements(db, ops, done))
        except BaseException:
            if self._cache is not None:  # whatever happened, the database now decides
                self._cache.clear()
            raise
        if self._cache is not None:
            self._cache.observe(done.data_version)  # dropped if someone else wrote
            for session in done.committed:
                self._cache.put(session)
        return results

    def _statements(self, db: Statements, ops: Sequence[_Op], done: _Done) -> list[Any]:
        """Claims first (an answer is saved only if its message is new), then writes, so
        a load sees every save queued beside it; rows in key order, so two processes'
        batches lock rows in the same order and cannot deadlock.

        Plain synchronous code, run inside the transaction (on SQLite in the batch
        thread): it reads the cache's epoch but leaves changing the cache to the event
        loop, through ``done``, once the transaction has committed."""
        cache = self._cache
        epoch = None  # of cached sessions still good: None when another connection wrote
        if cache is not None:
            done.data_version = db.data_version()
            if done.data_version == cache.data_version:
                epoch = cache.epoch
        fresh = {id(op) for op in ops if isinstance(op, _Answer)
                 and (op.epoch is None or op.epoch == epoch)}
        claims: dict[tuple[str, str], tuple[str | None, bool]] = {}
        for op in ops:
            if isinstance(op, _Claim):
                claims.setdefault((op.channel, op.message_id), (None, False))
            elif isinstance(op, _Answer) and id(op) in fresh and op.message_id is not None:
                claims.setdefault((op.channel, op.message_id), (op.response, op.pending))
        claimed = db.claim(claims, datetime.now(UTC)) if claims else {}
        sent = {(op.channel, op.message_id) for op in ops if isinstance(op, _Sent)}
        if sent:
            db.mark_sent(sorted(sent))
        owners: dict[tuple[str, str], _Op] = {}  # the first claimant in the batch owns an id
        for op in ops:
            if isinstance(op, _Claim | _Answer) and op.message_id is not None:
                owners.setdefault((op.channel, op.message_id), op)
        writes: dict[str, Session | None] = {}
        for op in ops:
            if isinstance(op, _Write):
                writes[op.key] = op.session
            elif isinstance(op, _Answer) and id(op) in fresh and (
                    op.message_id is None or _owns(op, owners, claimed)):
                writes[op.session.key] = None if op.session.forget else op.session
        gone = sorted(key for key, session in writes.items() if session is None)
        stored = [session for _, session in sorted(writes.items()) if session is not None]
        kept = [_values(session) for session in stored]
        if gone:
            db.delete(gone)
        if kept:
            db.upsert(kept)
        committed = done.committed
        committed.extend(_as_stored(session) for session in stored)
        committed.extend(Session(key=key, forget=True) for key in gone)
        loads = sorted({op.key for op in ops if isinstance(op, _Load)})
        sessions: dict[str, Session] = {}
        if loads:
            sessions = {row["key"]: session_from_row(row) for row in db.load(loads)}
            committed.extend(sessions.get(key) or Session(key=key) for key in loads)
        return [self._result(op, sessions, owners, claimed, fresh) for op in ops]

    @staticmethod
    def _result(op: _Op, sessions: dict[str, Session], owners: dict[tuple[str, str], _Op],
                claimed: dict[tuple[str, str], Claim], fresh: set[int]) -> Any:
        if isinstance(op, _Load):
            return sessions.get(op.key) or Session(key=op.key)
        if isinstance(op, _Write | _Sent):
            return None
        if isinstance(op, _Answer) and id(op) not in fresh:
            return Kept(new=False, response=None, stale=True)
        new = op.message_id is None or _owns(op, owners, claimed)
        # Not new: a retry of an id claimed before, or a second claimant in this batch;
        # either way the answer to give is the one stored with the claim, if any yet.
        earlier = None if new else claimed.get((op.channel, op.message_id or ""))
        response = earlier.response if earlier is not None else None
        pending = earlier.pending if earlier is not None else False
        if isinstance(op, _Claim):
            return Claim(new=new, response=response, pending=pending)
        if new:
            return Kept(new=True, response=op.response, pending=op.pending)
        return Kept(new=False, response=response, pending=pending)

    async def purge_processed(self, days: int = 7, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                delete(ProcessedMessage).where(ProcessedMessage.created_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
