"""The Telegram channel end to end: the real python-telegram-bot stack, the real webhook
route and app factory, and a Bot API server on loopback that records what the bot sent."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from bot.config import ROOT, ConfigError, Secret
from bot.content.loader import load_content
from bot.i18n import catalogs
from bot.privacy import sender_key
from bot.ratelimit import LIMIT_PER_MINUTE
from bot.render.telegram import units
from bot.stats.web import RECORDER
from bot.storage.db import create_engine
from bot.storage.store import Store
from bot.types import Session
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.fake_bot_api import Call, FakeBotApi, UpdateFactory

SECRET = "webhook-Secret_0123456789"
CHAT = 918273645
SECRET_KEY = "test-secret-key"  # make_settings'
CONTENT = load_content(ROOT / "content")
CATALOGS = catalogs(ROOT / "locales")


def t(language: str, message: str) -> str:
    return CATALOGS.translator(language)(message)


class Telegram:
    """A Telegram that delivers updates to the app's webhook; the API records replies."""

    def __init__(self, client: Any, api: FakeBotApi, database_url: str) -> None:
        self.client, self.api, self.database_url = client, api, database_url
        self.updates = UpdateFactory()

    async def deliver(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        response = await self.client.post("/telegram/webhook", json=update, headers=headers)
        await response.read()
        return response.status

    async def say(self, text: str, chat: int = CHAT, language_code: str | None = None,
                  **user: Any) -> Call:
        """A private text message; returns the bot's last reply to it."""
        sender = self.updates.user(chat, language_code, **user)
        before = len(self.api.replies())
        assert await self.deliver(self.updates.message(chat, text, user=sender)) == 200
        replies = self.api.replies()[before:]
        assert replies, f"no reply to {text!r}"
        return replies[-1]

    async def press(self, under: Call, data: str, chat: int = CHAT) -> Call:
        """Press a button of the message a reply produced; returns the bot's reply."""
        buttons = [b["callback_data"] for row in keyboard(under) for b in row]
        assert data in buttons, (data, buttons)
        before = len(self.api.replies())
        answered = len(self.api.calls_to("answerCallbackQuery"))
        assert await self.deliver(self.updates.button(chat, data, under.result)) == 200
        assert len(self.api.calls_to("answerCallbackQuery")) == answered + 1
        replies = [c for c in self.api.replies()[before:] if c.error_code is None]
        assert len(replies) == 1, replies
        return replies[0]

    async def session(self, chat: int = CHAT) -> Session:
        engine = create_engine(self.database_url)
        try:
            return await Store(engine).load(sender_key(SECRET_KEY, "telegram", str(chat)))
        finally:
            await engine.dispose()

    async def events(self) -> int:
        """Statistics events of the Telegram channel, once the recorder wrote its buffer."""
        await self.client.app[RECORDER].flush()
        engine = create_engine(self.database_url)
        try:
            async with engine.connect() as conn:
                return int((await conn.execute(text(
                    "SELECT count(*) FROM stats_events WHERE channel = 'telegram'"))).scalar())
        finally:
            await engine.dispose()

    async def sessions(self) -> int:
        engine = create_engine(self.database_url)
        try:
            return await Store(engine).count_sessions()
        finally:
            await engine.dispose()


def keyboard(call: Call) -> list[list[dict[str, Any]]]:
    markup = call.params.get("reply_markup") or {}
    return markup.get("inline_keyboard", [])


def labels(call: Call) -> list[str]:
    return [button["text"] for row in keyboard(call) for button in row]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


def telegram_settings(tmp_path: Path, database_url: str, api: FakeBotApi, **overrides: Any):
    values: dict[str, Any] = {
        "telegram_bot_token": Secret(api.token),
        "telegram_webhook_secret": Secret(SECRET),
        "telegram_api_base_url": api.base_url,
    }
    values.update(overrides)
    return make_settings(tmp_path, database_url, **values)


@pytest.fixture
async def telegram(aiohttp_client, tmp_path, database_url, api) -> Telegram:
    client = await aiohttp_client(create_app(telegram_settings(tmp_path, database_url, api)))
    api.clear()  # getMe and the command lists from start-up
    return Telegram(client, api, database_url)


# -- the webhook's gate --------------------------------------------------------------------
@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", "секрет"])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_sent(telegram, secret):
    update = telegram.updates.message(CHAT, "/start")
    assert await telegram.deliver(update, secret=secret) == 403
    assert telegram.api.calls == []
    assert await telegram.sessions() == 0


@pytest.mark.parametrize("body", [
    b"{not json",
    b"\xff\xfe\x00garbage",
    b"[1, 2]",
    b"null",
    b'{"message": {"text": "/start"}}',
    b'{"update_id": "7"}',
    b'{"update_id": true}',
    b'{"update_id": 7, "message": "hello"}',
    b'{"update_id": 7, "message": {"text": "no chat"}}',
    b'{"update_id": 7, "callback_query": [1]}',
    b"[" * 50_000 + b"]" * 10_000,
])
async def test_malformed_bodies_get_a_4xx_never_a_500(telegram, body):
    response = await telegram.client.post(
        "/telegram/webhook", data=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                 "Content-Type": "application/json"})
    assert 400 <= response.status < 500, await response.text()
    assert telegram.api.replies() == []


