"""Sessions and processed message ids, over one async engine.

Writes are single atomic statements (``INSERT … ON CONFLICT``), so two processes on one
PostgreSQL — or two tasks on one SQLite file — cannot both win a race.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
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


def session_from_row(row: SessionRow) -> Session:
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
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine)

    # -- sessions ---------------------------------------------------------------------
    async def load(self, key: str) -> Session:
        async with self._sessions() as db:
            row = await db.get(SessionRow, key)
            return session_from_row(row) if row is not None else Session(key=key)

    async def save(self, session: Session) -> None:
        """Upsert the session, or delete it when the person asked to be forgotten."""
        if session.forget:
            await self.delete(session.key)
            return
        values = _values(session)
        statement = _insert(self.engine, SessionRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[SessionRow.key],
            set_={k: v for k, v in values.items() if k != "key"},
        )
        async with self._sessions() as db, db.begin():
            await db.execute(statement)

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
        now = datetime.now(UTC)
        statement = (
            _insert(self.engine, ProcessedMessage)
            .values(channel=channel, message_id=message_id[:128], created_at=now)
            .on_conflict_do_nothing(index_elements=["channel", "message_id"])
        )
        async with self._sessions() as db, db.begin():
            result = await db.execute(statement)
            if getattr(result, "rowcount", 0) == 1:
                return Claim(new=True)
            row = await db.get(ProcessedMessage, (channel, message_id[:128]))
            return Claim(new=False, response=row.response if row else None)

    async def remember_response(self, channel: str, message_id: str, response: str) -> None:
        async with self._sessions() as db, db.begin():
            await db.execute(
                update(ProcessedMessage)
                .where(ProcessedMessage.channel == channel,
                       ProcessedMessage.message_id == message_id[:128])
                .values(response=response)
            )

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
