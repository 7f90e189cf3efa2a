"""No secret in a log line or a response: the app runs with known secret values, every
logger at DEBUG (python-telegram-bot's, httpx's and aiohttp's too, past the caps the app
sets), and meets forged requests, failing Bot API calls, a crashing handler and normal
traffic; then every log record and every response (body and headers) is searched."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from bot.config import ConfigError, Secret
from bot.privacy import sender_key
from bot.web.app import create_app
from bot.web.keys import SERVICE
from tests.conftest import make_settings
from tests.fake_bot_api import FakeBotApi, UpdateFactory

BOT_TOKEN = "918273645:AAHsecretBotTokenPart_0123456789xyz"
WEBHOOK_SECRET = "webhookSecretValue_9f8e7d6c5b4a"
TWILIO_TOKEN = "twilioAuthTokenValue5d4c3b2a1f0e"
ADMIN_TOKEN = "adminTokenValue-a1b2c3d4e5f6g7h8"
SECRET_KEY = "secretKeyValue-0f1e2d3c4b5a69788796"
SECRETS = {"TELEGRAM_BOT_TOKEN": BOT_TOKEN, "the token's secret half": BOT_TOKEN.split(":")[1],
           "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
           "ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": SECRET_KEY}
LOGGERS = ("", "bot", "aiohttp", "telegram", "httpx", "httpcore", "sqlalchemy", "twilio",
           "asyncio")


def settings(tmp_path: Any, database_url: str, api: FakeBotApi) -> Any:
    return make_settings(
        tmp_path, database_url, secret_key=Secret(SECRET_KEY),
        telegram_bot_token=Secret(BOT_TOKEN), telegram_webhook_secret=Secret(WEBHOOK_SECRET),
        telegram_api_base_url=api.base_url, twilio_auth_token=Secret(TWILIO_TOKEN),
        admin_token=Secret(ADMIN_TOKEN), stats_flush_seconds=0.2)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def leaks(text: str) -> list[str]:
    """Which secrets appear, each with the first line that shows it."""
    found = []
    for name, value in SECRETS.items():
        line = next((line for line in text.splitlines() if value in line), None)
        if line is not None:
            found.append(f"{name}: {line[:300]}")
    return found


class Recorder:
    """An HTTP client that keeps every response's status line, headers and body."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.seen: list[str] = []

    async def request(self, method: str, path: str, **kwargs: Any) -> int:
        response = await self.client.request(method, path, allow_redirects=False, **kwargs)
        body = await response.read()
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.seen.append(f"{method} {path} {response.status}\n{headers}\n"
                         + body.decode("utf-8", "replace"))
        return response.status


