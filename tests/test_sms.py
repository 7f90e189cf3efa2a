"""``POST /sms/twilio`` end to end: requests signed with twilio's own RequestValidator, the
TwiML answers parsed, every message measured with the project's segment counter."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from bot.config import ROOT, ConfigError, Secret, Settings, TrustedProxies
from bot.content.loader import load_content
from bot.engine import STOP_WORDS
from bot.i18n import catalogs
from bot.privacy import sender_key
from bot.ratelimit import LIMIT_PER_MINUTE
from bot.render.sms import SMS_LANGUAGE_NAMES, script_for
from bot.sms.segments import count_segments
from bot.sms.text import sms_plain
from bot.storage.db import create_engine
from bot.storage.store import Store
from bot.web.app import create_app
from bot.web.keys import SERVICE, STORE
from handlers.language import OWN_NAMES
from tests.conftest import make_settings

TOKEN = "twilio-auth-token-for-tests"
PATH = "/sms/twilio"
PHONES = {"ru": "+79161234567", "ky": "+996555123456", "tg": "+992900123456",
          "uz": "+998901234567", "uz-Cyrl": "+998907654321"}
_numbers = itertools.count(1000000)

CONTENT = load_content(ROOT / "content")
T = catalogs(ROOT / "locales")


def new_phone(prefix: str = "+99655") -> str:
    """A number of its own for each conversation (the rate limit counts per sender)."""
    return f"{prefix}{next(_numbers)}"


def parse_twiml(body: str) -> list[str]:
    root = ET.fromstring(body.encode())
    assert root.tag == "Response"
    return [message.text or "" for message in root.iter("Message")]


class Handset:
    """One phone texting the bot through Twilio, as Twilio signs and posts it."""

    def __init__(self, client: Any, phone: str | None = None, token: str = TOKEN,
                 url: str | None = None, gsm7: bool = False) -> None:
        self.client, self.phone, self.token = client, phone or new_phone(), token
        self.url = url or str(client.make_url(PATH))
        self.gsm7 = gsm7  # every answer must be GSM-7 (Uzbek Latin, LAT)

    def form(self, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
        return {"AccountSid": "AC" + "0" * 32, "MessageSid": sid or "SM" + uuid.uuid4().hex,
                "From": self.phone, "To": "+15005550006", "Body": body, "NumMedia": "0",
                "NumSegments": "1", **extra}

    async def post(self, form: dict[str, str], headers: dict[str, str] | None = None,
                   signature: str | None = None) -> Any:
        if signature is None:
            signature = RequestValidator(self.token).compute_signature(self.url, form)
        return await self.client.post(PATH, data=form, headers={
            "X-Twilio-Signature": signature, **(headers or {})})

    async def raw(self, body: str, sid: str | None = None, **extra: str) -> str:
        response = await self.post(self.form(body, sid, **extra))
        assert response.status == 200, await response.text()
        assert response.content_type == "text/xml"
        return await response.text()

    async def send(self, body: str, sid: str | None = None, **extra: str) -> list[str]:
        messages = parse_twiml(await self.raw(body, sid, **extra))
        for message in messages:
            counted = count_segments(message)
            assert 0 < counted.segments <= 3, (counted, message)
            if self.gsm7:
                assert counted.encoding == "GSM-7", message
        return messages

    async def one(self, body: str, **extra: str) -> str:
        messages = await self.send(body, **extra)
        assert len(messages) == 1, messages
        return messages[0]


def digit(messages: list[str], label: str) -> str:
    """The number an SMS line starts with, found by its label."""
    for line in "\n".join(messages).splitlines():
        number, _, text = line.partition(" ")
        if text.strip() == label:
            return number
    raise AssertionError(f"no line {label!r} in {messages}")


async def main_menu(phone: Handset, language: str) -> list[str]:
    """/start, and the language chosen when the bot asks for it."""
    menu = await phone.send("/start")
    for own_name in (OWN_NAMES[language], *SMS_LANGUAGE_NAMES.get(f"l:{language}", ())):
        if any(line.endswith(f" {own_name}") for line in "\n".join(menu).splitlines()):
            return await phone.send(digit(menu, own_name))
    return menu


def sms_text(topic_id: str, language: str, latin: bool = False) -> str:
    return script_for(language, latin)(sms_plain(CONTENT.texts[(topic_id, language)].sms))


@pytest.fixture
def sms_settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url, twilio_auth_token=Secret(TOKEN))


@pytest.fixture
async def sms_client(aiohttp_client, sms_settings):
    return await aiohttp_client(create_app(sms_settings))


async def session_of(settings, phone: str):
    store = Store(create_engine(settings.database_url))
    try:
        return await store.load(sender_key(settings.secret_key, "sms", phone))
    finally:
        await store.engine.dispose()


# -- who may post ---------------------------------------------------------------------

async def test_an_unsigned_request_is_refused(sms_client):
    response = await sms_client.post(PATH, data=Handset(sms_client).form("патент"))
    assert response.status == 403


async def test_a_forged_or_tampered_request_is_refused(sms_client):
    forger = Handset(sms_client, token="not-the-real-token")
    assert (await forger.post(forger.form("патент"))).status == 403
    honest = Handset(sms_client)
    form = honest.form("патент")
    signature = RequestValidator(TOKEN).compute_signature(honest.url, form)
    form["Body"] = "STOP"  # changed after signing
    assert (await honest.post(form, signature=signature)).status == 403


async def test_without_an_auth_token_every_request_is_refused(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings))  # TWILIO_AUTH_TOKEN unset
    phone = Handset(client, token="")
    assert (await phone.post(phone.form("патент"))).status == 403


async def test_the_signature_is_checked_over_public_url(aiohttp_client, tmp_path,
                                                        database_url):
    public = "https://sms.example.org"
    app = create_app(make_settings(tmp_path, database_url, twilio_auth_token=Secret(TOKEN),
                                   public_url=public))
    client = await aiohttp_client(app)
    assert await Handset(client, url=public + PATH).send("0")
    local = Handset(client)  # signed over the address the app itself sees
    assert (await local.post(local.form("0"))).status == 403


async def test_a_signature_over_the_url_with_its_port_is_accepted(aiohttp_client, tmp_path,
                                                                 database_url):
    """Twilio has signed ``https://host:443/…`` as well as ``https://host/…``: both pass,
    a signature made with another token or for another path does not, and a signature
    header with non-ASCII bytes is a 403, not an error."""
    public = "https://sms.example.org"
    app = create_app(make_settings(tmp_path, database_url, twilio_auth_token=Secret(TOKEN),
                                   public_url=public))
    client = await aiohttp_client(app)
    assert await Handset(client, url="https://sms.example.org:443" + PATH).send("0")
    assert await Handset(client, url=public + PATH).send("0")
    other_token = Handset(client, url=public + PATH, token="another-token")
    assert (await other_token.post(other_token.form("0"))).status == 403
    other_path = Handset(client, url=public + "/sms/other")
    assert (await other_path.post(other_path.form("0"))).status == 403
    phone = Handset(client, url=public + PATH)
    response = await phone.post(phone.form("0"), signature="подпись=")
    assert response.status == 403


async def test_behind_a_trusted_proxy_the_forwarded_scheme_and_host_are_honoured(
        aiohttp_client, tmp_path, database_url):
    app = create_app(make_settings(tmp_path, database_url, twilio_auth_token=Secret(TOKEN),
                                   forwarded_allow_ips=TrustedProxies.parse("127.0.0.0/8")))
    client = await aiohttp_client(app)
    inner = client.make_url(PATH)
    phone = Handset(client, url=str(inner.with_scheme("https")))
    response = await phone.post(phone.form("0"), headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert (await phone.post(phone.form("0"))).status == 403  # no header: http was signed
    public = Handset(client, url="https://bot.example.org" + PATH)
    response = await public.post(public.form("0"), headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.org"})
    assert response.status == 200


OTHER_HOST = {"Host": "other-deployment.example.org"}
OTHER_FORWARDED = {"X-Forwarded-Host": "other-deployment.example.org"}


@pytest.mark.parametrize("headers", [
    OTHER_HOST, OTHER_FORWARDED, {**OTHER_HOST, "X-Forwarded-Proto": "https"},
    {**OTHER_FORWARDED, "X-Forwarded-Proto": "https"}, {**OTHER_HOST, **OTHER_FORWARDED},
])
async def test_a_signature_made_for_another_host_is_refused_whatever_the_headers_say(
        sms_client, sms_settings, headers):
    """Without PUBLIC_URL and without a trusted proxy, a STOP signed for another deployment
    on the same Twilio account, replayed here with its Host, is refused: it deletes nothing."""
    phone = Handset(sms_client)
    await main_menu(phone, "ky")
    for url in ("http://other-deployment.example.org" + PATH,
                "https://other-deployment.example.org" + PATH):
        replay = Handset(sms_client, phone=phone.phone, url=url)
        response = await replay.post(replay.form("STOP"), headers=headers)
        assert response.status == 403, url
    assert (await session_of(sms_settings, phone.phone)).language == "ky"  # still there
    assert await phone.send("0")  # signed for the address it reached: answered


def test_forwarded_allow_ips_is_read_like_gunicorns(tmp_path):
    assert not Settings.from_env({"DATA_DIR": str(tmp_path)}).forwarded_allow_ips
    proxies = TrustedProxies.parse("10.0.0.0/8, 127.0.0.1,::1")
    assert proxies.trusts("10.1.2.3") and proxies.trusts("127.0.0.1")
    assert proxies.trusts("::1") and not proxies.trusts("192.168.0.1")
    assert not proxies.trusts(None) and not proxies.trusts("not an address")
    assert TrustedProxies.parse("*").trusts("203.0.113.9")
    with pytest.raises(ConfigError, match="FORWARDED_ALLOW_IPS"):
        TrustedProxies.parse("10.0.0.0/8, proxy.example.org")


async def test_a_form_without_a_sender_is_a_clear_400(sms_client):
    phone = Handset(sms_client)
    form = phone.form("патент")
    del form["From"]
    assert (await phone.post(form)).status == 400


# -- answers --------------------------------------------------------------------------

QUESTIONS = {
    "ru": "как оплатить патент",
    "ky": "Россияда иштөө үчүн патентти кантип алам",
    "tg": "чӣ тавр барои кор дар Русия патент гирам",
    "uz": "Rossiyada ishlash uchun patent qanday olinadi",
    "uz-Cyrl": "патентни қандай тўлайман",
}


def answers_in(messages: list[str], language: str) -> bool:
    """A topic's SMS text in ``language``, or a choice of topics titled in ``language``."""
    script = script_for(language, False)
    texts = [t for (_, lang), t in CONTENT.texts.items() if lang == language]
    joined = "\n".join(messages)
    lines = {line.partition(" ")[2] for line in joined.splitlines()}
    return any(joined.startswith(sms_text(t.topic_id, language)[:40])
               or script(t.title) in lines for t in texts)