async def test_an_oversized_body_is_refused_with_413(telegram):
    response = await telegram.client.post(
        "/telegram/webhook", data=b'{"update_id": 1, "x": "' + b"a" * 200_000 + b'"}',
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status == 413
    assert telegram.api.replies() == []


# -- the conversation ----------------------------------------------------------------------
async def test_start_from_a_kyrgyz_client_gets_kyrgyz_text_and_a_keyboard(telegram):
    reply = await telegram.say("/start", language_code="ky")
    assert reply.method == "sendMessage"
    assert reply.params["chat_id"] == CHAT
    assert reply.params["parse_mode"] == "HTML"
    assert t("ky", "Hello! I tell labour migrants about their rights, legal work abroad and "
                   "where to get help. It is free and anonymous.") in reply.params["text"]
    assert labels(reply)[:len(CONTENT.modules)] == [m.title("ky") for m in CONTENT.modules]
    assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard(reply) for b in row)


async def test_pressing_the_buttons_reaches_every_topic(telegram):
    """Language list → main menu → module → topic, by buttons only, for every topic."""
    for number, (module, topic_id) in enumerate(
            (m, topic) for m in CONTENT.modules for topic in m.topics):
        chat = CHAT + 1 + number  # a new person for each walk
        languages = await telegram.say("/start", chat=chat)  # no language hint: ask
        assert [b["callback_data"] for row in keyboard(languages) for b in row][:5] == [
            "l:ru", "l:ky", "l:tg", "l:uz", "l:uz-Cyrl"]
        menu = await telegram.press(languages, "l:tg", chat=chat)
        assert menu.method == "editMessageText"  # the menu replaces the language list
        topics = await telegram.press(menu, f"m:{module.id}", chat=chat)
        assert topics.method == "editMessageText"
        assert module.title("tg") in topics.params["text"]
        answer = await telegram.press(topics, f"t:{topic_id}", chat=chat)
        assert answer.method == "sendMessage"  # an answer is a new message
        assert CONTENT.lookup(topic_id, "tg").text.title in answer.params["text"]
    assert not telegram.api.calls_to("getUpdates")


async def test_back_under_an_answer_keeps_the_answer_and_sends_the_menu_anew(telegram):
    menu = await telegram.say("/start", language_code="ru")
    module = CONTENT.modules[0]
    topics = await telegram.press(menu, f"m:{module.id}")
    answer = await telegram.press(topics, f"t:{module.topics[0]}")
    back = await telegram.press(answer, "nav:back")
    assert back.method == "sendMessage"
    assert module.title("ru") in back.params["text"]
    main = await telegram.press(back, "nav:menu")
    assert main.method == "editMessageText"
    assert main.params["message_id"] == back.result["message_id"]