async def exercise(http: Recorder, api: FakeBotApi) -> None:
    updates = UpdateFactory()
    hook = "/telegram/webhook"
    good = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    # forged and malformed Telegram calls
    for header in ("", WEBHOOK_SECRET[:-1], WEBHOOK_SECRET + "x", BOT_TOKEN, TWILIO_TOKEN):
        assert await http.request("POST", hook, json=updates.message(1, "/start"),
                                  headers={"X-Telegram-Bot-Api-Secret-Token": header}) == 403
    assert await http.request("POST", hook, data=b"{oops", headers=good) == 400
    # normal traffic, and a Bot API that fails in each way it can
    assert await http.request("POST", hook, json=updates.message(2, "/start"), headers=good) \
        == 200
    for code, description in ((502, "Bad Gateway"), (401, "Unauthorized"),
                              (400, "Bad Request: chat not found"),
                              (403, "Forbidden: bot was blocked by the user"),
                              (429, "Too Many Requests: retry after 1")):
        api.fail("sendMessage", code, description)
        status = await http.request("POST", hook, json=updates.message(3, "0"), headers=good)
        assert status in (200, 503)

    # forged and real SMS
    url = str(http.client.make_url("/sms/twilio"))
    form = {"MessageSid": "SM" + "1" * 32, "From": "+996555000111", "Body": "патент"}
    for signature in ("", TWILIO_TOKEN, RequestValidator("wrong").compute_signature(url, form)):
        assert await http.request("POST", "/sms/twilio", data=form,
                                  headers={"X-Twilio-Signature": signature}) == 403
    signed = {"X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(url, form)}
    assert await http.request("POST", "/sms/twilio", data=form, headers=signed) == 200
    assert await http.request("POST", "/sms/twilio", data=b"\xff\xfe",
                              headers={"Content-Type": "multipart/form-data"}) in (400, 403)

    # the dashboard: wrong tokens, the right one, signing in
    for header in (f"Bearer {ADMIN_TOKEN}x", f"Bearer {SECRET_KEY}", f"Basic {ADMIN_TOKEN}"):
        assert await http.request("GET", "/stats", headers={"Authorization": header}) == 401
    assert await http.request("POST", "/stats/login", data={"token": "wrong"}) in (401, 403)
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for path in ("/stats", "/stats/report.csv", "/stats/report.json"):
        assert await http.request("GET", path, headers=bearer) == 200
    assert await http.request("POST", "/stats/login", data={"token": ADMIN_TOKEN}) in (200, 303)

    # the rest of the surface
    assert await http.request("POST", "/api/simulate", json={"user": "u", "text": "/start"}) \
        == 200
    assert await http.request("POST", "/api/simulate", data=b"[") == 400
    assert await http.request("GET", "/nowhere") == 404
    assert await http.request("GET", "/telegram/webhook") == 405
    assert await http.request("POST", "/api/simulate", data=b"x" * 100_000) == 413
    assert await http.request("GET", "/healthz") == 200


async def crash_with_secrets_in_the_message(http: Recorder, app: Any) -> None:
    """A bug deep down whose exception quotes secrets (as some libraries' messages do)."""
    service = app[SERVICE]

    async def broken(_incoming: Any) -> Any:
        raise RuntimeError(f"cannot use {BOT_TOKEN} / {SECRET_KEY} / {TWILIO_TOKEN}")

    service.handle = broken
    assert await http.request("POST", "/api/simulate", json={"user": "u", "text": "hi"}) == 500
    url = str(http.client.make_url("/sms/twilio"))
    form = {"MessageSid": "SM" + "2" * 32, "From": "+996555000222", "Body": "hi"}
    signed = {"X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(url, form)}
    assert await http.request("POST", "/sms/twilio", data=form, headers=signed) == 200
    update = UpdateFactory(first_update_id=900).message(4, "hi")
    await http.request("POST", "/telegram/webhook", json=update,
                       headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})


async def test_no_secret_reaches_a_log_or_a_response(aiohttp_client, tmp_path, database_url,
                                                     caplog):
    async with FakeBotApi(token=BOT_TOKEN) as api:
        app = create_app(settings(tmp_path, database_url, api))
        for name in LOGGERS:  # after create_app, so past the caps it sets
            caplog.set_level(logging.DEBUG, logger=name)
        http = Recorder(await aiohttp_client(app))
        await exercise(http, api)
        await crash_with_secrets_in_the_message(http, app)
        await http.client.close()  # shutdown logs too

    logged = everything_logged(caplog)
    assert "sendMessage" in logged  # the library logs were really captured, at DEBUG
    assert "/bot<TELEGRAM_BOT_TOKEN>/sendMessage" in logged  # httpx's URLs, redacted
    assert "unhandled RuntimeError" in logged  # and so was the crash
    assert leaks(logged) == []
    for response in http.seen:
        assert leaks(response) == [], response[:2000]


async def test_a_rejected_bot_token_stops_the_start_without_quoting_it(
    aiohttp_client, tmp_path, database_url, caplog
):
    caplog.set_level(logging.DEBUG)
    async with FakeBotApi(token="111:another-bot") as api:  # answers 401 to our token
        with pytest.raises(ConfigError) as refused:
            await aiohttp_client(create_app(settings(tmp_path, database_url, api)))
    message = str(refused.value)
    assert "TELEGRAM_BOT_TOKEN was rejected" in message
    assert refused.value.__suppress_context__  # the library's exception is not chained
    assert leaks(message) == [] and leaks(everything_logged(caplog)) == []


async def test_log_level_debug_keeps_sql_parameters_out_of_the_logs(
    aiohttp_client, tmp_path, database_url, caplog
):
    """``LOG_LEVEL=DEBUG`` sets the root logger only; the database driver stays quiet."""
    caplog.set_level(logging.DEBUG)
    client = await aiohttp_client(create_app(make_settings(
        tmp_path, database_url, secret_key=Secret(SECRET_KEY))))
    response = await client.post("/api/simulate", json={"user": "debug-person", "text": "/start"})
    assert response.status == 200
    await client.close()
    pseudonym = sender_key(SECRET_KEY, "simulator", "debug-person")
    logged = everything_logged(caplog)
    assert logged  # something was logged at DEBUG
    assert pseudonym not in logged
