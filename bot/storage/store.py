"""Sessions and processed message ids, over one async engine.

Writes are single atomic statements (``INSERT … ON CONFLICT``), so two processes on one
PostgreSQL — or two tasks on one SQLite file — cannot both win a race.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.db import sessionmaker
from bot.storage.models import ProcessedMessage, SessionRow
from bot.types import Session


def _insert(engine: AsyncEngine, table: Any) -> Any:
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


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


class Store:
    """The hot path (load, save, claim, remember) is Core statements built once, on a bare
    connection: the ORM session and per-call statement building were a quarter of each
    message's CPU time in ``bench/bench_webhooks.py``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine)
        sessions, processed = SessionRow.__table__, ProcessedMessage.__table__
        self._load = select(sessions).where(sessions.c.key == bindparam("k"))
        upsert = _insert(engine, sessions)
        self._upsert = upsert.on_conflict_do_update(
            index_elements=[sessions.c.key],
            set_={c.name: upsert.excluded[c.name] for c in sessions.columns if c.name != "key"},
        )
        self._claim = _insert(engine, processed).on_conflict_do_nothing(
            index_elements=["channel", "message_id"])
        self._answer = select(processed.c.response).where(
            processed.c.channel == bindparam("c"), processed.c.message_id == bindparam("m"))
        self._remember = update(processed).where(
            processed.c.channel == bindparam("c"), processed.c.message_id == bindparam("m")
        ).values(response=bindparam("r"))

    # -- sessions ---------------------------------------------------------------------
    async def load(self, key: str) -> Session:
        async with self.engine.connect() as conn:
            row = (await conn.execute(self._load, {"k": key})).first()
            await conn.rollback()
        return session_from_row(row) if row is not None else Session(key=key)

    async def save(self, session: Session) -> None:
        """Upsert the session, or delete it when the person asked to be forgotten."""
        if session.forget:
            await self.delete(session.key)
            return
        async with self.engine.begin() as conn:
            await conn.execute(self._upsert, _values(session))

    async def delete(self, key: str) -> None:
        async with self._sessions() as db, db.begin():
            await db.execute(delete(SessionRow).where(SessionRow.key == key))

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
        row = {"channel": channel, "message_id": message_id[:128],
               "created_at": datetime.now(UTC)}
        async with self.engine.begin() as conn:
            result = await conn.execute(self._claim, row)
            if getattr(result, "rowcount", 0) == 1:
                return Claim(new=True)
            earlier = await conn.execute(self._answer, {"c": channel, "m": message_id[:128]})
            return Claim(new=False, response=earlier.scalar())

    async def remember_response(self, channel: str, message_id: str, response: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(self._remember,
                               {"c": channel, "m": message_id[:128], "r": response})

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
