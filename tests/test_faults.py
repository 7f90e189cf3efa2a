"""Faults: the database goes away and comes back while the bot keeps answering.

A TCP proxy on loopback stands between the app and the machine's PostgreSQL; closing it
cuts every connection, as a database restart or a network fault would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import pytest
from sqlalchemy.engine import make_url

from bot.web.app import create_app
from tests.conftest import make_settings


class Proxy:
    """Forwards 127.0.0.1:<port> to a target; can refuse and cut connections."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.enabled = True
        self._writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.enabled:
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def cut(self) -> None:
        self.enabled = False
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def stop(self) -> None:
        self.cut()
        if self.server:
            self.server.close()


@pytest.mark.db
async def test_bot_answers_while_the_database_is_down_and_recovers(
    postgres_url, tmp_path, aiohttp_client, caplog
):
    url = make_url(postgres_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    port = await proxy.start()
    proxied = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    client = await aiohttp_client(create_app(make_settings(tmp_path, proxied)))

    async def say(text: str) -> dict:
        response = await client.post("/api/simulate", json={"user": "fault", "text": text})
        assert response.status == 200, await response.text()
        return await response.json()

    try:
        await say("/start")
        assert (await say("3"))["language"] == "tg"  # chosen and stored

        proxy.cut()
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="bot.service"):
            for _ in range(3):
                reply = await say("Срочно нужна помощь")
                assert reply["topic"] == "help.emergency"  # answered from content alone
            # A burst shares failing transactions: everyone is answered promptly, not one
            # connection timeout after another.
            started = time.monotonic()
            burst = await asyncio.gather(*(
                client.post("/api/simulate", json={"user": f"burst-{i}", "text": "патент"})
                for i in range(30)))
            assert [r.status for r in burst] == [200] * 30
            assert time.monotonic() - started < 20
        outage_logs = [r for r in caplog.records if "database unreachable" in r.getMessage()]
        assert len(outage_logs) == 1, "the fault is logged once, not once per message"

        proxy.enabled = True
        for _ in range(20):  # the pool notices the database is back on its own
            reply = await say("0")
            if reply["language"] == "tg":
                break
            await asyncio.sleep(0.2)
        assert reply["language"] == "tg", "the stored session is found again, no restart"
    finally:
        await proxy.stop()
