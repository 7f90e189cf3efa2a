"""Statistics survive a database outage across a restart: what cannot be written goes to a
journal on the local disk (``DATA_DIR/stats``), and the next process writes it.

The last tests run real ``python -m bot serve`` processes against PostgreSQL through a
TCP proxy on loopback that the test cuts, as a network outage would: SIGTERM during the
outage, or ``kill -9`` a few flush intervals into it, then a restart with the database back.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.stats.journal import Event, Journal
from bot.stats.models import StatsEvent, StatsVisitor
from bot.stats.recorder import Recorder
from bot.storage.db import create_engine
from bot.types import Incoming, Reply
from tests.servers import serve
from tests.test_stats_shutdown import counts, simulate

UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/none"  # nothing listens on port 9
PHONES = [f"+99277701{i:04d}" for i in range(8)]
NOW = datetime(2026, 11, 28, 15, 30, tzinfo=UTC)


def sender_key(phone: str) -> str:
    return f"key-of-{phone}"  # stands for the keyed hash of the phone number


def answer(recorder: Recorder, phone: str, topic: str = "scams.trafficking") -> None:
    recorder.record(Incoming(channel="sms", sender_key=sender_key(phone), text="my secret"),
                    Reply(language="tg", kind="topic", topic=topic))


async def stored(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            events = (await conn.execute(select(func.count()).select_from(StatsEvent))).scalar()
            people = (await conn.execute(select(func.count()).select_from(StatsVisitor))).scalar()
    finally:
        await engine.dispose()
    return int(events or 0), int(people or 0)


def journal_text(directory: Path) -> str:
    return "".join(p.read_text() for p in sorted(directory.glob("journal-*.jsonl")))


async def test_an_outage_then_a_shutdown_keeps_the_events_for_the_next_start(database_url,
                                                                             tmp_path):
    directory = tmp_path / "stats"
    engine, broken = create_engine(database_url), create_engine(UNREACHABLE)
    recorder = Recorder(engine, journal=Journal(directory), clock=lambda: NOW)
    recorder.start()
    answer(recorder, PHONES[0])
    assert await recorder.flush() == 1  # the database up: written (and the day's salt known)
    recorder.engine = broken  # the outage
    for phone in PHONES:
        answer(recorder, phone)
    await recorder.stop()  # SIGTERM: the last flush fails, the journal keeps the events
    await broken.dispose()
    text = journal_text(directory)
    assert text.count('"e"') == len(PHONES) and text.count('"v"') == len(PHONES)
    for phone in PHONES:  # no number, no sender key, no message text on the disk
        assert phone not in text and phone.lstrip("+") not in text
        assert sender_key(phone) not in text
    assert "my secret" not in text
    assert await stored(database_url) == (1, 1)

    restarted = Recorder(engine, journal=Journal(directory), clock=lambda: NOW)
    restarted.start()
    assert restarted.pending == len(PHONES)
    await restarted.stop()
    assert await stored(database_url) == (1 + len(PHONES), len(PHONES))  # PHONES[0] once
    assert list(directory.glob("journal-*")) == []  # written, then deleted
    await engine.dispose()


async def test_each_failed_flush_appends_only_what_the_journal_lacks(tmp_path):
    broken = create_engine(UNREACHABLE)
    directory = tmp_path / "stats"
    recorder = Recorder(broken, journal=Journal(directory), clock=lambda: NOW)
    for round_size in (3, 2, 0, 4):
        for i in range(round_size):
            answer(recorder, f"+99200000{i}")
        with contextlib.suppress(Exception):
            await recorder.flush()
    assert journal_text(directory).count('"e"') == 9  # 3 + 2 + 4, none twice
    assert recorder.pending == 9
    recorder.journal.release()  # type: ignore[union-attr]
    await broken.dispose()


async def test_a_running_process_keeps_its_journal_and_a_torn_line_is_skipped(tmp_path):
    directory = tmp_path / "stats"
    broken = create_engine(UNREACHABLE)
    running = Recorder(broken, journal=Journal(directory), clock=lambda: NOW)
    answer(running, PHONES[0])
    with contextlib.suppress(Exception):
        await running.flush()
    # A process starting beside the running one does not take its events (it holds the
    # lock): they would be written twice.
    beside = Journal(directory).take_over()
    assert beside.files == 0 and beside.events == []
    # A file left by a process killed in the middle of a line: the whole lines count.
    left = directory / "journal-killed.jsonl"
    left.write_text('{"e": ["2026-11-28", 15, "sms", "ky", "help.hotlines", "topic"]}\n'
                    '{"e": ["2026-11-28", 15, "sm')
    found = Journal(directory).take_over()
    assert found.files == 1 and len(found.events) == 1
    assert found.events[0].day == date(2026, 11, 28) and found.events[0].topic == "help.hotlines"
    running.journal.release()  # type: ignore[union-attr]
    await broken.dispose()


# -- real processes -------------------------------------------------------------------------
class Proxy:
    """A TCP forwarder on loopback that can be cut and restored, like a network."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.restore()

    def _call(self, coroutine) -> object:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    def restore(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@contextlib.contextmanager
def proxied(url: str) -> Iterator[tuple[str, Proxy]]:
    parsed = make_url(url)
    proxy = Proxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    try:
        yield parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False), proxy
    finally:
        proxy.close()


