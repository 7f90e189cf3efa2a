"""The engine alone: plain data in, plain data out, no network and no database."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.content.loader import load_content
from bot.content.model import ContentTree
from bot.i18n import Catalogs, catalogs
from bot.types import CONTENT_LANGUAGES, Reply
from tests.conversation import Conversation

REQUIRED_TOPICS = {
    "permits.russia-patent", "permits.patent-payment", "permits.eaeu-workers",
    "permits.registration", "permits.kazakhstan", "permits.stay-rules", "permits.entry-ban",
    "scams.red-flags", "scams.check-agency", "scams.passport-taken", "scams.unpaid-wages",
    "scams.trafficking", "help.emergency", "help.hotlines", "help.embassy",
}


@pytest.fixture(scope="module")
def content() -> ContentTree:
    return load_content(ROOT / "content")


@pytest.fixture(scope="module")
def languages() -> Catalogs:
    return catalogs(ROOT / "locales")


def digit_for(reply: Reply, option_id: str) -> str:
    """The number an SMS user would type for an option (menu is 0)."""
    if option_id == "nav:menu":
        return "0"
    numbered = [o.id for o in reply.options if o.id != "nav:menu"]
    return str(numbered.index(option_id) + 1)


async def test_first_contact_without_language_asks_in_every_language(content, languages):
    reply = await Conversation(content, languages).say("/start")
    assert reply.kind == "language"
    labels = [o.label for o in reply.options]
    assert labels == ["Русский", "Кыргызча", "Тоҷикӣ", "O'zbekcha", "Ўзбекча"]
    assert "Тилди тандаңыз" in reply.blocks[0] and "Выберите язык" in reply.blocks[0]


@pytest.mark.parametrize("language", CONTENT_LANGUAGES)
async def test_digits_reach_every_required_topic(content, languages, language):
    """Navigating by digits alone reaches each of the 15 topics, titled in the language."""
    reached: set[str] = set()
    for module in content.modules:
        for topic_id in module.topics:
            chat = Conversation(content, languages)
            reply = await chat.say("/start")
            reply = await chat.say(digit_for(reply, f"l:{language}"))
            assert reply.kind == "menu" and reply.language == language
            reply = await chat.say(digit_for(reply, f"m:{module.id}"))
            assert reply.kind == "module"
            reply = await chat.say(digit_for(reply, f"t:{topic_id}"))
            assert reply.topic == topic_id, (language, topic_id)
            assert reply.language == language
            text = content.texts[(topic_id, language)]
            assert text.title in reply.blocks
            reached.add(topic_id)
    assert reached >= REQUIRED_TOPICS


async def test_menu_back_and_zero_work_everywhere(content, languages):
    chat = Conversation(content, languages)
    await chat.say("/start")
    await chat.say(option="l:tg")
    await chat.say(option="m:scams")
    reply = await chat.say(option="t:scams.passport-taken")
    assert reply.topic == "scams.passport-taken"
    reply = await chat.say("ба қафо")
    assert reply.kind == "module" and reply.blocks == ("Фиреб ва савдои одамон",)
    reply = await chat.say("0")
    assert reply.kind == "menu" and reply.language == "tg"
    for word in ("меню", "menu", "Menyu", "/menu"):
        assert (await chat.say(word)).kind == "menu"


async def test_a_number_outside_the_menu_is_explained(content, languages):
    chat = Conversation(content, languages)
    await chat.say(option="l:ru")
    reply = await chat.say("9")
    assert reply.kind == "menu"
    assert "нет такого номера" in reply.blocks[0]


async def test_danger_words_go_to_emergency_before_anything(content, languages):
    chat = Conversation(content, languages)
    reply = await chat.say("Срочно нужна помощь")
    assert reply.topic == "help.emergency" and reply.kind == "emergency"
    assert reply.language == "ru"


async def test_stop_forgets_and_confirms(content, languages):
    chat = Conversation(content, languages)
    await chat.say(option="l:ky")
    reply = await chat.say("STOP")
    assert reply.kind == "stop" and chat.session.forget
    assert "өчүрдүм" in reply.blocks[0]


async def test_missing_translation_falls_back_to_russian_and_says_so(languages):
    full = load_content(ROOT / "content")
    texts = {k: v for k, v in full.texts.items() if k != ("scams.trafficking", "ky")}
    partial = ContentTree(modules=full.modules, texts=texts)
    chat = Conversation(partial, languages)
    await chat.say(option="l:ky")
    reply = await chat.say(option="t:scams.trafficking")
    assert reply.language == "ky"
    assert any("которула элек" in block for block in reply.blocks)
    assert full.texts[("scams.trafficking", "ru")].title in reply.blocks


async def test_uzbek_cyrillic_reader_gets_cyrillic_topics(content, languages):
    chat = Conversation(content, languages)
    await chat.say(option="l:uz-Cyrl")
    reply = await chat.say(option="t:scams.passport-taken")
    assert reply.language == "uz-Cyrl"
    assert "Иш берувчи паспортни олиб қўйди" in reply.blocks


async def test_deep_link_opens_a_topic(content, languages):
    chat = Conversation(content, languages, channel="telegram")
    await chat.say(option="l:ru")
    reply = await chat.say("/start t-permits-registration")
    assert reply.topic == "permits.registration"


def test_evolving_a_session_copies_it_and_refuses_unknown_fields():
    from bot.types import Session

    before = Session(key="k", language="ru", shown=("t:a",))
    after = before.evolve(language="ky", page=2)
    assert (before.language, before.page) == ("ru", 0)  # the original is untouched
    assert after == Session(key="k", language="ky", page=2, shown=("t:a",),
                            updated_at=before.updated_at)
    assert hash(after) == hash(Session(key="k", language="ky", page=2, shown=("t:a",),
                                       updated_at=before.updated_at))
    with pytest.raises(TypeError, match="langauge"):
        before.evolve(langauge="ky")
