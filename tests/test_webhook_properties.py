"""Property-based tests of both webhooks, through the real app and its real HTTP routes.

Hypothesis sends what phones, scripts and attackers send: any Unicode (control characters,
right-to-left marks, emoji, 10,000-character texts), odd and missing fields, malformed
forms, arbitrary JSON and garbage bytes. Whatever arrives: no 500, nothing logged as an
error, every answer within the channel's limits, and afterwards the same person's "0"
still brings the menu.
"""

from __future__ import annotations

import itertools
import json
import logging
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.config import ROOT, Secret, Settings
from bot.content.loader import load_content
from bot.render.sms import script_for
from bot.sms.segments import count_segments
from bot.types import LANGUAGES
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.fake_bot_api import Call, FakeBotApi, UpdateFactory

TWILIO_TOKEN = "property-twilio-token"
WEBHOOK_SECRET = "property-Secret_0123456789"
SMS_PATH = "/sms/twilio"
HOOK_PATH = "/telegram/webhook"
MAX_BODY = Settings().max_body_bytes
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])

_people = itertools.count(1)

# -- what people type -------------------------------------------------------------------------
long_texts = st.builds(lambda piece, n: (piece * n)[:10_000],
                       st.text(min_size=1, max_size=3), st.integers(1000, 10_000))
hard_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "So", "Mn"]),
            max_size=100),
    long_texts,
    st.sampled_from(["0", "1", "9", "99", "-1", "STOP", "stop", "СТОП", "START", "/start",
                     "HELP", "LAT", "язык", "\u200fпатент\u200e", "\u202eпатент", "😀" * 300,
                     "", " ", "\x00", "\r\n", "o'zbek", "патент 😀\u0301\u0301\u0301",
                     "&lt;script&gt;", "<Response/>", "]]>", "%00%ff", "+", "nav:menu",
                     "0" * 4400, "1" + "0" * 9]),
)
odd_fields = st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=50),
                             max_size=4)
twilio_extras = st.fixed_dictionaries({}, optional={
    "NumMedia": st.one_of(st.sampled_from(["0", "1", "-5", "abc", "", "9" * 30]),
                          st.text(max_size=5)),
    "OptOutType": st.sampled_from(["STOP", "START", "HELP", "", "stop", "Ѕ"]),
    "MediaUrl0": st.just("https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME"),
    "SmsSid": st.text(max_size=40),
})


# -- SMS ----------------------------------------------------------------------------------------
class Sms:
    """Twilio posting signed forms for one phone number."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.url = str(client.make_url(SMS_PATH))
        self.phone = f"+99655{next(_people):07d}"

    def form(self, body: str, **extra: str) -> dict[str, str]:
        return {**extra, "AccountSid": "AC" + "0" * 32, "MessageSid": "SM" + uuid.uuid4().hex,
                "From": self.phone, "To": "+15005550006", "Body": body}

    async def post(self, form: dict[str, str]) -> Any:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(self.url, form)
        return await self.client.post(
            SMS_PATH, data=urllib.parse.urlencode(form).encode(),
            headers={"X-Twilio-Signature": signature,
                     "Content-Type": "application/x-www-form-urlencoded"})


def twiml_messages(body: str) -> list[str]:
    root = ET.fromstring(body.encode())
    assert root.tag == "Response"
    return [message.text or "" for message in root.iter("Message")]


def assert_fits_sms(body: str) -> list[str]:
    messages = twiml_messages(body)
    for message in messages:
        assert 0 < count_segments(message).segments <= 3, message
    return messages


def menu_lines() -> frozenset[str]:
    """The SMS main menu's first line in every language, in Cyrillic and in LAT letters."""
    first = load_content(ROOT / "content").modules[0]
    return frozenset(f"1 {script_for(language, latin)(first.sms_title(language))}"
                     for language in LANGUAGES for latin in (False, True))


MENU_LINES = menu_lines()


def is_menu(messages: list[str]) -> bool:
    """Whether an answer is the main menu (its first module as line 1), in any language."""
    return any(line in MENU_LINES for line in "\n".join(messages).splitlines())


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [f"{r.name}: {r.getMessage()[:200]}" for r in errors]


@pytest.fixture
async def sms_client(aiohttp_client, tmp_path, database_url) -> AsyncIterator[Any]:
    yield await aiohttp_client(create_app(make_settings(
        tmp_path, database_url, twilio_auth_token=Secret(TWILIO_TOKEN))))


@PROPERTY_SETTINGS
@given(messages=st.lists(st.tuples(hard_text, twilio_extras, odd_fields),
                         min_size=1, max_size=5))
async def test_any_signed_sms_gets_twiml_and_the_menu_still_works(sms_client, caplog,
                                                                  messages):
    caplog.clear()
    phone = Sms(sms_client)
    for body, extras, odd in messages:
        form = {**odd, **phone.form(body, **extras)}
        response = await phone.post(form)
        text = await response.text()
        if len(urllib.parse.urlencode(form)) > MAX_BODY:  # 10,000 emoji: far past Twilio's
            assert response.status == 413, text          # 1,600 characters
            continue
        assert response.status == 200, text
        assert response.content_type == "text/xml"
        assert_fits_sms(text)
    response = await phone.post(phone.form("0"))
    assert response.status == 200
    messages_for_zero = assert_fits_sms(await response.text())
    assert is_menu(messages_for_zero), messages_for_zero
    no_errors_logged(caplog)


malformed_bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"Body=%", b"Body=%zz&From=%", b"From=+1&Body=%ff%fe", b"=&=&&&",
                     b"Body=" + b"a" * 70_000, b"\x00" * 100, b'{"Body": "json"}',
                     b"--boundary\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nx"]),
)
content_types = st.sampled_from([
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data", "multipart/form-data; boundary=boundary", "application/json",
    "text/plain", ""])


