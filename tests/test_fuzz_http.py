"""No input gets a 500: Hypothesis over the bodies and headers of every POST route.

One app with every channel on (Telegram against the loopback Bot API, Twilio with a
token), fed JSON of any shape and depth, integers past Python's 4,300-digit limit, lists
where strings belong, bytes that are no text, forms with odd charsets, and headers a
client may send (content types and charsets, encodings, forwarded hosts, secrets and
signatures, right or wrong). Every answer must be 2xx or 4xx — and 503 too while the
database is down, which the second app's database is from the start.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.config import Secret
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.fake_bot_api import FakeBotApi, UpdateFactory

TWILIO_TOKEN = "fuzz-twilio-token"
WEBHOOK_SECRET = "fuzz-Secret_0123456789"
FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# -- what goes in ----------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.sampled_from(["telegram", "sms", "simulator", "0", "/start"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12)
FIELDS = ("user", "text", "channel", "option", "language")
simulate_objects = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=5)
nasty_json = st.one_of(
    st.integers(1, 3).map(lambda n: b"[" * 10_000 * n + b"]" * 10_000 * n),
    st.integers(1, 3).map(lambda n: b'{"a":' * 5_000 * n + b"1" + b"}" * 5_000 * n),
    st.sampled_from(FIELDS).map(lambda f: json.dumps({
        "user": "u", "text": "патент", f: None}).encode().replace(b"null", b"9" * 5000)),
    st.sampled_from(FIELDS).map(lambda f: json.dumps({
        "user": "u", "text": "патент", f: [[[]]] if f != "user" else {"x": 1}}).encode()),
    st.sampled_from([b"1" * 5000, b"-" + b"7" * 4400, b"1e999999", b'"\\ud800"', b"\xef\xbb\xbf{}",
                     "{\"user\": \"u\", \"text\": \"патент\"}".encode("utf-16"),
                     b'{"user": "u", "text": "\\u0000"}', b"", b"\xff\xfe\xfd"]),
)
bodies = st.one_of(
    simulate_objects.map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    nasty_json,
    st.binary(max_size=200),
)
content_types = st.one_of(st.none(), st.sampled_from([
    "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16",
    "application/json; charset=no-such-charset", "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "application/x-www-form-urlencoded; charset=utf-16", "multipart/form-data",
    "multipart/form-data; boundary=", "multipart/form-data; boundary=x; charset=nope",
    "text/plain", "*/*", ";", "application/json; charset"]))
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
headers = st.dictionaries(st.sampled_from([
    "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For", "Forwarded", "Host",
    "X-Twilio-Signature", "I-Twilio-Idempotency-Token", "X-Telegram-Bot-Api-Secret-Token",
    "Content-Encoding", "Accept-Charset", "Accept-Encoding", "Cookie", "Authorization",
    "Origin", "Referer", "User-Agent", "Expect"]), header_values, max_size=4)


@st.composite
def twilio_forms(draw: st.DrawFn) -> dict[str, str]:
    """Forms Twilio might post, with odd values in any field."""
    form = {"From": draw(st.one_of(st.just("+996555123456"), header_values)),
            "Body": draw(st.text(max_size=60)),
            "MessageSid": draw(st.one_of(st.just("SM" + "a" * 32), st.text(max_size=40)))}
    form.update(draw(st.dictionaries(
        st.sampled_from(["NumMedia", "OptOutType", "SmsSid", "To", "AccountSid", "MediaUrl0"]),
        st.text(max_size=30), max_size=3)))
    return form


# -- the apps ---------------------------------------------------------------------------------
@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


def everything_on(tmp_path: Path, database_url: str, api: FakeBotApi) -> Any:
    return create_app(make_settings(
        tmp_path, database_url, twilio_auth_token=Secret(TWILIO_TOKEN),
        telegram_bot_token=Secret(api.token), telegram_webhook_secret=Secret(WEBHOOK_SECRET),
        telegram_api_base_url=api.base_url))


@pytest.fixture
async def app_client(aiohttp_client, tmp_path, database_url, bot_api) -> Any:
    return await aiohttp_client(everything_on(tmp_path, database_url, bot_api))


@pytest.fixture
async def down_client(aiohttp_client, tmp_path, bot_api) -> Any:
    """The database cannot be opened at all (a directory that does not exist)."""
    gone = f"sqlite+aiosqlite:///{tmp_path / 'no-such-directory' / 'bot.sqlite3'}"
    return await aiohttp_client(everything_on(tmp_path, gone, bot_api))


async def post(client: Any, path: str, body: bytes, content_type: str | None,
               extra: dict[str, str]) -> int:
    sent = dict(extra)
    if content_type is not None:
        sent["Content-Type"] = content_type
    response = await client.post(path, data=body, headers=sent)
    await response.read()
    return int(response.status)


def signed(client: Any, form: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    url = str(client.make_url("/sms/twilio"))
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    return urllib.parse.urlencode(form).encode(), {"X-Twilio-Signature": signature}


def acceptable(status: int, database_down: bool) -> bool:
    return 200 <= status < 500 or (database_down and status == 503)


async def every_route(client: Any, data: st.DataObject, database_down: bool) -> None:
    body = data.draw(bodies, label="body")
    content_type = data.draw(content_types, label="content type")
    extra = data.draw(headers, label="headers")
    for path in ("/api/simulate", "/telegram/webhook", "/sms/twilio"):
        status = await post(client, path, body, content_type, extra)
        assert acceptable(status, database_down), (path, status)
    # Past the gates: the right secret with any body, a valid signature over any form.
    hook = {**extra, "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    update = data.draw(st.one_of(
        st.builds(lambda text: UpdateFactory().message(5, text), st.text(max_size=30)),
        json_values.map(lambda value: {"update_id": 7, "message": value})), label="update")
    for raw in (body, json.dumps(update).encode()):
        status = await post(client, "/telegram/webhook", raw, content_type, hook)
        assert acceptable(status, database_down), ("/telegram/webhook", status)
    form, signature = signed(client, data.draw(twilio_forms(), label="form"))
    status = await post(client, "/sms/twilio", form,
                        data.draw(st.sampled_from([
                            "application/x-www-form-urlencoded",
                            "application/x-www-form-urlencoded; charset=utf-8"])),
                        {**extra, **signature})
    assert acceptable(status, database_down), ("/sms/twilio", status)


@FUZZ
@given(data=st.data())
async def test_no_input_gets_a_500(app_client, caplog, data):
    caplog.clear()
    await every_route(app_client, data, database_down=False)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [f"{r.name}: {r.getMessage()[:200]}" for r in errors]


@FUZZ
@given(data=st.data())
async def test_no_input_gets_a_500_while_the_database_is_down(down_client, data):
    await every_route(down_client, data, database_down=True)


@pytest.mark.parametrize("body", [
    b"[" * 30_000 + b"]" * 30_000,
    b'{"user": "u", "text": ' + b"1" * 5000 + b"}",
    b'{"user": "u", "text": "hi", "channel": ["sms"]}',
    b'{"user": "u", "text": "hi", "channel": {"sms": 1}}',
    b'{"user": ' + b"9" * 4400 + b', "text": "hi"}',
])
async def test_the_known_500s_of_the_simulator_are_400s(app_client, body):
    response = await app_client.post("/api/simulate", data=body,
                                     headers={"Content-Type": "application/json"})
    assert response.status == 400, await response.text()
    assert "error" in await response.json()