@pytest.mark.parametrize("language", list(QUESTIONS))
async def test_a_question_in_each_language_is_answered_in_that_language(sms_client, language):
    phone = Handset(sms_client, phone=new_phone(PHONES[language][:6]),
                    gsm7=language == "uz")
    answer = await phone.send(QUESTIONS[language])
    assert answers_in(answer, language), answer
    t, script = T.translator(language), script_for(language, False)
    # The menu, when it fits; else the way on to the whole text closes the message.
    endings = {f"0 {script(t('Menu'))}", f"9 {script(t('More'))}",
               f"9 {script(t('More: the whole text'))}"}
    assert answer[-1].splitlines()[-1] in endings


async def test_uzbek_answers_stay_gsm7_through_a_whole_module(sms_client):
    module = CONTENT.module("permits")
    assert module is not None
    for topic_id in module.topics:
        phone = Handset(sms_client, phone=new_phone("+99890"), gsm7=True)
        menu = await main_menu(phone, "uz")
        topics = await phone.send(digit(menu, module.sms_title("uz")))
        [answer] = await phone.send(digit(topics, CONTENT.title(topic_id, "uz")))
        assert answer.startswith(sms_text(topic_id, "uz")[:30])


async def test_lat_turns_cyrillic_answers_into_cheaper_gsm7(sms_client):
    phone = Handset(sms_client, phone=new_phone("+7916"))
    [cyrillic] = await phone.send(QUESTIONS["ru"])
    assert count_segments(cyrillic).encoding == "UCS-2"
    phone.gsm7 = True
    switched = await phone.send("LAT")
    assert "LAT" in switched[-1]
    [latin] = await phone.send(QUESTIONS["ru"])
    assert re.fullmatch(r"[\x20-\x7e\n]+", latin), latin
    assert count_segments(latin).segments < count_segments(cyrillic).segments or \
        count_segments(cyrillic).segments == 1
    phone.gsm7 = False
    back = await phone.send("lat")
    assert count_segments("\n".join(back)).encoding == "UCS-2"


