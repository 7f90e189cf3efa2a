"""The web app through aiohttp's test client: simulator contract, bad input, privacy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


async def simulate(client, **body):
    response = await client.post("/api/simulate", json=body)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_simulator_page_is_served(client):
    response = await client.get("/")
    assert response.status == 200
    page = await response.text()
    assert "/api/simulate" in page and "SMS" in page


async def test_start_returns_the_contract_fields(client):
    data = await simulate(client, user="a", text="/start")
    assert {"language", "topic", "text", "options"} <= data.keys()
    assert data["topic"] is None
    assert all({"id", "label"} <= o.keys() for o in data["options"])


async def test_digits_navigate_to_a_topic_and_sms_rendering_is_numbered(client):
    await simulate(client, user="b", text="/start")
    await simulate(client, user="b", text="2")  # Кыргызча
    data = await simulate(client, user="b", text="1", channel="sms")
    assert "1 Орусияда иштөө үчүн патент" in data["text"]
    data = await simulate(client, user="b", text="4", channel="sms")
    assert data["topic"] == "permits.registration" and data["language"] == "ky"


async def test_sessions_do_not_leak_between_users(client):
    await simulate(client, user="first", text="/start")
    await simulate(client, user="first", text="3")  # Тоҷикӣ
    other = await simulate(client, user="second", text="1")
    assert other["language"] != "tg"
    assert other["kind"] in {"language", "menu"}
    again = await simulate(client, user="first", text="0")
    assert again["language"] == "tg"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'{"text": "hi"}', 400),
        (b'{"user": "x", "text": 5}', 400),
        (b'{"user": "x", "text": "hi", "channel": "fax"}', 400),
        (b'{"user": "x", "text": "   "}', 400),
        (b"\xff\xfe\x00", 400),
    ],
)
async def test_bad_input_gets_a_clear_json_error(client, body, status):
    response = await client.post("/api/simulate", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == status
    assert "error" in await response.json()


async def test_an_oversized_body_is_refused_with_413(client):
    response = await client.post("/api/simulate", data=b"x" * (10 * 1024 * 1024),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413


async def test_emoji_storm_and_long_text_are_answered(client):
    data = await simulate(client, user="e", text="🙏🔥" * 1000)
    assert data["text"]
    data = await simulate(client, user="e", text="патент " * 1000)
    assert data["text"]


async def test_the_database_holds_no_raw_sender_id(client, settings):
    sender = "user-4f7a9c-unique-sender"
    await simulate(client, user=sender, text="/start")
    await simulate(client, user=sender, text="1")
    url = settings.database_url
    if not url.startswith("sqlite"):
        pytest.skip("the file search applies to SQLite")
    path = Path(url.split("///", 1)[1])
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert raw, "the SQLite file should exist"
    assert sender.encode() not in raw


async def test_the_sms_view_follows_lat_like_a_handset(client):
    """After LAT the simulator's SMS view is in Latin letters, as the handset gets it."""
    async def say(text: str) -> dict:
        response = await client.post("/api/simulate",
                                     json={"user": "lat-reader", "text": text, "channel": "sms"})
        assert response.status == 200
        return await response.json()

    before = await say("как получить патент на работу")
    assert re.search("[а-я]", before["views"]["sms"])
    await say("LAT")
    after = await say("как получить патент на работу")
    assert after["topic"] == before["topic"]
    assert after["text"] == after["views"]["sms"]
    assert re.fullmatch(r"[\x20-\x7e\n]+", after["views"]["sms"]), after["views"]["sms"]
    assert re.search("[а-я]", after["views"]["plain"])  # the other views keep the letters