def _env(url: str, flush: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "SECRET_KEY": "journal-test", "STATS_FLUSH_SECONDS": flush,
            "ADMIN_TOKEN": "", "TELEGRAM_BOT_TOKEN": "", "TWILIO_AUTH_TOKEN": ""}


USERS = [f"+99655577{i:04d}" for i in range(10)]


@pytest.mark.slow
@pytest.mark.db
def test_sigterm_during_an_outage_then_a_restart_loses_nothing(postgres_url, tmp_path):
    url = postgres_url
    asyncio.run(_truncate_events(url))
    data, log = tmp_path / "data", tmp_path / "serve.log"
    with proxied(url) as (via_proxy, proxy):
        with serve(_env(via_proxy, "3600"), data, log) as (base, process):
            proxy.cut()  # the database unreachable from here on
            for user in USERS:  # still answered, from content alone
                assert simulate(base, user, "/start", "ru")["kind"] == "menu"
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        assert counts(url) == (0, 0)
        assert "they are in the journal for the next start" in log.read_text()
        assert list((data / "stats").glob("journal-*.jsonl"))
        proxy.restore()
        with serve(_env(via_proxy, "3600"), data, log) as (_base, process):
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
    assert counts(url)[0] == len(USERS)
    assert list((data / "stats").glob("journal-*.jsonl")) == []
    for user in USERS:
        assert user not in log.read_text()


@pytest.mark.slow
@pytest.mark.db
def test_kill_9_during_an_outage_loses_at_most_the_last_flush_interval(postgres_url,
                                                                        tmp_path):
    url = postgres_url
    asyncio.run(_truncate_events(url))
    data, log = tmp_path / "data", tmp_path / "serve.log"
    with proxied(url) as (via_proxy, proxy):
        with serve(_env(via_proxy, "0.5"), data, log) as (base, process):
            proxy.cut()
            for user in USERS:
                assert simulate(base, user, "/start", "ky")["kind"] == "menu"
            time.sleep(2.0)  # a few flush intervals: each failed flush journals what is new
            process.kill()
            process.wait(timeout=10)
        proxy.restore()
        with serve(_env(via_proxy, "0.5"), data, log) as (_base, process):
            deadline = time.monotonic() + 20
            while counts(url)[0] < len(USERS) and time.monotonic() < deadline:
                time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
    assert counts(url)[0] == len(USERS)


async def _truncate_events(url: str) -> None:
    from sqlalchemy import text
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE stats_events, stats_visitors, stats_salts"))
    finally:
        await engine.dispose()


def test_a_write_cut_short_by_a_full_disk_is_taken_back(tmp_path):
    """A part of a batch left in the file would be written again with the whole batch at
    the next try, and counted twice. The file-size limit stands in for a full disk."""
    resource = pytest.importorskip("resource")
    journal = Journal(tmp_path / "stats")
    one = Event(date(2026, 11, 28), 15, "sms", "tg", "scams.trafficking", "topic")
    journal.append([one], [])
    path = next((tmp_path / "stats").glob("journal-*.jsonl"))
    before = path.read_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 300, hard))
        with pytest.raises(OSError):
            journal.append([one] * 50, [])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert path.read_bytes() == before
    journal.append([one], [])  # the disk has room again
    assert path.read_bytes().count(b"\n") == 2
    journal.release()