async def test_a_tajik_question_from_a_russian_client_gets_a_tajik_answer(telegram):
    reply = await telegram.say("Чӣ тавр патент гирам?", language_code="ru")
    text = reply.params["text"]
    assert any(ch in text for ch in "ӣӯҷ"), text
    tajik_titles = [CONTENT.lookup(topic, "tg").text.title for topic in CONTENT.topic_ids]
    assert any(title in text for title in tajik_titles), text
    again = await telegram.say("/menu", language_code="ru")
    assert t("tg", "Choose a topic or type your question.") in again.params["text"]


async def test_deep_link_payload_opens_the_topic_in_the_chosen_language(telegram):
    await telegram.say("/start", language_code="uz")
    reply = await telegram.say("/start t-permits-registration", language_code="uz")
    assert CONTENT.lookup("permits.registration", "uz").text.title in reply.params["text"]


async def test_deep_link_on_first_contact_opens_the_topic_in_the_clients_language(telegram):
    reply = await telegram.say("/start t-permits-registration", language_code="ky")
    assert CONTENT.lookup("permits.registration", "ky").text.title in reply.params["text"]


@pytest.mark.parametrize(("command", "expected"), [
    ("/menu", "Choose a topic or type your question."),
    ("/help", "STOP"),
    ("/language", "Choose your language:"),
])
async def test_commands(telegram, command, expected):
    reply = await telegram.say(command, language_code="ky")
    assert (t("ky", expected) if expected != "STOP" else expected) in reply.params["text"]


async def test_stop_deletes_the_session_and_confirms(telegram):
    await telegram.say("/start", language_code="ky")
    assert await telegram.sessions() == 1
    reply = await telegram.say("/stop", language_code="ky")
    assert t("ky", "Done: I have deleted our conversation. Write any message to start "
                   "again.") in reply.params["text"]
    assert await telegram.sessions() == 0


async def test_a_long_answer_comes_in_several_messages_with_the_keyboard_last(
        aiohttp_client, tmp_path, database_url, api):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    page = content / "ky" / "permits.registration.md"
    paragraphs = [f"{n}. " + "Каттоо & <мөөнөт> жөнүндө маалымат. " * 25 for n in range(12)]
    page.write_text(page.read_text() + "\n\n" + "\n\n".join(paragraphs) + "\n")
    settings = telegram_settings(tmp_path, database_url, api, content_dir=content)
    telegram = Telegram(await aiohttp_client(create_app(settings)), api, database_url)
    await telegram.say("/start", language_code="ky")
    api.clear()
    await telegram.say("/start t-permits-registration", language_code="ky")
    sent = api.calls_to("sendMessage")
    assert len(sent) >= 2
    assert all(units(call.params["text"]) <= 4096 for call in sent)
    assert [bool(keyboard(call)) for call in sent] == [False] * (len(sent) - 1) + [True]
    assert "&amp; &lt;мөөнөт&gt;" in sent[-1].params["text"]


# -- reliability ---------------------------------------------------------------------------
async def test_a_redelivered_update_is_answered_once(telegram):
    update = telegram.updates.message(CHAT, "/start", user=telegram.updates.user(CHAT, "ru"))
    assert await telegram.deliver(update) == 200
    assert await telegram.deliver(update) == 200
    statuses = await asyncio.gather(*(telegram.deliver(update) for _ in range(5)))
    assert statuses == [200] * 5
    assert len(telegram.api.calls_to("sendMessage")) == 1


async def test_the_same_update_raced_into_two_deliveries_is_answered_once(telegram):
    update = telegram.updates.message(CHAT, "/start", user=telegram.updates.user(CHAT, "tg"))
    statuses = await asyncio.gather(telegram.deliver(update), telegram.deliver(update))
    assert statuses == [200, 200]
    assert len(telegram.api.calls_to("sendMessage")) == 1


