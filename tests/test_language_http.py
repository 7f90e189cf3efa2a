"""Languages through the real web app (``POST /api/simulate``): a first message is answered in
its own language at once, too-short ones get the menu, and a conversation changes language
only when the person clearly does."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.i18n import catalogs
from bot.understanding.langdetect import default_detector

NOTE = 'To change the language, send "language".'
OWN_NAMES = ["Русский", "Кыргызча", "Тоҷикӣ", "O'zbekcha", "Ўзбекча"]

FIRST_MESSAGES = {
    "ru": "Как получить патент на работу в Москве?",
    "ky": "Россияда иштөө үчүн патентти кантип алам?",
    "tg": "Барои кор дар Русия патентро чӣ тавр гирам?",
    "uz": "Rossiyada ishlash uchun patentni qanday olsam bo'ladi?",
    "uz-Cyrl": "Россияда ишлаш учун патентни қандай олсам бўлади?",
}


async def simulate(client, **body):
    response = await client.post("/api/simulate", json=body)
    assert response.status == 200, await response.text()
    return await response.json()


def note(language: str) -> str:
    return catalogs(ROOT / "locales").translator(language)(NOTE)


@pytest.mark.parametrize("language", list(FIRST_MESSAGES))
async def test_a_first_message_is_answered_in_its_language_with_the_change_note(client,
                                                                               language):
    data = await simulate(client, user=f"first-{language}", text=FIRST_MESSAGES[language])
    assert data["language"] == language
    assert data["kind"] != "language"  # answered at once, no menu first
    assert note(language) in data["text"]
    reply_language = default_detector().detect(data["text"]).language
    assert reply_language == language, data["text"][:300]


@pytest.mark.parametrize("language", list(FIRST_MESSAGES))
async def test_the_sms_rendering_carries_the_same_language(client, language):
    data = await simulate(client, user=f"sms-{language}", text=FIRST_MESSAGES[language],
                          channel="sms")
    assert data["language"] == language
    assert default_detector().detect(data["text"]).language == language


@pytest.mark.parametrize("text", ["салам", "hi", "салом", "👍"])
async def test_a_message_too_short_to_tell_gets_the_language_menu(client, text):
    data = await simulate(client, user=f"short-{text}", text=text)
    assert data["kind"] == "language"
    assert [o["label"] for o in data["options"]] == OWN_NAMES


async def test_after_the_menu_a_digit_chooses_and_the_choice_sticks(client):
    await simulate(client, user="pick", text="салам", channel="sms")
    data = await simulate(client, user="pick", text="3", channel="sms")  # Тоҷикӣ
    assert data["language"] == "tg" and data["kind"] == "menu"
    for text in ("патент", "регистрация", "ok", "1"):
        data = await simulate(client, user="pick", text=text, channel="sms")
        assert data["language"] == "tg", text


@pytest.mark.parametrize(("hint", "expected"), [("ky", "ky"), ("tg", "tg"), ("uz", "uz")])
async def test_the_telegram_language_code_decides_a_bare_greeting(client, hint, expected):
    data = await simulate(client, user=f"hint-{hint}", text="салам" if hint != "uz" else "salom",
                          language=hint)
    assert data["language"] == expected
    assert data["kind"] == "menu"
    assert note(expected) in data["text"]


async def test_the_text_outweighs_the_telegram_language_code(client):
    data = await simulate(client, user="outweigh", text="kak poluchit patent", language="ky")
    assert data["language"] == "ru"


@pytest.mark.parametrize("word", ["/language", "язык", "тил", "забон", "til",
                                  "til o'zgartirish", "Tilni o‘zgartirish", "Сменить язык!"])
async def test_the_words_for_language_open_the_menu_at_any_time(client, word):
    await simulate(client, user=f"word-{word}", text="/start", option="l:ky")
    data = await simulate(client, user=f"word-{word}", text=word)
    assert data["kind"] == "language"
    assert [o["label"] for o in data["options"]] == OWN_NAMES


async def test_the_main_menu_offers_the_language_option(client):
    data = await simulate(client, user="menu-lang", text="", option="l:uz")
    assert "nav:lang" in [o["id"] for o in data["options"]]
    data = await simulate(client, user="menu-lang", text="", option="nav:lang")
    assert data["kind"] == "language"


async def test_uzbek_follows_the_script_the_reader_writes_in(client):
    data = await simulate(client, user="script", text="patent olish uchun nima kerak")
    assert data["language"] == "uz"
    data = await simulate(client, user="script", text="патент олиш учун нима керак")
    assert data["language"] == "uz-Cyrl"
    assert note("uz-Cyrl") in data["text"]
    data = await simulate(client, user="script", text="0")
    assert data["language"] == "uz-Cyrl"
    data = await simulate(client, user="script", text="registratsiya qancha turadi")
    assert data["language"] == "uz"


async def test_one_word_never_flips_but_a_clear_sentence_does(client):
    data = await simulate(client, user="flip", text="патентти кантип алам")
    assert data["language"] == "ky"
    for word in ("патент", "спасибо", "меню", "регистрация"):
        data = await simulate(client, user="flip", text=word)
        assert data["language"] == "ky", word
    data = await simulate(client, user="flip", text="как оплатить патент через госуслуги")
    assert data["language"] == "ru"
    assert note("ru") in data["text"]
    data = await simulate(client, user="flip", text="0")
    assert data["language"] == "ru"
    assert note("ru") not in data["text"]  # said once, when the language changed
