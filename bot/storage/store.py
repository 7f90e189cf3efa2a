"""Sessions and processed message ids, over one async engine.

Writes are single atomic statements (``INSERT … ON CONFLICT``), so two processes on one
PostgreSQL — or two tasks on one SQLite file — cannot both win a race. The hot path (load,
save, delete, claim, remember) goes through a group commit (``groupcommit.py``): what
concurrent messages ask for is done in one transaction of a few multi-row statements.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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


def session_from_row(row: SessionRow | Row[Any]) -> Session:
    state = json.loads(row.state or "{}")
    return Session(
        key=row.key,
        language=row.language,
        position=row.position,
        page=row.page,
        shown=tuple(state.get("shown", ())),
        latin=bool(state.get("latin", False)),
        last_topic=state.get("last_topic"),
        window_start=_parse_time(state.get("window_start")),
        window_count=int(state.get("window_count", 0)),
        updated_at=_aware(row.updated_at),
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


@dataclass
class Claim:
    """The outcome of claiming a message id: new, or seen before (with its answer)."""

    new: bool
    response: str | None = None


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
class _Remember:
    channel: str
    message_id: str
    response: str


_Op = _Load | _Write | _Claim | _Remember


def _message_key(channel: str, message_id: str) -> tuple[str, str]:
    return channel, message_id[:128]


def _is_outage(exc: BaseException) -> bool:
    """The database itself failed (not one operation's data): retrying alone won't help."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError)


class Store:
    """The hot path is Core statements built once, run in batches: the ORM and one
    transaction per operation were most of each message's CPU time in
    ``bench/bench_webhooks.py``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine)
        self._dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        sessions, processed = SessionRow.__table__, ProcessedMessage.__table__
        self._table = processed
        self._load_many = select(sessions).where(
            sessions.c.key.in_(bindparam("keys", expanding=True)))
        self._delete_many = delete(sessions).where(
            sessions.c.key.in_(bindparam("keys", expanding=True)))
        upsert = self._dialect.insert(sessions)
        self._upsert = upsert.on_conflict_do_update(
            index_elements=[sessions.c.key],
            set_={c.name: upsert.excluded[c.name] for c in sessions.columns if c.name != "key"},
        )
        self._claim = self._dialect.insert(processed).on_conflict_do_nothing(
            index_elements=["channel", "message_id"]
        ).returning(processed.c.channel, processed.c.message_id)
        self._answers = select(processed.c.channel, processed.c.message_id,
                               processed.c.response).where(
            tuple_(processed.c.channel, processed.c.message_id).in_(
                bindparam("ids", expanding=True)))
        self._remember = update(processed).where(
            processed.c.channel == bindparam("c"), processed.c.message_id == bindparam("m")
        ).values(response=bindparam("r"))
        self._batches: GroupCommit[_Op, Any] = GroupCommit(self._run_batch)

    # -- sessions ---------------------------------------------------------------------
    async def load(self, key: str) -> Session:
        return await self.load_soon(key)

    def load_soon(self, key: str) -> asyncio.Future[Session]:
        """Queue a load now (see ``GroupCommit.queue``): a claim queued beside it shares
        its transaction."""
        return self._batches.queue(_Load(key))

    async def save(self, session: Session) -> None:
        """Upsert the session, or delete it when the person asked to be forgotten."""
        await self.save_soon(session)

    def save_soon(self, session: Session) -> asyncio.Future[None]:
        return self._batches.queue(_Write(session.key, None if session.forget else session))

    async def delete(self, key: str) -> None:
        await self._batches.submit(_Write(key, None))

    async def purge_idle(self, days: int = 30, now: datetime | None = None) -> int:
        """Delete sessions idle for ``days``; returns how many went."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        async with self._sessions() as db, db.begin():
            result = await db.execute(delete(SessionRow).where(SessionRow.updated_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    async def count_sessions(self) -> int:
        async with self._sessions() as db:
            rows = await db.execute(select(SessionRow.key))
            return len(rows.all())

    # -- de-duplication -------------------------------------------------------------------
    async def claim(self, channel: str, message_id: str) -> Claim:
        """Record a message id as handled; if it was already, return the stored answer."""
        return await self.claim_soon(channel, message_id)

    def claim_soon(self, channel: str, message_id: str) -> asyncio.Future[Claim]:
        return self._batches.queue(_Claim(*_message_key(channel, message_id)))

    async def remember_response(self, channel: str, message_id: str, response: str) -> None:
        await self._batches.submit(_Remember(*_message_key(channel, message_id), response))

    # -- one batch ------------------------------------------------------------------------
    async def _run_batch(self, ops: Sequence[_Op]) -> list[Any]:
        """One transaction for the batch; if it fails on one operation's data rather than
        an outage, each operation is tried alone so the others still go through."""
        try:
            async with self.engine.begin() as conn:
                return await self._statements(conn, ops)
        except Exception as exc:
            if len(ops) == 1 or _is_outage(exc):
                raise
        results: list[Any] = []
        for op in ops:
            try:
                async with self.engine.begin() as conn:
                    results.extend(await self._statements(conn, [op]))
            except Exception as exc:  # handed to that operation's caller
                results.append(exc)
        return results

    async def _statements(self, conn: AsyncConnection, ops: Sequence[_Op]) -> list[Any]:
        """Writes first, so a load sees every save queued beside it; rows in key order, so
        two processes' batches lock rows in the same order and cannot deadlock."""
        writes = {op.key: op.session for op in ops if isinstance(op, _Write)}
        gone = sorted(key for key, session in writes.items() if session is None)
        kept = [_values(writes[key]) for key in sorted(writes)  # type: ignore[arg-type]
                if writes[key] is not None]
        answers = {(op.channel, op.message_id): op.response
                   for op in ops if isinstance(op, _Remember)}
        claims = list(dict.fromkeys((op.channel, op.message_id)
                                    for op in ops if isinstance(op, _Claim)))
        loads = sorted({op.key for op in ops if isinstance(op, _Load)})
        if gone:
            await conn.execute(self._delete_many, {"keys": gone})
        if kept:
            await conn.execute(self._upsert, kept)
        if answers:
            await conn.execute(self._remember, [{"c": c, "m": m, "r": r}
                                                for (c, m), r in sorted(answers.items())])
        claimed = await self._claim_all(conn, sorted(claims)) if claims else {}
        sessions: dict[str, Session] = {}
        if loads:
            rows = await conn.execute(self._load_many, {"keys": loads})
            sessions = {row.key: session_from_row(row) for row in rows}
        results: list[Any] = []
        for op in ops:
            if isinstance(op, _Load):
                results.append(sessions.get(op.key) or Session(key=op.key))
            elif isinstance(op, _Claim):
                # The first claimant in the batch owns a new id; a second is a retry.
                results.append(claimed.pop((op.channel, op.message_id), Claim(new=False)))
            else:
                results.append(None)
        return results

    async def _claim_all(self, conn: AsyncConnection,
                         ids: list[tuple[str, str]]) -> dict[tuple[str, str], Claim]:
        """Insert the ids that are new (one statement); the others get their stored answer."""
        now = datetime.now(UTC)
        inserted = await conn.execute(self._claim, [
            {"channel": c, "message_id": m, "created_at": now} for c, m in ids])
        claimed = {(row.channel, row.message_id): Claim(new=True) for row in inserted}
        earlier = [key for key in ids if key not in claimed]
        if earlier:
            rows = await conn.execute(self._answers, {"ids": earlier})
            for row in rows:
                claimed[(row.channel, row.message_id)] = Claim(new=False,
                                                               response=row.response)
        return claimed

    async def release(self, channel: str, message_id: str) -> None:
        """Forget a claim whose handling failed, so that the retry is handled afresh."""
        async with self._sessions() as db, db.begin():
            await db.execute(
                delete(ProcessedMessage).where(ProcessedMessage.channel == channel,
                                               ProcessedMessage.message_id == message_id[:128])
            )

    async def purge_processed(self, days: int = 7, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                delete(ProcessedMessage).where(ProcessedMessage.created_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
