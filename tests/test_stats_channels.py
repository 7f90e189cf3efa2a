"""Statistics across every channel: Telegram (a Bot API on loopback), SMS (requests signed
with Twilio's own RequestValidator) and the simulator, counted exactly, nothing kept."""

from __future__ import annotations

import json
import logging
import math
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from bot.config import Secret
from bot.stats.models import TABLES
from bot.stats.web import RECORDER
from bot.web.app import create_app
from bot.web.keys import STORE
from tests.conftest import make_settings
from tests.fake_bot_api import FakeBotApi, UpdateFactory
from tests.test_stats import TOKEN, cli_report, run_script

WEBHOOK_SECRET = "stats-webhook-secret_42"
TWILIO_TOKEN = "stats-twilio-token"

#: Telegram: five people ask for the language menu, pick Tajik by its number, ask for help.
TELEGRAM = [{"id": 731000100 + i, "first_name": f"Азамат{i}", "last_name": f"Жумабеков{i}",
             "username": f"azamat_jumabekov_{i}"} for i in range(5)]
TELEGRAM_TEXTS = ("/language", "3", "/help")
#: SMS: six phones ask for the language menu, pick Kyrgyz, the first module, its 4th topic.
PHONES = [f"+99677012{i:04d}" for i in range(6)]
SMS_TEXTS = ("тил", "2", "1", "4")


@pytest.fixture
async def api():
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def client(aiohttp_client, tmp_path, database_url, api):
    settings = make_settings(
        tmp_path, database_url, admin_token=TOKEN, stats_flush_seconds=3600.0,
        stats_epsilon=math.inf,
        telegram_bot_token=Secret(api.token), telegram_webhook_secret=Secret(WEBHOOK_SECRET),
        telegram_api_base_url=api.base_url, twilio_auth_token=Secret(TWILIO_TOKEN))
    return await aiohttp_client(create_app(settings))


async def telegram_conversations(client: Any, api: FakeBotApi) -> None:
    updates = UpdateFactory()
    for person in TELEGRAM:
        user = {**updates.user(person["id"], "ru", person["first_name"], person["username"]),
                "last_name": person["last_name"]}
        for message in TELEGRAM_TEXTS:
            before = len(api.replies())
            response = await client.post(
                "/telegram/webhook", json=updates.message(person["id"], message, user=user),
                headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
            assert response.status == 200, await response.text()
            assert len(api.replies()) > before, f"no reply to {message!r}"


async def sms_conversations(client: Any) -> None:
    url = str(client.make_url("/sms/twilio"))
    for phone in PHONES:
        for body in SMS_TEXTS:
            form = {"AccountSid": "AC" + "0" * 32, "MessageSid": "SM" + uuid.uuid4().hex,
                    "From": phone, "To": "+15005550006", "Body": body, "NumMedia": "0"}
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
            response = await client.post("/sms/twilio", data=form,
                                         headers={"X-Twilio-Signature": signature})
            assert response.status == 200, await response.text()
            assert "<Message>" in await response.text()


async def test_every_channel_is_counted_exactly(client, api, monkeypatch, tmp_path,
                                                database_url):
    await run_script(client)
    await telegram_conversations(client, api)
    await sms_conversations(client)
    await client.server.app[RECORDER].flush()
    report = json.loads(await cli_report(monkeypatch, tmp_path, database_url, "--format",
                                         "json", "--channel", "all"))
    assert report["total"] == 29 + 15 + 24
    # The simulator's users are NGO staff trying the content: not people to count.
    assert report["days"][0]["people"] == len(TELEGRAM) + len(PHONES)
    assert {x["channel"]: x["count"] for x in report["channels"]} == {
        "simulator": 29, "sms": 24, "telegram": 15}
    rows = {(r["topic"], r["language"], r["channel"]): r["count"] for r in report["rows"]}
    assert rows[("", "und", "telegram")] == 5  # the language menu counts in no language
    assert rows[("", "tg", "telegram")] == 10  # the Tajik menu, then help
    assert rows[("", "und", "sms")] == 6
    assert rows[("", "ky", "sms")] == 12  # the Kyrgyz menu, then the module's list
    assert rows[("permits.registration", "ky", "sms")] == 6
    kinds = {x["kind"]: x["count"] for x in report["kinds"]}
    assert kinds["language"] == 11 and kinds["help"] == 5 and kinds["module"] == 6


async def test_no_channel_leaves_ids_names_or_texts_behind(client, api, caplog):
    caplog.set_level(logging.DEBUG)
    await telegram_conversations(client, api)
    await sms_conversations(client)
    await client.server.app[RECORDER].flush()
    secrets = [str(p["id"]) for p in TELEGRAM] + [p[k] for p in TELEGRAM
                                                  for k in ("first_name", "last_name",
                                                            "username")]
    secrets += PHONES + [p.lstrip("+") for p in PHONES]
    engine = client.server.app[STORE].engine
    dump = []
    async with engine.connect() as conn:
        for table in ("sessions", *TABLES):
            dump += [repr(tuple(row)) for row in await conn.execute(text(f"SELECT * FROM {table}"))]
    stored = "\n".join(dump)
    for secret in secrets:
        assert secret not in stored and secret not in caplog.text
    if engine.url.get_backend_name() == "sqlite":
        path = Path(engine.url.database or "")
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in secrets:
            assert secret.encode() not in raw
