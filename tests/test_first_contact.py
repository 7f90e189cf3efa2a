"""The first contact on SMS: at most two segments in every language, whatever greeting
opens it; the longer introduction on HELP; every answer says how to read the whole text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.content.loader import load_content
from bot.i18n import catalogs
from bot.render.sms import WELCOME_SEGMENTS, render_sms_messages, render_sms_page, script_for
from bot.sms.segments import count_segments
from bot.sms.text import sms_plain
from bot.types import LANGUAGES
from tests.conversation import Conversation

T = catalogs(ROOT / "locales")
#: A first message in each language, and the sender's country (as the SMS channel hints).
GREETINGS = {
    "ru": ("Здравствуйте", None),
    "ky": ("Саламатсызбы", None),
    "tg": ("Ассалому алейкум, бародарон", None),
    "uz": ("Assalomu alaykum aka", "UZ"),
    "uz-Cyrl": ("Ассалому алайкум ака", "UZ"),
}
#: The module about to be added (its titles as written for it), with and without SMS names.
LIFE = """  - id: life
    title:
      ru: "Жизнь в России: полиция, здоровье, деньги, семья"
      ky: "Орусиядагы жашоо: полиция, ден соолук, акча, үй-бүлө"
      tg: "Зиндагӣ дар Русия: полис, саломатӣ, пул, оила"
      uz: "Rossiyada hayot: politsiya, sog'liq, pul, oila"
{sms}    topics:
      - help.hotlines-copy
"""
LIFE_SMS = """    sms:
      ru: Жизнь
      ky: Жашоо
      tg: Зиндагӣ
      uz: Hayot