async def test_an_unreachable_bot_api_asks_telegram_to_redeliver(telegram):
    telegram.api.fail("sendMessage", 502, "Bad Gateway")
    update = telegram.updates.message(CHAT, "/start", user=telegram.updates.user(CHAT, "ru"))
    assert await telegram.deliver(update) == 503
    assert await telegram.deliver(update) == 200  # Telegram's retry is answered
    sent = telegram.api.calls_to("sendMessage")
    assert [call.error_code for call in sent] == [502, None]


async def test_a_redelivery_after_a_bot_api_failure_counts_and_moves_nothing_again(telegram):
    """The reply worked out on the first delivery is kept; the redelivery sends it, and
    neither the session (its rate-limit count, its place) nor the statistics move twice."""
    await telegram.say("/start", language_code="ru")
    telegram.api.fail("sendMessage", 502, "Bad Gateway")
    update = telegram.updates.message(CHAT, "как получить патент",
                                      user=telegram.updates.user(CHAT, "ru"))
    assert await telegram.deliver(update) == 503
    after_first = await telegram.session()
    assert await telegram.deliver(update) == 200
    assert await telegram.deliver(update) == 200
    failed, sent = telegram.api.calls_to("sendMessage")[-2:]
    assert (failed.error_code, sent.error_code) == (502, None)
    assert sent.params["text"] == failed.params["text"]
    assert len(telegram.api.calls_to("sendMessage")) == 3  # /start, the failure, the reply
    session = await telegram.session()
    assert session.window_count == 2 and session == after_first
    assert await telegram.events() == 2


async def test_every_button_press_is_answered_even_from_an_old_message(telegram):
    menu = await telegram.say("/start", language_code="ru")
    telegram.api.fail("editMessageText", 400, "Bad Request: message can't be edited")
    module = CONTENT.modules[0]
    reply = await telegram.press(menu, f"m:{module.id}")
    assert reply.method == "sendMessage"  # the failed edit fell back to a new message
    assert module.title("ru") in reply.params["text"]
    telegram.api.fail("editMessageText", 400, "Bad Request: message is not modified")
    again = await telegram.press(menu, f"m:{module.id}")
    assert again.method == "sendMessage"
    failed = [c.error_code for c in telegram.api.calls_to("editMessageText")]
    assert failed == [400, 400]


async def test_a_button_for_something_gone_explains_itself(telegram):
    menu = await telegram.say("/start", language_code="ru")
    stale = Call("sendMessage", {**menu.params, "reply_markup": {"inline_keyboard": [
        [{"text": "Old", "callback_data": "m:gone"}],
        [{"text": "Old topic", "callback_data": "t:gone.topic"}],
    ]}}, result={**menu.result, "reply_markup": {"inline_keyboard": [
        [{"text": "Old", "callback_data": "m:gone"}],
        [{"text": "Old topic", "callback_data": "t:gone.topic"}],
    ]}})
    reply = await telegram.press(stale, "m:gone")
    assert t("ru", "That menu no longer exists.") in reply.params["text"]
    reply = await telegram.press(stale, "t:gone.topic")
    assert t("ru", "That topic no longer exists.") in reply.params["text"]


async def test_a_press_on_an_inaccessible_message_is_answered_with_a_new_message(telegram):
    await telegram.say("/start", language_code="ky")
    gone = {"message_id": 1, "date": 0, "chat": {"id": CHAT, "type": "private"}}
    assert await telegram.deliver(telegram.updates.button(CHAT, "nav:menu", gone)) == 200
    assert len(telegram.api.calls_to("answerCallbackQuery")) == 1
    reply = telegram.api.replies()[-1]
    assert reply.method == "sendMessage"
    assert t("ky", "Choose a topic or type your question.") in reply.params["text"]