async def test_paging_walks_a_topic_from_its_summary_to_the_end_of_its_whole_text(sms_client):
    """The SMS version first, ending with "9 Ещё…"; then MORE (9, ЕЩЁ, more …) brings the
    whole text page by page — title, body, the line on checking — each page announcing
    the true number of pages; the last ends with the date and the options."""
    phone = Handset(sms_client, phone=new_phone("+7916"))
    menu = await main_menu(phone, "ru")
    help_module = CONTENT.module("help")
    assert help_module is not None
    topics = await phone.send(digit(menu, help_module.sms_title("ru")))
    summary = await phone.one(digit(topics, CONTENT.title("help.hotlines", "ru")))
    text = CONTENT.texts[("help.hotlines", "ru")]
    assert summary.startswith(sms_plain(text.sms)[:40])
    assert any(line.startswith("9 Ещё") for line in summary.splitlines()), summary
    asks = itertools.cycle(["9", "ЕЩЁ", "more", "еще"])
    page = await phone.one(next(asks))
    pages, totals = [], set()
    while True:
        *lines, last = page.splitlines()
        found = re.fullmatch(r"\((\d+)/(\d+)\) Далее: 9 или ЕЩЁ", last)
        if not found:
            break
        assert int(found.group(1)) == len(pages) + 1
        totals.add(int(found.group(2)))
        pages.append("\n".join(lines))
        page = await phone.one(next(asks))
    assert len(pages) >= 2, "the topic should need several pages"
    assert totals == {len(pages) + 1}  # every page announced the true number of pages
    lines = page.splitlines()
    assert lines[-2:] == ["1 Назад", "0 Меню"]
    assert re.fullmatch(r"Проверено: \d\d\.\d\d\.\d{4}", lines[-3])  # how old the answer is
    pages.append("\n".join(lines[:-3]))
    t = T.translator("ru")
    footer = t("Laws change often: before you act, check on the official sites named in "
               "this answer or with your embassy. Last checked: {date}",
               date=t.date(text.reviewed))
    whole = "\n".join([text.title, sms_plain(text.body), footer])
    assert " ".join("\n".join(pages).split()) == " ".join(whole.split())
    after = await phone.one("9")
    assert after.splitlines()[0] == "Это конец текста."
    again = await phone.one("1")  # Back still works after the end
    assert CONTENT.title("help.hotlines", "ru") in again


