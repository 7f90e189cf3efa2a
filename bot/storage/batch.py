"""How one group-commit batch reaches the database: the same five steps in two ways.

``store.py`` decides what a batch does (which answers stand, who owns a message id, what
is written), as plain synchronous code over a :class:`Statements`; a batch class runs
that code in one transaction:

- :class:`CoreBatch`: SQLAlchemy Core on the ``AsyncConnection``'s synchronous face
  (``run_sync``) — PostgreSQL through asyncpg;
- :class:`SQLiteBatch`: SQL text on sqlite3's own connection, the whole transaction in
  one trip to a thread of the store's.

Why SQLite gets its own: through SQLAlchemy's asyncio adapter each statement was four
trips to aiosqlite's thread (cursor, execute, fetch, close), each trip a wait for the
event loop to come round again. Under load the loop is busy with other requests, so a
batch of six statements took 4–13 ms while the messages in it, and those queued behind
it, waited (``bench/README.md``). The connection is still the one SQLAlchemy's pool
hands out (one per process, see ``db.py``): while the store holds it from the pool, the
batch thread uses it, and nothing else can.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.models import ProcessedMessage, SessionRow

Key = tuple[str, str]  # (channel, message id)
T = TypeVar("T")

SESSIONS = SessionRow.__table__
PROCESSED = ProcessedMessage.__table__
SESSION_COLUMNS = tuple(c.name for c in SESSIONS.columns)


@dataclass
class Claim:
    """The outcome of claiming a message id: new, or seen before (with its answer)."""

    new: bool
    response: str | None = None
    #: The answer is worked out but not yet known to have reached the person (a Telegram
    #: reply before the Bot API accepted it): a redelivery sends it.
    pending: bool = False


#: What a claim keeps: the answer for retries, and whether it still has to go out.
Kept = tuple[str | None, bool]


class Statements(Protocol):
    """The steps of a batch, in one transaction."""

    def data_version(self) -> int:
        """SQLite's count of other connections' commits (see cache.py)."""

    def claim(self, claims: Mapping[Key, Kept], now: datetime) -> dict[Key, Claim]:
        """Insert the ids that are new, each with its answer; the others get theirs."""

    def mark_sent(self, keys: Sequence[Key]) -> None:
        """The answers kept for these ids have gone out: a redelivery sends nothing."""

    def delete(self, keys: Sequence[str]) -> None: ...

    def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None: ...

    def load(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        """The stored columns of those sessions that exist."""


#: What a batch does, given its statements (run inside the transaction).
Work = Callable[[Statements], T]


def _outcomes(claims: Mapping[Key, Kept], inserted: Iterable[Key],
              earlier: Iterable[tuple[str, str, str | None, Any]]) -> dict[Key, Claim]:
    result = {key: Claim(True, *claims[key]) for key in inserted}
    result.update({(c, m): Claim(False, response, bool(pending))
                   for c, m, response, pending in earlier})
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
        ids = tuple_(PROCESSED.c.channel, PROCESSED.c.message_id).in_(
            bindparam("ids", expanding=True))
        self.answers = select(PROCESSED.c.channel, PROCESSED.c.message_id,
                              PROCESSED.c.response, PROCESSED.c.pending).where(ids)
        self.sent = update(PROCESSED).where(ids).values(pending=False)

    async def run(self, work: Work[T]) -> T:
        async with self.engine.begin() as conn:
            return await conn.run_sync(lambda sync: work(_CoreStatements(self, sync)))


@dataclass
class _CoreStatements:
    batch: CoreBatch
    conn: Connection

    def data_version(self) -> int:
        return int(self.conn.exec_driver_sql("PRAGMA data_version").scalar_one())

    def claim(self, claims: Mapping[Key, Kept], now: datetime) -> dict[Key, Claim]:
        ids = sorted(claims)
        inserted = self.conn.execute(self.batch.claim, [
            {"channel": c, "message_id": m, "response": claims[(c, m)][0],
             "pending": claims[(c, m)][1], "created_at": now}
            for c, m in ids])
        new = {(row.channel, row.message_id) for row in inserted}
        earlier = [key for key in ids if key not in new]
        rows = self.conn.execute(self.batch.answers, {"ids": earlier}).all() if earlier else []
        return _outcomes(claims, new, rows)  # type: ignore[arg-type]

    def mark_sent(self, keys: Sequence[Key]) -> None:
        self.conn.execute(self.batch.sent, {"ids": sorted(keys)})

    def delete(self, keys: Sequence[str]) -> None:
        self.conn.execute(self.batch.delete_many, {"keys": list(keys)})

    def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.conn.execute(self.batch.upsert, list(rows))

    def load(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        return [row._mapping for row in self.conn.execute(self.batch.load_many,
                                                          {"keys": list(keys)})]


# -- SQLite through aiosqlite ---------------------------------------------------------------
def _marks(rows: int, width: int) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return ", ".join([row] * rows)


@lru_cache(maxsize=256)
def _claim_sql(rows: int) -> str:
    return ("INSERT INTO processed_messages (channel, message_id, response, pending, "
            f"created_at) VALUES {_marks(rows, 5)} ON CONFLICT (channel, message_id) DO NOTHING "
            "RETURNING channel, message_id")


@lru_cache(maxsize=256)
def _answers_sql(rows: int) -> str:
    return ("SELECT channel, message_id, response, pending FROM processed_messages "
            f"WHERE (channel, message_id) IN (VALUES {_marks(rows, 2)})")


@lru_cache(maxsize=256)
def _sent_sql(rows: int) -> str:
    return ("UPDATE processed_messages SET pending = 0 "
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
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-batch")
        self._own: weakref.WeakKeyDictionary[Any, sqlite3.Connection] = \
            weakref.WeakKeyDictionary()

    async def run(self, work: Work[T]) -> T:
        async with self.engine.connect() as conn:
            try:
                connection = await self._connection(conn)
                done = asyncio.get_running_loop().run_in_executor(
                    self._thread, _transaction, connection, work, self)
                try:
                    return await asyncio.shield(done)
                except asyncio.CancelledError:
                    # The batch thread must let go of the connection before the pool
                    # hands it to anyone else.
                    await asyncio.wait({done})
                    raise
            except sqlite3.Error as exc:
                gone = self.engine.dialect.is_disconnect(exc, None, None)
                if gone:
                    await conn.invalidate()
                raise DBAPIError.instance(None, None, exc, sqlite3.Error,
                                          connection_invalidated=gone) from exc

    async def _connection(self, conn: AsyncConnection) -> sqlite3.Connection:
        """The sqlite3 connection under the pooled aiosqlite one (looked up once)."""
        driver = (await conn.get_raw_connection()).driver_connection
        known = self._own.get(driver)
        if known is not None:
            return known
        try:
            [(token,)] = await driver.execute_fetchall(f"SELECT {KnownConnection.FUNCTION}()")
        except ValueError as exc:  # aiosqlite's word for a closed connection
            raise sqlite3.OperationalError(f"connection closed ({exc})") from exc
        except sqlite3.OperationalError as exc:
            if KnownConnection.FUNCTION not in str(exc):
                raise
            raise RuntimeError("a SQLite engine for the store must come from "
                               "bot.storage.db.create_engine (KnownConnection)") from exc
        self._own[driver] = known = KnownConnection.by_token[token]
        return known


def _transaction(connection: sqlite3.Connection, work: Work[T], batch: SQLiteBatch) -> T:
    """In the batch thread: BEGIN IMMEDIATE, the work, COMMIT — or ROLLBACK."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work(_SQLiteStatements(batch, connection))
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


