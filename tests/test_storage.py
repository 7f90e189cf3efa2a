"""Sessions and de-duplication on a real database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.config import database_url as normalize_url
from bot.storage.db import create_engine
from bot.storage.store import Store
from bot.types import Session


async def _store(url: str) -> Store:
    return Store(create_engine(url))


async def test_session_round_trip(database_url):
    store = await _store(database_url)
    try:
        session = Session(key="a" * 64, language="tg", position="topic:help.embassy",
                          page=2, shown=("nav:back", "nav:menu"), latin=True,
                          last_topic="help.embassy")
        await store.save(session)
        loaded = await store.load("a" * 64)
        assert (loaded.language, loaded.position, loaded.page) == ("tg", "topic:help.embassy", 2)
        assert loaded.shown == ("nav:back", "nav:menu") and loaded.latin
        assert loaded.last_topic == "help.embassy"
        assert (await store.load("b" * 64)).language is None  # unknown key: a fresh session
    finally:
        await store.engine.dispose()


async def test_forget_deletes_the_session(database_url):
    store = await _store(database_url)
    try:
        await store.save(Session(key="c" * 64, language="ru"))
        await store.save(Session(key="c" * 64, language="ru", forget=True))
        assert await store.count_sessions() == 0
    finally:
        await store.engine.dispose()


async def test_idle_sessions_are_deleted_after_30_days(database_url):
    store = await _store(database_url)
    now = datetime.now(UTC)
    try:
        await store.save(Session(key="old", updated_at=now - timedelta(days=31)))
        await store.save(Session(key="new", updated_at=now - timedelta(days=29)))
        assert await store.purge_idle(30) == 1
        assert (await store.load("new")).updated_at is not None
        assert await store.count_sessions() == 1
    finally:
        await store.engine.dispose()


async def test_concurrent_claims_of_one_message_id_have_one_winner(database_url):
    store = await _store(database_url)
    try:
        claims = await asyncio.gather(*(store.claim("sms", "SM123") for _ in range(20)))
        assert sum(c.new for c in claims) == 1
        await store.remember_response("sms", "SM123", "<Response/>")
        again = await store.claim("sms", "SM123")
        assert not again.new and again.response == "<Response/>"
    finally:
        await store.engine.dispose()


async def test_concurrent_saves_do_not_fail(database_url):
    store = await _store(database_url)
    try:
        await asyncio.gather(*(store.save(Session(key=f"k{i % 5}", page=i)) for i in range(40)))
        assert await store.count_sessions() == 5
    finally:
        await store.engine.dispose()


def test_heroku_postgres_url_is_rewritten(tmp_path):
    url = normalize_url("postgres://u:p@host:5432/db?sslmode=require", tmp_path)
    assert url == "postgresql+asyncpg://u:p@host:5432/db?ssl=require"
    assert normalize_url(None, tmp_path).startswith("sqlite+aiosqlite:///")
