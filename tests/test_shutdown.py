"""SIGTERM (what the platform sends on a deploy) lets the answers in flight finish.

A real ``python -m bot serve`` talks to a loopback Bot API that runs in a thread of the
test, so the test can hold a reply half-way (``sendMessage`` in progress), send SIGTERM,
and see the reply arrive, the webhook answer 200, statistics written, and exit code 0.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import threading
import urllib.request
from typing import Any

import pytest

from tests.fake_bot_api import FakeBotApi, UpdateFactory
from tests.servers import bot_api_in_a_thread, serve

SECRET = "shutdown-Secret_0123456789"
CHAT = 77001234


class SlowBotApi(FakeBotApi):
    """``sendMessage`` says it has begun, then takes ``slow`` seconds to answer."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()
        self.slow = 0.0

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        self.sending.set()
        await asyncio.sleep(self.slow)
        return await super()._sendMessage(params)


def post_update(base: str, update: dict[str, Any], outcome: dict[str, Any]) -> None:
    request = urllib.request.Request(
        base + "/telegram/webhook", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "X-Telegram-Bot-Api-Secret-Token": SECRET})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            outcome["status"] = response.status
    except Exception as exc:  # recorded for the assertion message
        outcome["error"] = repr(exc)


@pytest.mark.slow
def test_sigterm_finishes_the_reply_in_flight_then_exits_cleanly(tmp_path):
    database = tmp_path / "bot.sqlite3"
    with bot_api_in_a_thread(SlowBotApi()) as api:
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "SECRET_KEY": "drain-test",
               "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_WEBHOOK_SECRET": SECRET,
               "TELEGRAM_API_BASE_URL": api.base_url, "PUBLIC_URL": "",
               "TWILIO_AUTH_TOKEN": "", "ADMIN_TOKEN": "",
               "STATS_FLUSH_SECONDS": "3600"}  # only the shutdown can write the event
        with serve(env, tmp_path / "data", tmp_path / "serve.log") as (base, process):
            api.slow = 1.5
            updates = UpdateFactory()
            update = updates.message(CHAT, "/start", user=updates.user(CHAT, "tg"))
            outcome: dict[str, Any] = {}
            poster = threading.Thread(target=post_update, args=(base, update, outcome))
            poster.start()
            assert api.sending.wait(timeout=20), "the reply never started"
            assert api.calls_to("sendMessage") == []  # still in flight
            process.send_signal(signal.SIGTERM)
            poster.join(timeout=30)
            assert outcome == {"status": 200}
            assert process.wait(timeout=30) == 0
        sent = api.calls_to("sendMessage")
        assert len(sent) == 1 and sent[0].params["chat_id"] == CHAT
        assert sent[0].error_code is None

    with sqlite3.connect(database) as db:
        events = db.execute("SELECT channel FROM stats_events").fetchall()
    assert events == [("telegram",)]  # the answer that finished during shutdown is counted
    log = (tmp_path / "serve.log").read_text()
    assert "wrote 1 events at shutdown" in log
    assert str(CHAT) not in log
