"""How one group-commit batch reaches the database: the same five steps in two ways.

``store.py`` decides what a batch does (which answers stand, who owns a message id, what
is written); a :class:`Statements` does the steps, inside one transaction:

- :class:`CoreBatch`: SQLAlchemy Core statements on an ``AsyncConnection`` (PostgreSQL);
- :class:`SQLiteBatch`: the same statements as SQL text, sent through the aiosqlite
  connection that SQLAlchemy's pool hands out (``driver_connection``).

Why SQLite gets its own: SQLAlchemy's asyncio adapter makes four trips to aiosqlite's
thread for each statement (cursor, execute, fetch, close) and runs its execution machinery
on the event loop; aiosqlite's own ``execute_fetchall``/``executemany`` make one. With
32 clients that was 109 µs of the event loop's CPU per answer against 66 µs this way
(``bench/bench_store.py``; the rest is the store's own logic), and the event loop is what
limits one process. The pool, its connection set-up (WAL, busy timeout) and the column
types' own conversions stay SQLAlchemy's.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import bindparam, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.models import ProcessedMessage, SessionRow

Key = tuple[str, str]  # (channel, message id)

SESSIONS = SessionRow.__table__
PROCESSED = ProcessedMessage.__table__
SESSION_COLUMNS = tuple(c.name for c in SESSIONS.columns)


@dataclass
class Claim:
    """The outcome of claiming a message id: new, or seen before (with its answer)."""

    new: bool
    response: str | None = None


class Statements(Protocol):
    """The steps of a batch, in one transaction."""

    async def data_version(self) -> int:
        """SQLite's count of other connections' commits (see cache.py)."""

    async def claim(self, claims: Mapping[Key, str | None], now: datetime) -> dict[Key, Claim]:
        """Insert the ids that are new, each with its answer; the others get theirs."""

    async def delete(self, keys: Sequence[str]) -> None: ...

    async def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None: ...

    async def load(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        """The stored columns of those sessions that exist."""


def _outcomes(claims: Mapping[Key, str | None], inserted: Iterable[Key],
              earlier: Iterable[tuple[str, str, str | None]]) -> dict[Key, Claim]:
    result = {key: Claim(new=True, response=claims[key]) for key in inserted}
    result.update({(c, m): Claim(new=False, response=response) for c, m, response in earlier})
    return result


# -- SQLAlchemy Core ------------------------------------------------------------------------
class CoreBatch:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self.load_many = select(SESSIONS).where(
            SESSIONS.c.key.in_(bindparam("keys", expanding=True)))
        self.delete_many = delete(SESSIONS).where(
            SESSIONS.c.key.in_(bindparam("keys", expanding=True)))
        upsert = dialect.insert(SESSIONS)
        self.upsert = upsert.on_conflict_do_update(
            index_elements=[SESSIONS.c.key],
            set_={name: upsert.excluded[name] for name in SESSION_COLUMNS if name != "key"},
        )
        self.claim = dialect.insert(PROCESSED).on_conflict_do_nothing(
            index_elements=["channel", "message_id"]
        ).returning(PROCESSED.c.channel, PROCESSED.c.message_id)
        self.answers = select(PROCESSED.c.channel, PROCESSED.c.message_id,
                              PROCESSED.c.response).where(
            tuple_(PROCESSED.c.channel, PROCESSED.c.message_id).in_(
                bindparam("ids", expanding=True)))

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Statements]:
        async with self.engine.begin() as conn:
            yield _CoreStatements(self, conn)


@dataclass
class _CoreStatements:
    batch: CoreBatch
    conn: AsyncConnection

    async def data_version(self) -> int:
        return int((await self.conn.exec_driver_sql("PRAGMA data_version")).scalar_one())

    async def claim(self, claims: Mapping[Key, str | None], now: datetime) -> dict[Key, Claim]:
        ids = sorted(claims)
        inserted = await self.conn.execute(self.batch.claim, [
            {"channel": c, "message_id": m, "response": claims[(c, m)], "created_at": now}
            for c, m in ids])
        new = {(row.channel, row.message_id) for row in inserted}
        earlier = [key for key in ids if key not in new]
        rows = (await self.conn.execute(self.batch.answers, {"ids": earlier})).all() \
            if earlier else []
        return _outcomes(claims, new, rows)  # type: ignore[arg-type]

    async def delete(self, keys: Sequence[str]) -> None:
        await self.conn.execute(self.batch.delete_many, {"keys": list(keys)})

    async def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        await self.conn.execute(self.batch.upsert, list(rows))

    async def load(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        rows = await self.conn.execute(self.batch.load_many, {"keys": list(keys)})
        return [row._mapping for row in rows]


# -- SQLite through aiosqlite ---------------------------------------------------------------
def _marks(rows: int, width: int) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return ", ".join([row] * rows)


@lru_cache(maxsize=256)
def _claim_sql(rows: int) -> str:
    return ("INSERT INTO processed_messages (channel, message_id, response, created_at) "
            f"VALUES {_marks(rows, 4)} ON CONFLICT (channel, message_id) DO NOTHING "
            "RETURNING channel, message_id")


@lru_cache(maxsize=256)
def _answers_sql(rows: int) -> str:
    return ("SELECT channel, message_id, response FROM processed_messages "
            f"WHERE (channel, message_id) IN (VALUES {_marks(rows, 2)})")


@lru_cache(maxsize=256)
def _in_keys(rows: int) -> str:
    return "(" + ", ".join("?" * rows) + ")"


_UPSERT_SQL = (
    f"INSERT INTO sessions ({', '.join(SESSION_COLUMNS)}) VALUES {_marks(1, len(SESSION_COLUMNS))}"
    " ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in SESSION_COLUMNS if name != "key"))


class SQLiteBatch:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        dialect = engine.dialect
        # The timestamps as SQLAlchemy writes and reads them elsewhere (its SQLite DATETIME).
        stamp = SESSIONS.c.updated_at.type.dialect_impl(dialect)
        self.to_db = stamp.bind_processor(dialect)
        self.from_db = stamp.result_processor(dialect, None)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Statements]:
        async with self.engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            try:
                await driver.execute("BEGIN IMMEDIATE")
                yield _SQLiteStatements(self, driver)
                await driver.commit()
            except (sqlite3.Error, ValueError) as exc:  # aiosqlite: ValueError once closed
                await _rollback(driver)
                orig = exc if isinstance(exc, sqlite3.Error) else sqlite3.OperationalError(
                    str(exc))
                gone = self.engine.dialect.is_disconnect(orig, None, None)
                if gone:
                    await conn.invalidate()
                raise DBAPIError.instance(None, None, orig, sqlite3.Error,
                                          connection_invalidated=gone) from exc
            except BaseException:
                await _rollback(driver)
                raise


async def _rollback(driver: Any) -> None:
    with contextlib.suppress(sqlite3.Error, ValueError):
        await driver.rollback()


@dataclass
class _SQLiteStatements:
    batch: SQLiteBatch
    driver: Any  # aiosqlite.Connection

    async def data_version(self) -> int:
        [(version,)] = await self.driver.execute_fetchall("PRAGMA data_version")
        return int(version)

    async def claim(self, claims: Mapping[Key, str | None], now: datetime) -> dict[Key, Claim]:
        ids = sorted(claims)
        stamp = self.batch.to_db(now) if self.batch.to_db else now
        params = [value for c, m in ids for value in (c, m, claims[(c, m)], stamp)]
        new = {(c, m) for c, m in await self.driver.execute_fetchall(_claim_sql(len(ids)),
                                                                      params)}
        earlier = [key for key in ids if key not in new]
        rows = await self.driver.execute_fetchall(
            _answers_sql(len(earlier)), [part for key in earlier for part in key]) \
            if earlier else []
        return _outcomes(claims, new, rows)

    async def delete(self, keys: Sequence[str]) -> None:
        await self.driver.execute(f"DELETE FROM sessions WHERE key IN {_in_keys(len(keys))}",
                                  list(keys))

    async def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        to_db = self.batch.to_db
        await self.driver.executemany(_UPSERT_SQL, [
            [to_db(row[name]) if name == "updated_at" and to_db else row[name]
             for name in SESSION_COLUMNS] for row in rows])

    async def load(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        found = await self.driver.execute_fetchall(
            f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions WHERE key IN "
            f"{_in_keys(len(keys))}", list(keys))
        from_db = self.batch.from_db
        rows = [dict(zip(SESSION_COLUMNS, row, strict=True)) for row in found]
        if from_db:
            for row in rows:
                row["updated_at"] = from_db(row["updated_at"])
        return rows