# -- retries --------------------------------------------------------------------------

def count_answers(app: Any) -> list[int]:
    calls: list[int] = []
    app[SERVICE].listeners.append(lambda incoming, reply: calls.append(1))
    return calls


async def test_a_retried_message_sid_gets_the_same_answer_and_changes_nothing(
        sms_client, sms_settings):
    calls = count_answers(sms_client.server.app)
    phone = Handset(sms_client)
    await phone.send("/start")
    await phone.send("1")  # Русский
    first = await phone.raw("1", sid="SMretried0001")  # the first module
    before = await session_of(sms_settings, phone.phone)
    for _ in range(3):
        assert await phone.raw("1", sid="SMretried0001") == first
    after = await session_of(sms_settings, phone.phone)
    assert (after.position, after.page, after.updated_at) == \
        (before.position, before.page, before.updated_at)
    assert len(calls) == 3  # /start, 1, 1: the retries were not counted


async def test_the_idempotency_token_identifies_a_retry_without_a_sid(sms_client):
    phone = Handset(sms_client)
    form = phone.form("0")
    del form["MessageSid"]
    header = {"I-Twilio-Idempotency-Token": "token-" + uuid.uuid4().hex}
    first = await phone.post(form, headers=header)
    second = await phone.post(form, headers=header)
    assert first.status == second.status == 200
    assert await first.text() == await second.text()


async def test_retries_reaching_other_processes_get_the_same_answer(aiohttp_client,
                                                                    sms_settings):
    """Several app instances on one database, as several web processes run."""
    apps = [create_app(sms_settings) for _ in range(3)]
    clients = [await aiohttp_client(app) for app in apps]
    calls = [count_answers(app) for app in apps]
    phone = new_phone()
    sid = "SM" + uuid.uuid4().hex
    handsets = [Handset(client, phone=phone) for client in clients]
    answers = await asyncio.gather(*(h.raw("как получить патент", sid=sid) for h in handsets))
    answers.append(await handsets[0].raw("как получить патент", sid=sid))
    assert len(set(answers)) == 1 and parse_twiml(answers[0])
    assert sum(len(c) for c in calls) == 1


