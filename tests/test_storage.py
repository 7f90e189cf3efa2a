"""Sessions and de-duplication on a real database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import database_url as normalize_url
from bot.storage.db import create_engine
from bot.storage.migrate import upgrade
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
        assert not (await store.claim("sms", "SM123")).new
    finally:
        await store.engine.dispose()


async def test_an_answer_is_kept_once_and_every_attempt_gets_it(database_url):
    """Twenty attempts at one message id, each with its own answer and session: one wins,
    all twenty send the winner's answer, and only the winner's session is saved."""
    store = await _store(database_url)
    try:
        attempts = await asyncio.gather(*(
            store.keep_answer(Session(key="p", page=i), f"<answer {i}>", "sms", "SM123")
            for i in range(20)))
        assert sum(a.new for a in attempts) == 1
        winner = next(i for i, a in enumerate(attempts) if a.new)
        assert {a.response for a in attempts} == {f"<answer {winner}>"}
        assert (await store.load("p")).page == winner
        later = await store.keep_answer(Session(key="p", page=99), "<late>", "sms", "SM123")
        assert (later.new, later.response) == (False, f"<answer {winner}>")
        assert (await store.load("p")).page == winner
        again = await store.claim("sms", "SM123")
        assert not again.new and again.response == f"<answer {winner}>"
    finally:
        await store.engine.dispose()


@pytest.mark.parametrize("through_driver", [None, False])
async def test_a_pending_reply_goes_to_every_retry_until_it_is_marked_sent(database_url,
                                                                          through_driver):
    """A Telegram reply is kept before it is sent: retries learn it is still pending (and
    get it to send), the session is saved once, and once marked sent retries send nothing."""
    store = Store(create_engine(database_url), through_driver=through_driver)
    try:
        first = await store.keep_answer(Session(key="t", page=1), "<reply>", "telegram",
                                        "42:7", pending=True)
        assert (first.new, first.pending, first.response) == (True, True, "<reply>")
        retries = await asyncio.gather(*(
            store.keep_answer(Session(key="t", page=2), "<other>", "telegram", "42:7",
                              pending=True) for _ in range(3)))
        assert {(r.new, r.pending, r.response) for r in retries} == {(False, True, "<reply>")}
        assert (await store.load("t")).page == 1
        await store.mark_sent("telegram", "42:7")
        late = await store.keep_answer(Session(key="t", page=3), "<late>", "telegram", "42:7",
                                       pending=True)
        assert (late.new, late.pending, late.response) == (False, False, "<reply>")
        sms = await store.keep_answer(Session(key="s"), "<twiml>", "sms", "42:7")
        assert sms.new and not sms.pending  # another channel's id space; SMS is never pending
        assert not (await store.claim("sms", "42:7")).pending
        assert (await store.load("t")).page == 1
    finally:
        await store.engine.dispose()


def test_claims_made_before_migration_0004_are_not_pending(tmp_path):
    """Telegram claims of the old code were taken as the update was answered: after the
    upgrade a redelivery of one is treated as answered, not answered again."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0003_stats_access")
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        db.execute("INSERT INTO processed_messages (channel, message_id, response, created_at) "
                   "VALUES ('telegram', '42:8', NULL, '2026-12-01 10:00:00.000000')")
    upgrade(url)

    async def claim() -> tuple[bool, bool, str | None]:
        store = await _store(url)
        try:
            kept = await store.keep_answer(Session(key="u"), "<reply>", "telegram", "42:8",
                                           pending=True)
            return kept.new, kept.pending, kept.response
        finally:
            await store.engine.dispose()

    assert asyncio.run(claim()) == (False, False, None)


