"""Two ``serve`` processes on one PostgreSQL behave as one bot."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from bot.privacy import sender_key
from bot.stats.models import StatsEvent
from bot.storage.db import create_engine
from bot.storage.models import ProcessedMessage, SessionRow
from tests.servers import serve


def simulate(base: str, user: str, text: str) -> dict:
    request = urllib.request.Request(
        base + "/api/simulate", data=json.dumps({"user": user, "text": text}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.db
@pytest.mark.slow
def test_a_conversation_moves_between_processes(empty_postgres_url, tmp_path):
    env = {"DATABASE_URL": empty_postgres_url, "SECRET_KEY": "shared-secret-for-both"}
    with serve(env, tmp_path / "a", tmp_path / "a.log") as (first, _), \
         serve(env, tmp_path / "b", tmp_path / "b.log") as (second, _):
        simulate(first, "walker", "/start")
        assert simulate(second, "walker", "2")["language"] == "ky"  # chosen on the second
        module = simulate(first, "walker", "1")  # the first knows where the walker stands
        assert module["kind"] == "module" and module["language"] == "ky"
        topic = simulate(second, "walker", "1")
        assert topic["topic"] == "permits.russia-patent"
        assert simulate(first, "someone-else", "0")["language"] == "ru"


# -- a retried SMS reaching two processes at the same moment ----------------------------------
TWILIO_TOKEN = "scaleout-twilio-token"
PUBLIC_URL = "https://bot.example.org"  # both processes sit behind one router


def sms_form(phone: str, body: str, sid: str) -> dict[str, str]:
    return {"AccountSid": "AC" + "0" * 32, "MessageSid": sid, "From": phone,
            "To": "+15005550006", "Body": body, "NumMedia": "0"}


def post_sms(base: str, form: dict[str, str]) -> tuple[int, str]:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + "/sms/twilio",
                                                                 form)
    request = urllib.request.Request(
        base + "/sms/twilio", data=urllib.parse.urlencode(form).encode(), method="POST",
        headers={"X-Twilio-Signature": signature,
                 "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status, response.read().decode()


def race(bases: list[str], form: dict[str, str]) -> list[tuple[int, str]]:
    """The same request to every process, released at the same instant."""
    start = threading.Barrier(len(bases))

    def send(base: str) -> tuple[int, str]:
        start.wait(timeout=10)
        return post_sms(base, form)

    with ThreadPoolExecutor(len(bases)) as pool:
        return list(pool.map(send, bases))


async def _rows(url: str, keys: list[str]) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            sessions = (await conn.execute(
                select(SessionRow.key, SessionRow.language, SessionRow.position)
                .where(SessionRow.key.in_(keys)))).all()
            claims = (await conn.execute(select(func.count()).select_from(ProcessedMessage)
                                         .where(ProcessedMessage.channel == "sms"))).scalar()
            events = (await conn.execute(select(func.count()).select_from(StatsEvent)
                                         .where(StatsEvent.channel == "sms"))).scalar()
            await conn.rollback()
    finally:
        await engine.dispose()
    return {"sessions": {key: (language, position) for key, language, position in sessions},
            "claims": claims, "events": events}


@pytest.mark.db
@pytest.mark.slow
def test_a_retry_raced_to_two_processes_is_answered_alike_and_handled_once(
    empty_postgres_url, tmp_path
):
    secret = "shared-secret-for-the-race"
    env = {"DATABASE_URL": empty_postgres_url, "SECRET_KEY": secret, "PUBLIC_URL": PUBLIC_URL,
           "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TELEGRAM_BOT_TOKEN": "", "ADMIN_TOKEN": "",
           "STATS_FLUSH_SECONDS": "3600"}  # statistics are written when the processes stop
    control, phones = "+996559999999", [f"+99655{n:07d}" for n in range(6)]
    with serve(env, tmp_path / "a", tmp_path / "a.log") as (first, _), \
         serve(env, tmp_path / "b", tmp_path / "b.log") as (second, _):
        # One person who sends "/start" then "2" once: where a single handling leads.
        for body in ("/start", "2"):
            _, expected = post_sms(first, sms_form(control, body, "SM" + uuid.uuid4().hex))
        for phone in phones:
            status, body = post_sms(first, sms_form(phone, "/start", "SM" + uuid.uuid4().hex))
            assert status == 200 and "<Message>" in body
            # "2" handled twice would move one step further (item 2 of what "2" opened)
            answers = race([first, second], sms_form(phone, "2", "SM" + uuid.uuid4().hex))
            assert [status for status, _ in answers] == [200, 200]
            assert answers[0][1] == answers[1][1], "the two processes answered differently"
            assert answers[0][1] == expected
    keys = [sender_key(secret, "sms", phone) for phone in (control, *phones)]
    rows = asyncio.run(_rows(empty_postgres_url, keys))
    assert len(rows["sessions"]) == len(phones) + 1
    assert len(set(rows["sessions"].values())) == 1, rows["sessions"]  # all where control is
    assert rows["claims"] == 2 * len(phones) + 2
    assert rows["events"] == 2 * len(phones) + 2, "a raced retry was counted twice"
