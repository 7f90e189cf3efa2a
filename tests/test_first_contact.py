"""The first contact on SMS: at most two segments in every language, whatever greeting
opens it; the longer introduction on HELP; every answer says how to read the whole text."""

from __future__ import annotations

import re
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
    assert [n.split(" ")[0] for n in numbered] == ["1", "2", "3", "4", "5", "6"]  # 5 + language
    names = [script_for(language, False)(m.sms_title(language))
             for m in load_content(ROOT / "content").modules]
    assert all(names) and [n.split(" ", 1)[1] for n in numbered[:5]] == names
    if language != "uz":  # Latin Uzbek is GSM-7 already: no LAT line
        assert lines[-1].startswith("LAT")
    assert len(lines) == 1 + len(numbered) + (language != "uz")


@pytest.fixture
def five_modules(tmp_path: Path):
    """The shipped content (five modules), the last one with or without its short SMS
    names: an editor who adds a module may forget them."""
    def make(with_sms_names: bool) -> Path:
        folder = tmp_path / ("named" if with_sms_names else "unnamed")
        shutil.copytree(ROOT / "content", folder)
        if not with_sms_names:
            menu = folder / "menu.yaml"
            text = menu.read_text(encoding="utf-8")
            head, life = text.split("  - id: life\n", 1)
            life = re.sub(r"    sms:\n(      \w+: .*\n)+", "", life, count=1)
            menu.write_text(head + "  - id: life\n" + life, encoding="utf-8")
        return folder
    return make


@pytest.mark.parametrize("with_sms_names", [True, False])
@pytest.mark.parametrize("language", LANGUAGES)
async def test_with_five_modules_the_first_contact_fits_two_segments(
        language, with_sms_names, five_modules):
    content = load_content(five_modules(with_sms_names))
    assert len(content.modules) == 5
    assert bool(content.modules[-1].sms_titles) is with_sms_names
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
