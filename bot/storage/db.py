"""Database engines: SQLite (aiosqlite) for one machine, PostgreSQL (asyncpg) for many."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.storage.batch import KnownConnection


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE: concurrent writers wait instead of failing."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" listener own transactions
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    if is_sqlite(url):
        # aiosqlite logs every statement with its parameters at DEBUG (pseudonyms, the day's
        # statistics salt): LOG_LEVEL=DEBUG must not copy them into the logs.
        driver_log = logging.getLogger("aiosqlite")
        driver_log.setLevel(max(driver_log.level, logging.INFO))
        database = make_url(url).database
        pool: dict[str, Any] = {}
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # One connection: SQLite lets one writer in at a time anyway (every transaction
            # here begins IMMEDIATE), and writers on several connections wait for each other
            # in SQLite's busy handler, which sleeps up to 100 ms a try — in the benchmark
            # that made p99 1.7 s at 32 connections. Queued in the pool, they take turns.
            pool = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 30}
        # KnownConnection and check_same_thread: the store's batch thread runs its
        # transactions on the pooled connection while it holds it (see batch.py).
        engine = create_async_engine(url, connect_args={
            "timeout": 15, "factory": KnownConnection, "check_same_thread": False}, **pool)
        _sqlite_pragmas(engine)
        return engine
    # Short timeouts: with the database gone, a message is answered from content alone
    # within seconds instead of waiting a minute for a connection.
    return create_async_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True,
                               pool_timeout=5,
                               connect_args={"timeout": 5, "command_timeout": 10})


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)
