"""A real ``python -m bot serve``: SIGTERM writes every buffered statistics event."""

from __future__ import annotations

import asyncio
import json
import signal
import urllib.request

import pytest
from sqlalchemy import func, select

from bot.stats.models import StatsEvent, StatsVisitor
from bot.storage.db import create_engine
from tests.servers import serve
from tests.test_scaleout import PUBLIC_URL, TWILIO_TOKEN, post_sms, sms_form


def simulate(base: str, user: str, text: str, language: str) -> dict:
    body = json.dumps({"user": user, "text": text, "language": language}).encode()
    request = urllib.request.Request(base + "/api/simulate", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


async def _counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            events = (await conn.execute(select(func.count()).select_from(StatsEvent))).scalar()
            people = (await conn.execute(select(func.count()).select_from(StatsVisitor))).scalar()
            await conn.rollback()
    finally:
        await engine.dispose()
    return int(events or 0), int(people or 0)


def counts(url: str) -> tuple[int, int]:
    return asyncio.run(_counts(url))


@pytest.mark.slow
def test_sigterm_writes_every_buffered_event(database_url, tmp_path):
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "shutdown-test",
           "STATS_FLUSH_SECONDS": "3600",  # only the shutdown can write them
           "ADMIN_TOKEN": "", "TELEGRAM_BOT_TOKEN": "", "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
           "PUBLIC_URL": PUBLIC_URL}
    log = tmp_path / "serve.log"
    senders = [f"+99655500{i:04d}" for i in range(12)]
    with serve(env, tmp_path / "data", log) as (base, process):
        for i, sender in enumerate(senders):  # SMS: people the day's count includes
            assert post_sms(base, sms_form(sender, "салам", f"SM{i:032d}"))[0] == 200
        assert post_sms(base, sms_form(senders[0], "меню", "SM" + "f" * 32))[0] == 200
        assert counts(database_url) == (0, 0)  # answered, all still in memory
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert counts(database_url) == (13, 12)
    output = log.read_text()
    assert "wrote 13 events at shutdown" in output
    for sender in senders:
        assert sender not in output and sender.lstrip("+") not in output