async def test_a_conversation_moves_between_processes_on_one_sqlite_file(
        aiohttp_client, sms_settings):
    """Each process remembers the sessions it saved; when the other one has written since,
    the answer is worked out again from the database, never from a stale memory."""
    clients = [await aiohttp_client(create_app(sms_settings)) for _ in range(2)]
    phone = new_phone()
    here, there = (Handset(client, phone=phone) for client in clients)
    await main_menu(here, "ky")  # this process now remembers the main menu
    permits = CONTENT.module("permits")
    module = await there.send(digit(await there.send("/start"), permits.sms_title("ky")))
    assert (await session_of(sms_settings, phone)).position == "module:permits"
    topic_id = permits.topics[0]
    await here.send(digit(module, CONTENT.title(topic_id, "ky")))  # of the permits menu
    assert (await session_of(sms_settings, phone)).position == f"topic:{topic_id}"


async def test_a_broken_sqlite_connection_costs_one_stateless_answer(sms_client, sms_settings,
                                                                    caplog):
    """The database connection dies under a running app: the message that meets it is
    answered from content all the same (and the fault logged once), the next one gets a
    new connection and the conversation goes on."""
    if "sqlite" not in sms_settings.database_url:
        pytest.skip("the driver connection here is SQLite's (PostgreSQL: test_faults.py)")
    phone = Handset(sms_client)
    await main_menu(phone, "ky")
    store = sms_client.server.app[STORE]
    async with store.engine.connect() as conn:
        await (await conn.get_raw_connection()).driver_connection.close()
    with caplog.at_level(logging.ERROR):
        menu = await phone.send("0")
    assert any(CONTENT.module("permits").sms_title("ky") in line for line in menu)
    assert "database unreachable" in caplog.text
    permits = await phone.send(digit(await phone.send("0"),
                                     CONTENT.module("permits").sms_title("ky")))
    assert permits and (await session_of(sms_settings, phone.phone)).position == "module:permits"


async def test_a_session_that_cannot_be_read_is_not_overwritten(aiohttp_client,
                                                                  sms_settings):
    """One process cannot read the database at the moment (its connection just died): it
    answers from content, and the blank session it answered from does not replace where
    the person stands."""
    if "sqlite" not in sms_settings.database_url:
        pytest.skip("the driver connection here is SQLite's")
    here, there = [await aiohttp_client(create_app(sms_settings)) for _ in range(2)]
    phone = new_phone()
    permits = CONTENT.module("permits")
    first = Handset(here, phone=phone)
    await first.send(digit(await main_menu(first, "ky"), permits.sms_title("ky")))
    store = there.server.app[STORE]
    async with store.engine.connect() as conn:
        await (await conn.get_raw_connection()).driver_connection.close()
    assert await Handset(there, phone=phone).send("0")  # answered, from nothing
    assert (await session_of(sms_settings, phone)).position == "module:permits"


# -- keywords -------------------------------------------------------------------------

async def test_stop_deletes_the_session_and_leaves_the_confirmation_to_twilio(
        sms_client, sms_settings):
    phone = Handset(sms_client)
    await phone.send("/start")
    await phone.send("2")  # Кыргызча
    assert (await session_of(sms_settings, phone.phone)).language == "ky"
    assert await phone.send("STOP") == []  # Twilio's own confirmation is the one sent
    assert (await session_of(sms_settings, phone.phone)).language is None
    assert (await phone.send("START"))  # welcome back: an answer, not silence


@pytest.mark.parametrize("word", sorted(w for w in STOP_WORDS if w.isalpha()))
async def test_every_stop_word_deletes_the_session(sms_client, sms_settings, word):
    phone = Handset(sms_client, phone=new_phone("+7916"))
    await phone.send(QUESTIONS["ru"])
    assert (await session_of(sms_settings, phone.phone)).language == "ru"
    answer = await phone.send(word.upper())
    assert (await session_of(sms_settings, phone.phone)).language is None
    if word == "стоп":  # not a Twilio keyword: our confirmation, once, in Russian
        assert answer == [T.translator("ru")(
            "Done: I have deleted our conversation. Write any message to start again.")]
    else:
        assert answer == []


async def test_twilio_advanced_opt_out_is_obeyed(sms_client, sms_settings):
    phone = Handset(sms_client, phone=new_phone("+7916"))
    await phone.send(QUESTIONS["ru"])
    assert await phone.send("ОТПИСАТЬСЯ", OptOutType="STOP") == []
    assert (await session_of(sms_settings, phone.phone)).language is None


