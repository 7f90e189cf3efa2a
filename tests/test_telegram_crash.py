"""A Telegram reply survives ``kill -9`` between the answer and the send, and goes out once.

A real ``python -m bot serve`` talks to a loopback Bot API running in a thread of the test.
The API holds the bot's ``sendMessage`` (it never reaches the person); the test kills the
service with SIGKILL while it waits, starts a new one on the same database and delivers
the update again, as Telegram does when its webhook call got no answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.fake_bot_api import FakeBotApi, UpdateFactory
from tests.servers import bot_api_in_a_thread, serve

SECRET = "crash-Secret_0123456789"
CHAT = 66012345


class HoldingBotApi(FakeBotApi):
    """While ``hold`` is set, ``sendMessage`` is taken in and never answered: the message
    is not delivered (not recorded) until the test lets go, and then it fails."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = False
        self.holding = threading.Event()
        self.held: list[dict[str, Any]] = []
        self._let_go: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        if not self.hold:
            return await super()._sendMessage(params)
        self.held.append(params)
        self._let_go, self._loop = asyncio.Event(), asyncio.get_running_loop()
        self.holding.set()
        await self._let_go.wait()
        raise web.HTTPServiceUnavailable()  # nobody is listening any more

    def let_go(self) -> None:
        if self._let_go is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._let_go.set)


def post(base: str, update: dict[str, Any], timeout: float = 30) -> int:
    request = urllib.request.Request(
        base + "/telegram/webhook", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "X-Telegram-Bot-Api-Secret-Token": SECRET})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def post_unanswered(base: str, update: dict[str, Any]) -> None:
    """The delivery whose service is killed: it never gets an answer."""
    with contextlib.suppress(OSError):  # the connection dies with the process
        post(base, update, timeout=60)


def rows(database: Path) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    with sqlite3.connect(database) as db:
        sessions = [(position, json.loads(state)) for position, state in
                    db.execute("SELECT position, state FROM sessions").fetchall()]
        events = db.execute(
            "SELECT count(*) FROM stats_events WHERE channel = 'telegram'").fetchone()[0]
    return sessions, int(events)


def wait_until(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_between_the_answer_and_the_send_loses_no_reply_and_moves_nothing_twice(
        tmp_path):
    database = tmp_path / "bot.sqlite3"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "SECRET_KEY": "crash-test",
           "PUBLIC_URL": "", "TWILIO_AUTH_TOKEN": "", "ADMIN_TOKEN": "",
           "TELEGRAM_WEBHOOK_SECRET": SECRET, "STATS_FLUSH_SECONDS": "0.2"}
    updates = UpdateFactory()
    user = updates.user(CHAT, "ru")
    with bot_api_in_a_thread(HoldingBotApi()) as api:
        env |= {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url}
        question = updates.message(CHAT, "как получить патент", user=user)
        with serve(env, tmp_path / "a", tmp_path / "a.log") as (base, process):
            assert post(base, updates.message(CHAT, "/start", user=user)) == 200
            api.hold = True
            poster = threading.Thread(target=post_unanswered, args=(base, question),
                                      daemon=True)
            poster.start()
            assert api.holding.wait(timeout=20), "the reply was never sent"
            # Both answers are counted and written before the crash (flushed every 0.2 s).
            wait_until(lambda: rows(database)[1] == 2)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        api.let_go()
        api.hold = False
        [held] = api.held
        sent_before = len(api.calls_to("sendMessage"))
        sessions_before, _ = rows(database)

        with serve(env, tmp_path / "b", tmp_path / "b.log") as (base, _process):
            assert post(base, question) == 200  # Telegram's redelivery
            assert post(base, question) == 200  # and another one: nothing more is sent
        sent = api.calls_to("sendMessage")[sent_before:]

    assert len(sent) == 1, "the reply was lost or sent twice"
    assert sent[0].params["chat_id"] == CHAT and sent[0].error_code is None
    assert sent[0].params["text"] == held["text"]  # the reply worked out before the crash
    sessions, events = rows(database)
    assert sessions == sessions_before  # the redelivery moved nothing
    [(_, state)] = sessions
    assert state["window_count"] == 2  # /start and the question: each counted once
    assert events == 2, "the redelivered update was counted again"
    for log in ("a.log", "b.log"):
        assert str(CHAT) not in (tmp_path / log).read_text()
