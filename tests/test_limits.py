"""Abuse limits: a flood from one sender gets one polite answer, then silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.ratelimit import LIMIT_PER_MINUTE, admit
from bot.types import Session


def test_window_resets_after_a_minute():
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    session = Session(key="k")
    for _ in range(LIMIT_PER_MINUTE):
        ok, session = admit(session, now)
        assert ok
    ok, session = admit(session, now + timedelta(seconds=59))
    assert not ok
    ok, session = admit(session, now + timedelta(seconds=61))
    assert ok and session.window_count == 1


async def test_a_flood_gets_one_polite_answer_then_silence(client):
    async def say(text: str) -> dict:
        response = await client.post("/api/simulate", json={"user": "flood", "text": text})
        assert response.status == 200
        return await response.json()

    await say("/start")
    await say("1")  # Русский
    for _ in range(LIMIT_PER_MINUTE - 2):
        assert (await say("0"))["kind"] == "menu"
    limited = await say("0")
    assert limited["kind"] == "limited"
    assert "подождите минуту" in limited["text"].lower()
    silent = await say("0")
    assert silent["kind"] == "ignored" and silent["text"] == ""
    other = await say_as(client, "someone-else", "/start")
    assert other["kind"] == "language"


async def say_as(client, user: str, text: str) -> dict:
    response = await client.post("/api/simulate", json={"user": user, "text": text})
    return await response.json()
