"""The server itself: slow and greedy connections, the log under attack, start-up warnings.

Attackers connect from 127.0.0.2 (all of 127/8 is loopback on Linux), readers from
127.0.0.1, so that the per-client cap tells them apart as it would tell two machines.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import TrustedProxies
from bot.logs import RateLimit
from bot.web import server
from bot.web.app import STATIC, create_app
from tests.conftest import make_settings
from tests.servers import serve

ATTACKER = "127.0.0.2"
HALF_A_HEADER = b"POST /api/simulate HTTP/1.1\r\nHost: bot\r\nContent-"
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n"


async def connect(port: int, source: str = "127.0.0.1") -> tuple[Any, Any]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def status_of(reader: Any, writer: Any, request: bytes = HEALTHZ) -> int:
    writer.write(request)
    line = await asyncio.wait_for(reader.readline(), 5)
    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)  # the rest of the header
    return int(line.split()[1])


async def healthz_after(port: int) -> float:
    """Seconds a fresh reader waits for /healthz's 200."""
    began = time.monotonic()
    reader, writer = await connect(port)
    try:
        assert await status_of(reader, writer) == 200
    finally:
        writer.close()
    return time.monotonic() - began


@pytest.mark.slow
async def test_300_slow_connections_do_not_stop_healthz_and_the_log_stays_small(tmp_path):
    """The probe of issue 17 on a process limited to 256 file descriptors: 300 connections
    each send half a header and wait. Readers are still answered at once, and the log
    holds a few lines, not every failed accept() with its traceback."""
    log = tmp_path / "serve.log"
    with serve({"SECRET_KEY": "slow-test", "TELEGRAM_BOT_TOKEN": "", "TWILIO_AUTH_TOKEN": ""},
               tmp_path / "data", log) as (base, process):
        port = int(base.rsplit(":", 1)[1])
        resource.prlimit(process.pid, resource.RLIMIT_NOFILE, (256, 256))
        slow = []
        for _ in range(300):
            _, writer = await connect(port, ATTACKER)
            writer.write(HALF_A_HEADER)
            slow.append(writer)
        await asyncio.sleep(0.5)
        waits = []
        for _ in range(10):
            waits.append(await asyncio.wait_for(healthz_after(port), 5))
            await asyncio.sleep(0.3)
        for writer in slow:
            writer.close()
    assert max(waits) < 1.0, waits
    assert log.stat().st_size < 30_000, log.stat().st_size


@pytest.fixture
async def served(tmp_path, database_url) -> AsyncIterator[Any]:
    """The real app on a guarded site in this test's loop: ``await served(**settings)``."""
    runners = []

    async def start(**overrides: Any) -> int:
        settings = make_settings(tmp_path, database_url, **overrides)
        runner, site = await server.start(create_app(settings), settings, "127.0.0.1", 0)
        runners.append(runner)
        return site.port

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_a_half_sent_header_is_cut_off_but_an_idle_kept_alive_connection_is_not(served):
    port = await served(header_timeout_seconds=0.5)
    reader, writer = await connect(port, ATTACKER)
    writer.write(HALF_A_HEADER)
    kept_reader, kept_writer = await connect(port)
    assert await status_of(kept_reader, kept_writer) == 200
    await kept_reader.readuntil(b"}")  # the body
    began = time.monotonic()
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
    assert 0.3 < time.monotonic() - began < 2
    await asyncio.sleep(0.5)  # past the header timeout, idle: still open for the next one
    assert await status_of(kept_reader, kept_writer) == 200
    kept_writer.close()


async def test_the_simulator_page_goes_whole_through_the_guard(served):
    """The page is sent with sendfile(), which swaps the connection's protocol for a while:
    it must reach the reader whole through the guard's wrapper."""
    port = await served()
    reader, writer = await connect(port)
    writer.write(b"GET / HTTP/1.1\r\nHost: bot\r\nConnection: close\r\n\r\n")
    response = await asyncio.wait_for(reader.read(), 5)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert body == (STATIC / "index.html").read_bytes()


async def test_one_client_holds_at_most_its_share_of_connections(served):
    port = await served(connections_per_client=5)
    held = [await connect(port, ATTACKER) for _ in range(5)]
    for reader, writer in held[:1]:
        assert await status_of(reader, writer) == 200  # the five are served
    reader, writer = await connect(port, ATTACKER)
    assert await status_of(reader, writer) == 503  # the sixth is not
    assert await healthz_after(port) < 1.0  # another client is
    held[0][1].close()
    await asyncio.sleep(0.1)
    reader, writer = await connect(port, ATTACKER)
    assert await status_of(reader, writer) == 200  # a place came free
    for _, other in held[1:]:
        other.close()


async def test_a_trusted_proxy_is_not_capped(served):
    port = await served(connections_per_client=2,
                        forwarded_allow_ips=TrustedProxies.parse(ATTACKER))
    held = [await connect(port, ATTACKER) for _ in range(5)]
    for reader, writer in held:
        assert await status_of(reader, writer) == 200
        writer.close()


def test_a_flood_of_one_log_line_is_kept_to_a_trickle():
    now = [0.0]
    limit = RateLimit(burst=3, period=60, clock=lambda: now[0])

    def record(message: str, *args: object) -> logging.LogRecord:
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, args, None)

    passed = [limit.filter(record("socket.accept() out of system resource"))
              for _ in range(1000)]
    assert passed == [True] * 3 + [False] * 997
    assert limit.filter(record("another message %s", "here"))  # other kinds pass
    now[0] = 61.0
    later = record("socket.accept() out of system resource")
    assert limit.filter(later)
    assert later.getMessage() == ("socket.accept() out of system resource [and 997 more "
                                  "like this in the last 60 s, not logged]")


def test_serve_warns_when_twilio_is_configured_without_public_url(tmp_path):
    log = tmp_path / "serve.log"
    env = {"TWILIO_AUTH_TOKEN": "twilio-token-for-the-warning", "PUBLIC_URL": "",
           "TELEGRAM_BOT_TOKEN": ""}
    with serve(env, tmp_path / "data", log) as (base, _), \
            urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.status == 200
    text = log.read_text()
    assert "WARNING bot.cli.serve: TWILIO_AUTH_TOKEN is set without PUBLIC_URL" in text
    assert "twilio-token-for-the-warning" not in text