@PROPERTY_SETTINGS
@given(body=malformed_bodies, content_type=content_types,
       signature=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40))
async def test_malformed_sms_requests_get_a_4xx_never_a_500(sms_client, caplog, body,
                                                            content_type, signature):
    caplog.clear()
    headers = {"X-Twilio-Signature": signature}
    if content_type:
        headers["Content-Type"] = content_type
    response = await sms_client.post(SMS_PATH, data=body, headers=headers)
    assert 400 <= response.status < 500, (response.status, await response.text())
    no_errors_logged(caplog)


# -- Telegram -----------------------------------------------------------------------------------
@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def telegram_client(aiohttp_client, tmp_path, database_url, bot_api) -> Any:
    return await aiohttp_client(create_app(make_settings(
        tmp_path, database_url, telegram_bot_token=Secret(bot_api.token),
        telegram_webhook_secret=Secret(WEBHOOK_SECRET),
        telegram_api_base_url=bot_api.base_url)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
callback_data = st.one_of(st.text(max_size=80),
                          st.sampled_from(["l:ky", "l:xx", "m:nope", "t:nope", "nav:more",
                                           "nav:back", "nav:menu", "nav:lang", "t:", ":"]))
language_codes = st.one_of(st.none(), st.sampled_from(["ru", "ky", "tg", "uz", "en", "fa"]),
                           st.text(max_size=10))


@st.composite
def updates(draw: st.DrawFn, factory: UpdateFactory, chat: int) -> dict[str, Any]:
    """Telegram updates for one chat, with arbitrary texts, kinds and extra fields."""
    user = factory.user(chat, draw(language_codes),
                        first_name=draw(st.text(min_size=1, max_size=30)))
    kind = draw(st.sampled_from(["message", "message", "message", "edited_message", "button",
                                 "group", "sticker", "blocked"]))
    if kind == "button":
        update = factory.button(chat, draw(callback_data), user=user)
    elif kind == "blocked":
        update = factory.blocked(chat, user=user)
    elif kind == "group":
        update = factory.message(chat, draw(hard_text), chat_type="group", user=user)
    elif kind == "sticker":
        update = factory.message(chat, None, user=user,
                                 sticker={"file_id": "x", "file_unique_id": "y", "width": 1,
                                          "height": 1, "is_animated": False,
                                          "is_video": False, "type": "regular"})
    else:
        update = factory.message(chat, draw(hard_text), key=kind, user=user)
    extra = draw(st.dictionaries(st.sampled_from(["extra", "poll", "x"]), json_values,
                                 max_size=2))
    return {**update, **extra}


def replies_to(api: FakeBotApi, chat: int) -> list[Call]:
    return [c for c in api.replies() if c.params.get("chat_id") == chat]


def assert_fits_telegram(calls: list[Call]) -> None:
    for call in calls:
        assert 0 < len(call.params.get("text", "")) <= 4096
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                assert 1 <= len(button["callback_data"].encode()) <= 64, button


async def deliver(client: Any, body: Any, raw: bytes | None = None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
               "Content-Type": "application/json"}
    data = raw if raw is not None else json.dumps(body).encode()
    response = await client.post(HOOK_PATH, data=data, headers=headers)
    await response.read()
    return response.status


@PROPERTY_SETTINGS
@given(data=st.data())
async def test_any_updates_are_answered_within_limits_and_the_menu_still_works(
    telegram_client, bot_api, caplog, data
):
    caplog.clear()
    chat = 10_000 + next(_people)
    factory = UpdateFactory(first_update_id=chat * 100)
    for update in data.draw(st.lists(updates(factory, chat), min_size=1, max_size=5)):
        status = await deliver(telegram_client, update)
        if len(json.dumps(update)) > MAX_BODY:  # escaped control characters: 6 bytes each
            assert status == 413
        else:
            assert status in (200, 400)
    assert await deliver(telegram_client, factory.message(chat, "0")) == 200
    replies = replies_to(bot_api, chat)
    assert_fits_telegram(replies)
    buttons = [b["callback_data"] for row in
               (replies[-1].params.get("reply_markup") or {}).get("inline_keyboard", [])
               for b in row]
    assert any(b.startswith("m:") for b in buttons), replies[-1].params
    no_errors_logged(caplog)


garbage = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda v, uid: json.dumps({**v, "update_id": uid}).encode()
              if isinstance(v, dict) else json.dumps(v).encode(),
              json_values, st.integers(-(2**40), 10**6)),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"{", b"[" * 5000, b'{"update_id": 1e400}', b"\xef\xbb\xbf{}",
                     b'{"update_id": 5, "message": {"chat": {"id": "x"}}}',
                     b'{"update_id": 6, "callback_query": {"id": 1, "data": null}}']),
)


@PROPERTY_SETTINGS
@given(body=garbage)
async def test_arbitrary_json_and_garbage_get_a_4xx_or_200_never_a_500(
    telegram_client, bot_api, caplog, body
):
    caplog.clear()
    status = await deliver(telegram_client, None, raw=body)
    assert status in (200, 400), status
    assert_fits_telegram(bot_api.replies())
    no_errors_logged(caplog)


async def test_the_menu_check_tells_a_menu_from_an_answer(sms_client):
    """The helper these properties lean on is not satisfied by any answer at all."""
    phone = Sms(sms_client)
    question = await phone.post(phone.form("как получить патент на работу"))
    menu = await phone.post(phone.form("0"))
    assert not is_menu(twiml_messages(await question.text()))
    assert is_menu(twiml_messages(await menu.text()))