"""


def segments(messages: list[str]) -> int:
    return sum(count_segments(message).segments for message in messages)


async def first_contact(language: str, content=None, text: str | None = None) -> list[str]:
    greeting, country = GREETINGS[language]
    chat = Conversation(content=content, channel="sms")
    reply = await chat.say_from(text or greeting, country)
    assert reply.kind == "menu" and reply.language == language, (reply.kind, reply.language)
    return render_sms_messages(reply, latin=chat.session.latin, catalogs=T)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_first_contact_is_a_short_welcome_the_modules_and_lat_in_two_segments(
        language):
    messages = await first_contact(language)
    assert len(messages) == 1 and segments(messages) <= WELCOME_SEGMENTS, messages
    lines = messages[0].splitlines()
    t = T.translator(language)
    assert lines[0] == t("Hello! Migrants' rights, free of charge:").replace("ʻ", "'")
    numbered = [line for line in lines[1:] if line[:1].isdigit()]
    assert [n.split(" ")[0] for n in numbered] == ["1", "2", "3", "4", "5"]  # 4 modules, language
    names = [script_for(language, False)(m.sms_title(language))
             for m in load_content(ROOT / "content").modules]
    assert all(names) and [n.split(" ", 1)[1] for n in numbered[:4]] == names
    if language != "uz":  # Latin Uzbek is GSM-7 already: no LAT line
        assert lines[-1].startswith("LAT")
    assert len(lines) == 1 + len(numbered) + (language != "uz")


@pytest.fixture
def five_modules(tmp_path: Path):
    """The shipped content with a fifth module, as the menu is about to grow."""
    def make(with_sms_names: bool) -> Path:
        folder = tmp_path / ("named" if with_sms_names else "unnamed")
        shutil.copytree(ROOT / "content", folder)
        for language in ("ru", "ky", "tg", "uz"):
            source = folder / language / "help.hotlines.md"
            text = source.read_text(encoding="utf-8")
            (folder / language / "help.hotlines-copy.md").write_text(
                text.replace("id: help.hotlines", "id: help.hotlines-copy"), encoding="utf-8")
        menu = folder / "menu.yaml"
        menu.write_text(menu.read_text(encoding="utf-8")
                        + LIFE.format(sms=LIFE_SMS if with_sms_names else ""),
                        encoding="utf-8")
        return folder
    return make


@pytest.mark.parametrize("with_sms_names", [True, False])
@pytest.mark.parametrize("language", LANGUAGES)
async def test_with_a_fifth_module_the_first_contact_still_fits_two_segments(
        language, with_sms_names, five_modules):
    content = load_content(five_modules(with_sms_names))
    assert len(content.modules) == 5
    messages = await first_contact(language, content)
    assert len(messages) == 1 and segments(messages) <= WELCOME_SEGMENTS, messages
    numbered = [line for line in messages[0].splitlines() if line[:1].isdigit()]
    assert [n.split(" ")[0] for n in numbered] == ["1", "2", "3", "4", "5", "6"]
    if with_sms_names:  # the welcome line stays when the modules have short names
        assert not messages[0][:1].isdigit()


@pytest.mark.parametrize(("text", "country", "language"), [
    ("Ассалому алейкум, бародарон", None, "tg"),
    ("салам брат", "KG", "ky"),
    ("assalomu alaykum aka", "UZ", "uz"),
    ("Салам, байке!", None, "ky"),
    ("Привет всем", None, "ru"),
    ("Assalomu alaykum, yaxshimisiz?", None, "uz"),
])
async def test_a_greeting_with_a_few_more_words_is_still_a_greeting(text, country, language):
    chat = Conversation(channel="sms")
    reply = await chat.say_from(text, country)
    assert (reply.kind, reply.language) == ("menu", language), reply.blocks
    messages = render_sms_messages(reply, catalogs=T)
    assert segments(messages) <= WELCOME_SEGMENTS, messages


async def test_a_greeting_then_a_question_is_a_question():
    reply = await Conversation(channel="sms").say("салам брат сколько стоит патент")
    assert reply.kind in {"topic", "search", "didyoumean"}, reply.kind


@pytest.mark.parametrize("language", LANGUAGES)
async def test_help_brings_the_introduction(language):
    chat = Conversation(channel="sms", language=language)
    reply = await chat.say("help")
    intro = T.translator(language)(
        "Hello! I tell labour migrants about their rights, legal work abroad and where "
        "to get help. It is free and anonymous.")
    assert reply.kind == "help" and reply.blocks[0] == intro
    text = "\n".join(render_sms_messages(reply, catalogs=T))
    assert "112" in text and intro.split(" ")[1][:4].replace("ʻ", "'") in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("latin", [False, True])
async def test_every_sms_answer_ends_with_the_way_to_the_whole_text(language, latin):
    """The summary ends with "9 More"; 9 then brings the whole text, page by page, from its
    title to its last paragraph, and the last page ends with the menu."""
    content = load_content(ROOT / "content")
    t = T.translator(language)
    for topic_id in content.topic_ids:
        chat = Conversation(channel="sms", language=language)
        chat.session = chat.session.evolve(latin=latin)
        reply = await chat.say(option=f"t:{topic_id}")
        page, more = render_sms_page(reply, latin=latin, catalogs=T)
        pages = [page]
        while more:
            reply = await chat.say("9")
            assert reply.topic == topic_id
            page, more = render_sms_page(reply, latin=latin, catalogs=T)
            pages.append(page)
            assert len(pages) < 40
        assert all(count_segments(p).segments <= 3 for p in pages), topic_id
        # The summary (one message, or a few when a note comes first) ends with "9 More" …
        forms = _script_forms(t, language, latin)
        summary_end = next((i for i, p in enumerate(pages)
                            if any(line.startswith("9 ") and line[2:] in forms
                                   for line in p.splitlines())), None)
        assert summary_end is not None and summary_end < len(pages) - 1, (topic_id, pages)
        # … and the next message starts the whole text, from its title.
        title = _line(sms_plain(content.lookup(topic_id, language).text.title), language, latin)
        assert pages[summary_end + 1].startswith(title), (topic_id, pages[summary_end + 1])
        assert pages[-1].splitlines()[-1] == _line(f"0 {t('Menu')}", language, latin)


def _script_forms(t, language: str, latin: bool) -> set[str]:
    return {_line(t(label), language, latin) for label in ("More", "More: the whole text")}


def _line(text: str, language: str, latin: bool) -> str:
    return script_for(language, latin)(text)


async def test_the_simulator_shows_the_first_contact_as_the_handset_gets_it(client):
    """Each SMS with its segments (the old page counted the joined text as one message)."""
    response = await client.post("/api/simulate", json={"user": "s", "text": "Саламатсызбы"})
    views = (await response.json())["views"]
    [message] = views["sms_messages"]
    assert message["text"] == views["sms"] and message["encoding"] == "UCS-2"
    assert message["segments"] == count_segments(message["text"]).segments <= WELCOME_SEGMENTS
    assert message["characters"] == len(message["text"]) and views["latin"] is False