# -- what is not private text --------------------------------------------------------------
@pytest.mark.parametrize("content", [
    {"photo": [{"file_id": "p", "file_unique_id": "p1", "width": 90, "height": 90}]},
    {"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}},
    {"sticker": {"file_id": "s", "file_unique_id": "s1", "type": "regular", "width": 512,
                 "height": 512, "is_animated": False, "is_video": False}},
    {"location": {"latitude": 55.75, "longitude": 37.61}},
])
async def test_non_text_messages_get_a_polite_reply_in_the_persons_language(telegram, content):
    await telegram.say("/start", language_code="tg")
    user = telegram.updates.user(CHAT, "tg")
    assert await telegram.deliver(telegram.updates.message(CHAT, user=user, **content)) == 200
    reply = telegram.api.replies()[-1]
    assert reply.params["text"] == t("tg", "I can only read text messages. Please type your "
                                           "question or choose a topic with the buttons.")
    assert labels(reply) == [t("tg", "Menu")]


async def test_the_rate_limit_counts_stickers_and_edits_too(telegram):
    """A flood of what the bot cannot read gets the notes the limit allows, one warning,
    then silence — as a flood of texts does."""
    user = telegram.updates.user(CHAT, "tg")
    sticker = {"file_id": "s", "file_unique_id": "s1", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}
    for number in range(30):
        update = (telegram.updates.message(CHAT, "x", key="edited_message", user=user)
                  if number % 3 == 0 else telegram.updates.message(CHAT, user=user,
                                                                  sticker=sticker))
        assert await telegram.deliver(update) == 200
    replies = telegram.api.replies()
    assert len(replies) == LIMIT_PER_MINUTE + 1
    assert replies[-1].params["text"] == t("tg", "You are sending messages very fast. "
                                                 "Please wait a minute, then write again.")
    assert (await telegram.session()).window_count == 30


async def test_an_edited_message_gets_a_polite_reply(telegram):
    await telegram.say("/start", language_code="uz")
    update = telegram.updates.message(CHAT, "tahrir", key="edited_message",
                                      user=telegram.updates.user(CHAT, "uz"))
    assert await telegram.deliver(update) == 200
    assert telegram.api.replies()[-1].params["text"] == t(
        "uz", "I only read new messages, not edited ones. Please send your question again "
              "as a new message.")


@pytest.mark.parametrize("update", [
    UpdateFactory().message(-100123, "/start", chat_type="group"),
    UpdateFactory().message(-100123, "/start", chat_type="supergroup"),
    UpdateFactory().message(-100456, "news", chat_type="channel", key="channel_post"),
    UpdateFactory().message(-100456, "news", chat_type="channel", key="edited_channel_post"),
    {"update_id": 77, "inline_query": {"id": "1", "from": {"id": 5, "is_bot": False,
                                       "first_name": "X"}, "query": "q", "offset": ""}},
    UpdateFactory().message(CHAT, None, new_chat_title="joined"),
])
async def test_group_chats_channel_posts_and_service_messages_are_ignored(telegram, update):
    assert await telegram.deliver(update) == 200
    assert telegram.api.replies() == []
    assert await telegram.sessions() == 0


async def test_a_user_who_blocked_the_bot_is_forgotten(telegram):
    await telegram.say("/start", language_code="ru")
    assert await telegram.sessions() == 1
    telegram.api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    update = telegram.updates.message(CHAT, "/menu", user=telegram.updates.user(CHAT, "ru"))
    assert await telegram.deliver(update) == 200
    assert await telegram.sessions() == 0


async def test_the_block_notice_itself_deletes_the_session(telegram):
    await telegram.say("/start", language_code="ru")
    assert await telegram.deliver(telegram.updates.blocked(CHAT)) == 200
    assert await telegram.sessions() == 0
    assert len(telegram.api.replies()) == 1


# -- privacy -------------------------------------------------------------------------------
async def test_ids_names_and_texts_reach_neither_the_logs_nor_the_database(
        telegram, caplog, database_url):
    caplog.set_level(logging.DEBUG)
    chat, username, first_name = 735_194_862, "secret_username_xq", "Айгүлпрайвеси"
    text = "Паспортумду иш берүүчү алып койду, эмне кылам? кызылкуш"
    await telegram.say("/start", chat=chat, language_code="ky", username=username,
                       first_name=first_name)
    await telegram.say(text, chat=chat, language_code="ky", username=username,
                       first_name=first_name)
    await telegram.deliver(telegram.updates.message(
        chat, user=telegram.updates.user(chat, "ky", first_name, username),
        photo=[{"file_id": "p", "file_unique_id": "p1", "width": 1, "height": 1}]))
    assert caplog.records, "nothing was logged at all: the test would prove nothing"
    secrets = [str(chat), username, first_name, "кызылкуш", telegram.api.token]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in secrets:
        assert secret not in logged
    dumped = await dump_database(database_url)
    assert str(CHAT) not in dumped and "telegram" in dumped  # the dump did see the rows
    for secret in secrets:
        assert secret not in dumped
    if database_url.startswith("sqlite"):  # the file too: deleted rows linger in pages
        path = Path(database_url.split("///", 1)[1])
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in secrets:
            assert secret.encode() not in stored


async def dump_database(database_url: str) -> str:
    """Every row of every table, as text."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            rows = [repr(row) for name in names
                    for row in (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()]
    finally:
        await engine.dispose()
    return "\n".join(rows)


# -- start-up ------------------------------------------------------------------------------
async def test_start_registers_the_webhook_and_commands_in_every_language(
        aiohttp_client, tmp_path, database_url, api):
    settings = telegram_settings(tmp_path, database_url, api,
                                 public_url="https://bot.example.org")
    await aiohttp_client(create_app(settings))
    assert api.calls[0].method == "getMe"
    (webhook,) = api.calls_to("setWebhook")
    assert webhook.params["url"] == "https://bot.example.org/telegram/webhook"
    assert webhook.params["secret_token"] == SECRET
    assert set(webhook.params["allowed_updates"]) >= {"message", "callback_query"}
    commands = {call.params.get("language_code"): call.params["commands"]
                for call in api.calls_to("setMyCommands")}
    assert set(commands) == {None, "ru", "ky", "tg", "uz"}
    for language, listed in commands.items():
        assert [c["command"] for c in listed] == ["start", "menu", "language", "help", "stop"]
        assert listed[1]["description"] == t(language or "ru", "Main menu")


async def test_polling_mode_answers_without_a_public_address(
        aiohttp_client, tmp_path, database_url, api):
    settings = telegram_settings(tmp_path, database_url, api, telegram_polling=True,
                                 telegram_webhook_secret=Secret(""))
    client = await aiohttp_client(create_app(settings))
    api.push(UpdateFactory().message(CHAT, "/start", user=UpdateFactory.user(CHAT, "ky")))
    (sent,) = await api.wait_for("sendMessage")
    assert t("ky", "Choose a topic or type your question.") in sent.params["text"]
    assert api.calls_to("setWebhook") == []
    response = await client.post("/telegram/webhook", json={"update_id": 1})
    assert response.status in (404, 405)  # no webhook route while polling


async def test_without_a_token_there_is_no_telegram_and_no_bot_api_call(client):
    response = await client.post("/telegram/webhook", json={"update_id": 1})
    assert response.status in (404, 405)


@pytest.mark.parametrize("secret", ["", "has space", "x" * 257, "ключ"])
def test_a_webhook_without_a_valid_secret_does_not_start(tmp_path, database_url, secret):
    settings = make_settings(tmp_path, database_url, telegram_bot_token=Secret("1:abc"),
                             telegram_webhook_secret=Secret(secret))
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        create_app(settings)