@pytest.mark.parametrize(("word", "language"), [("HELP", "ru"), ("помощь", "ru"),
                                                ("жардам", "ky")])
async def test_help_introduces_the_bot_and_gives_the_emergency_number(sms_client, word,
                                                                     language):
    phone = Handset(sms_client, phone=new_phone(PHONES[language][:6]))
    await phone.send(QUESTIONS[language])
    messages = await phone.send(word)
    assert len(messages) <= 2 and all(count_segments(m).segments <= 3 for m in messages)
    text = "\n".join(messages)
    assert "112" in text and "STOP" in text
    assert text.startswith(T.translator(language)(
        "Hello! I tell labour migrants about their rights, legal work abroad and where "
        "to get help. It is free and anonymous.").split(" ")[0])


# -- odd messages ---------------------------------------------------------------------

async def test_an_empty_message_gets_a_polite_line_and_leaves_the_conversation(
        sms_client, sms_settings):
    phone = Handset(sms_client, phone=new_phone("+99655"))
    text = await phone.one("   ")
    assert text == T.translator("ky")(
        "Your message was empty. Write your question, or send 0 for the menu.")
    assert (await session_of(sms_settings, phone.phone)).language is None


async def test_the_rate_limit_counts_empty_messages_and_pictures_too(sms_client,
                                                                     sms_settings):
    """Every answer is a billed SMS: a flood of empty messages gets the lines the limit
    allows, one warning, then empty TwiML (nothing sent)."""
    phone = Handset(sms_client, phone=new_phone("+7916"))
    answers = []
    for number in range(40):
        extra = {"NumMedia": "1"} if number % 4 == 0 else {}
        answers.append(parse_twiml(await phone.raw("", **extra)))
    assert [len(a) for a in answers] == [1] * (LIMIT_PER_MINUTE + 1) + [0] * 19
    assert answers[LIMIT_PER_MINUTE] == [T.translator("ru")(
        "You are sending messages very fast. Please wait a minute, then write again.")]
    assert (await session_of(sms_settings, phone.phone)).window_count == 40


async def test_a_picture_gets_a_polite_line_in_the_readers_language(sms_client):
    phone = Handset(sms_client, phone=new_phone("+99290"))
    note = T.translator("tg")(
        "I can read only text, not pictures or files. Please write your question in words.")
    assert await phone.one("", NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg") == note
    with_text = await phone.send(QUESTIONS["tg"], NumMedia="2")
    assert with_text[0].startswith(note)


async def test_huge_bodies_and_control_characters_get_polite_answers(sms_client):
    phone = Handset(sms_client, phone=new_phone("+7916"))
    assert await phone.send("патент " * 400)  # 2,800 characters, cut at 1,600
    assert await phone.send("\x00\x07как\x1b получить\u200b патент\x7f")
    assert await phone.one("\x00\x01\x02") == T.translator("ru")(
        "Your message was empty. Write your question, or send 0 for the menu.")
    assert await phone.send("🙏🔥" * 400)


async def test_the_number_and_the_text_are_neither_stored_nor_logged(sms_client,
                                                                     sms_settings, caplog):
    caplog.set_level(logging.DEBUG)
    phone = Handset(sms_client, phone="+996700987654")
    secret_words = "мой секретный вопрос про патент"
    await phone.send("/start")
    await phone.send(secret_words)
    await phone.send("STOP")
    await phone.send("привет снова")
    logged = caplog.text
    for needle in ("996700987654", "700987654", secret_words):
        assert needle not in logged
    url = sms_settings.database_url
    if not url.startswith("sqlite"):
        pytest.skip("the file search applies to SQLite")
    path = Path(url.split("///", 1)[1])
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert raw and b"996700987654" not in raw and secret_words.encode() not in raw


async def test_the_session_is_committed_before_the_answer_goes_out(sms_client, sms_settings):
    """The session's save rides on the commit of the answer kept for retries: when Twilio
    has the TwiML, another process (a separate engine here) already sees the new place."""
    for _ in range(5):
        phone = Handset(sms_client)
        await main_menu(phone, "ky")
        seen = await session_of(sms_settings, phone.phone)
        assert (seen.language, seen.position) == ("ky", "root"), seen
        menu = await phone.send("/start")
        await phone.send(digit(menu, CONTENT.module("permits").sms_title("ky")))
        assert (await session_of(sms_settings, phone.phone)).position == "module:permits"