class KnownConnection(sqlite3.Connection):
    """sqlite3's connection, findable from aiosqlite's wrapper of it.

    aiosqlite keeps its sqlite3 connection to itself; the batch thread needs it. Made
    through this class (``factory``, see ``db.py``), each connection answers
    ``SELECT bot_connection()`` with a token of its own, and the token leads here.
    """

    FUNCTION: ClassVar[str] = "bot_connection"
    by_token: ClassVar[weakref.WeakValueDictionary[int, KnownConnection]] = \
        weakref.WeakValueDictionary()
    _tokens: ClassVar[itertools.count[int]] = itertools.count(1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        token = next(self._tokens)
        KnownConnection.by_token[token] = self
        self.create_function(self.FUNCTION, 0, lambda: token, deterministic=True)


@dataclass
class _SQLiteStatements:
    batch: SQLiteBatch
    connection: sqlite3.Connection

    def _all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return self.connection.execute(sql, params).fetchall()

    def data_version(self) -> int:
        [(version,)] = self._all("PRAGMA data_version", ())
        return int(version)

    def claim(self, claims: Mapping[Key, Kept], now: datetime) -> dict[Key, Claim]:
        ids = sorted(claims)
        stamp = self.batch.to_db(now) if self.batch.to_db else now
        params = [value for c, m in ids for value in (c, m, *claims[(c, m)], stamp)]
        new = {(c, m) for c, m in self._all(_claim_sql(len(ids)), params)}
        earlier = [key for key in ids if key not in new]
        rows = self._all(_answers_sql(len(earlier)), [part for key in earlier for part in key]) \
            if earlier else []
        return _outcomes(claims, new, rows)

    def mark_sent(self, keys: Sequence[Key]) -> None:
        ids = sorted(keys)
        self.connection.execute(_sent_sql(len(ids)), [part for key in ids for part in key])

    def delete(self, keys: Sequence[str]) -> None:
        self.connection.execute(f"DELETE FROM sessions WHERE key IN {_in_keys(len(keys))}",
                                list(keys))

    def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        to_db = self.batch.to_db
        self.connection.executemany(_UPSERT_SQL, [
            [to_db(row[name]) if name == "updated_at" and to_db else row[name]
             for name in SESSION_COLUMNS] for row in rows])

    def load(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        found = self._all(f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions WHERE key IN "
                          f"{_in_keys(len(keys))}", list(keys))
        from_db = self.batch.from_db
        rows = [dict(zip(SESSION_COLUMNS, row, strict=True)) for row in found]
        if from_db:
            for row in rows:
                row["updated_at"] = from_db(row["updated_at"])
        return rows