async def test_the_cache_returns_what_a_load_would(database_url):
    """Every field of a session, as the cache keeps it after a save and as a load reads it
    back, is the same (a new field must be stored, or declared not stored)."""
    store = await _store(database_url)
    when = datetime(2026, 11, 28, 9, 0, 1, 234567, tzinfo=UTC)
    values = {"language": "ky", "position": "topic:" + "p" * 130, "page": 1,
              "shown": ("permits.patent", "nav:back"), "history": ("root",), "latin": True,
              "last_topic": "permits.patent", "window_start": when, "window_count": 4,
              "updated_at": when}
    assert set(values) | {"key", "forget"} == {f.name for f in fields(Session)}
    try:
        assert store.cached("q") is None
        await store.keep_answer(Session(key="q", **values), "<answer>", "sms", "SMq")
        cached = store.cached("q")
        loaded = await Store(store.engine).load("q")  # another store: no cache of its own
        if store.engine.dialect.name == "sqlite":
            assert cached is not None and cached[0] == loaded
            assert loaded.history == () and len(loaded.position) == 120  # as stored
        else:  # several processes share PostgreSQL: nothing is trusted from memory
            assert cached is None
        await store.delete("q")
        assert store.cached("q") is None
    finally:
        await store.engine.dispose()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    """A SQLite database even when the run's database is PostgreSQL: the cache is SQLite's."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    return url


async def test_an_answer_from_a_stale_cache_is_refused(sqlite_file):
    """Another process writes to the same SQLite file: an answer computed from what this
    process cached before is not kept, and the cache starts again from the database."""
    url = sqlite_file
    mine, theirs = await _store(url), await _store(url)
    try:
        await mine.keep_answer(Session(key="r", position="root"), "<menu>", "sms", "SM1")
        cached = mine.cached("r")
        assert cached is not None and cached[0].position == "root"
        await theirs.save(Session(key="r", position="module:rights"))
        session, epoch = cached
        kept = await mine.keep_answer(session.evolve(position="module:permits"), "<permits>",
                                      "sms", "SM2", epoch)
        assert kept.stale and not kept.new
        assert (await theirs.load("r")).position == "module:rights"
        assert mine.cached("r") is None
        fresh = await mine.load("r")
        assert fresh.position == "module:rights"
        cached = mine.cached("r")
        assert cached is not None and cached[1] != epoch
        again = await mine.keep_answer(fresh.evolve(position="module:permits"), "<permits>",
                                       "sms", "SM2", cached[1])
        assert again.new and (await theirs.load("r")).position == "module:permits"
    finally:
        await mine.engine.dispose()
        await theirs.engine.dispose()


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


def _count_transactions(store: Store) -> list[int]:
    """How many transactions the store runs: each takes the connection from SQLAlchemy's
    pool (its own event, no patching), whether it goes through Core or the driver."""
    begun = [0]

    def on_connect(_conn: object) -> None:
        begun[0] += 1

    event.listen(store.engine.sync_engine, "engine_connect", on_connect)
    return begun


async def test_many_concurrent_messages_share_few_transactions(database_url):
    """Group commit: 100 people's load and answer (claim, kept answer, save) go through in
    a handful of transactions, and each gets exactly its own result."""
    store = await _store(database_url)
    begun = _count_transactions(store)
    try:
        async def one_message(i: int) -> tuple[bool, Session]:
            session = await store.load(f"person-{i}")
            kept = await store.keep_answer(session.evolve(language="ky", page=i),
                                           f"<answer {i}>", "sms", f"SM{i:04d}")
            return kept.new, session

        results = await asyncio.gather(*(one_message(i) for i in range(100)))
        assert all(new for new, _ in results)
        assert [s.key for _, s in results] == [f"person-{i}" for i in range(100)]
        assert 1 <= begun[0] <= 10, f"{begun[0]} transactions for 200 operations"
        for i in (0, 57, 99):
            assert (await store.load(f"person-{i}")).page == i
            assert (await store.claim("sms", f"SM{i:04d}")).response == f"<answer {i}>"
    finally:
        await store.engine.dispose()


async def test_a_load_queued_beside_a_save_sees_the_save(database_url):
    store = await _store(database_url)
    try:
        _, loaded = await asyncio.gather(
            store.save(Session(key="same", language="tg", position="module:rights")),
            store.load("same"))
        assert (loaded.language, loaded.position) == ("tg", "module:rights")
    finally:
        await store.engine.dispose()


async def test_one_broken_session_does_not_lose_the_others(database_url):
    """A session that cannot be written fails alone: the messages batched with it are kept."""
    store = await _store(database_url)
    try:
        broken = Session(key="broken", shown=(object(),))  # type: ignore[arg-type]  # not JSON
        results = await asyncio.gather(
            *(store.save(Session(key=f"fine-{i}", language="uz")) for i in range(5)),
            store.save(broken), store.claim("sms", "SM-beside"),
            return_exceptions=True)
        assert isinstance(results[5], TypeError)
        assert results[:5] == [None] * 5 and results[6].new
        assert await store.count_sessions() == 5
        assert (await store.load("fine-3")).language == "uz"
    finally:
        await store.engine.dispose()


async def test_a_cancelled_caller_does_not_stop_the_others(database_url):
    store = await _store(database_url)
    try:
        doomed = asyncio.create_task(store.save(Session(key="gone-away", language="ru")))
        others = [asyncio.create_task(store.save(Session(key=f"k{i}"))) for i in range(3)]
        await asyncio.sleep(0)
        doomed.cancel()
        await asyncio.gather(*others)
        assert (await store.load("k2")).key == "k2"
        assert await store.count_sessions() >= 3
    finally:
        await store.engine.dispose()


async def test_a_dead_sqlite_connection_is_a_database_error_and_is_replaced(sqlite_file):
    """The driver's connection dies under the store: that message meets a database error
    (which the service answers statelessly), and the next one gets a new connection."""
    store = await _store(sqlite_file)
    try:
        await store.save(Session(key="s", language="ru"))
        async with store.engine.connect() as conn:
            await (await conn.get_raw_connection()).driver_connection.close()
        with pytest.raises(DBAPIError) as failed:
            await store.save(Session(key="s", language="ky"))
        assert failed.value.connection_invalidated
        await store.save(Session(key="s", language="tg"))
        assert (await store.load("s")).language == "tg"
    finally:
        await store.engine.dispose()


@pytest.fixture
def two_sqlite_files(tmp_path: Path) -> list[str]:
    urls = [f"sqlite+aiosqlite:///{tmp_path / name}.sqlite3" for name in ("one", "two")]
    for url in urls:
        upgrade(url)
    return urls


async def test_sqlite_through_the_driver_stores_what_core_stores(two_sqlite_files):
    """The SQLite hot path writes its own SQL: the same operations through it and through
    SQLAlchemy Core leave the same rows, read back the same by either."""
    urls = two_sqlite_files
    stores = [Store(create_engine(urls[0])), Store(create_engine(urls[1]), through_driver=False)]
    when = datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=UTC)
    try:
        seen = []
        for store in stores:
            await asyncio.gather(
                store.keep_answer(Session(key="a", language="uz", position="topic:help.hotlines",
                                          page=2, shown=("x.y",), latin=True,
                                          window_start=when, window_count=3, updated_at=when),
                                  "<answer a>", "sms", "SM-a"),
                store.keep_answer(Session(key="b", updated_at=when), "<answer b>", "sms", None),
                store.save(Session(key="c", language="ky", updated_at=when)),
                store.claim("telegram", "7"))
            await store.delete("c")
            retry = await store.keep_answer(Session(key="a"), "<other>", "sms", "SM-a")
            gone = await store.load("c")  # a fresh session, made now
            seen.append((retry, await store.load("a"), await store.load("b"),
                         (gone.language, gone.position), await store.count_sessions(),
                         await store.claim("telegram", "7")))
        assert seen[0] == seen[1]
        retry, a, b, c, count, claim = seen[0]
        assert (retry.new, retry.response) == (False, "<answer a>")
        assert (a.language, a.page, a.latin, a.window_start, a.updated_at) == \
            ("uz", 2, True, when, when)
        assert b.updated_at == when and c == (None, "root") and count == 2 and not claim.new
        # Each reads what the other wrote.
        for store, url in zip(stores, reversed(urls), strict=True):
            other = Store(create_engine(url), through_driver=store is stores[1])
            try:
                assert await other.load("a") == a
            finally:
                await other.engine.dispose()
    finally:
        for store in stores:
            await store.engine.dispose()


async def test_a_sqlite_engine_made_elsewhere_is_a_clear_error(sqlite_file):
    """The batch thread needs sqlite3's own connection, which only engines from
    ``bot.storage.db.create_engine`` make findable: any other says so, plainly."""
    store = Store(create_async_engine(sqlite_file))
    try:
        with pytest.raises(RuntimeError, match="create_engine"):
            await store.save(Session(key="x"))
    finally:
        await store.engine.dispose()
