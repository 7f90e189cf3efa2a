"""What a reader notices about the shipped texts: each language in its own letters, no
lookalikes, no invented numbers, the review date under every answer, and Russian (with a
note) where a translation is missing."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.content.loader import load_content
from bot.content.model import ContentTree, TopicText
from bot.content.textrules import (
    LOOKALIKES,
    cyrillic_words_outside_quotes,
    find_phones,
    mixed_script_findings,
)
from bot.engine import respond
from bot.i18n import catalogs
from bot.render.plain import body_text
from bot.render.telegram import render_html
from bot.sms.segments import is_gsm7
from bot.types import CONTENT_LANGUAGES, LANGUAGES, Incoming, Reply, Session

CONTENT = ROOT / "content"
#: A real answer, not a placeholder: a few short paragraphs at least.
MIN_BODY_LETTERS = 300
#: Every phone number FACTS.md (section 3) gives; content may print no other.
KNOWN_NUMBERS = {"08000000189", "74959679844", "79250454744"}


@pytest.fixture(scope="module")
def tree() -> ContentTree:
    return load_content(CONTENT)


def written(tree: ContentTree, language: str) -> list[TopicText]:
    texts = [t for t in tree.texts_in(language) if not t.derived]
    assert texts, f"no {language} texts"
    return sorted(texts, key=lambda t: t.topic_id)


def letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def raw_text(text: TopicText) -> str:
    """The file as typed (the loader normalises Uzbek apostrophes; this does not)."""
    assert text.path is not None
    return text.path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", CONTENT_LANGUAGES)
def test_every_text_is_a_real_answer(tree, language):
    short = [t.topic_id for t in written(tree, language) if letters(t.body) < MIN_BODY_LETTERS]
    assert short == [], f"{language}: placeholders or stubs"
    assert all(t.sms and t.reviewed and t.sources for t in written(tree, language))


@pytest.mark.parametrize(("language", "own"), [("ky", "ңөү"), ("tg", "ӣӯҷҳқғ")])
def test_kyrgyz_and_tajik_use_their_own_letters(tree, language, own):
    """A text with none of its language's letters was typed with Russian lookalikes."""
    for text in written(tree, language):
        body = text.body.lower()
        assert any(ch in body for ch in own), (text.topic_id, f"none of {own}")
        # and not just once by chance: a real Kyrgyz or Tajik paragraph has them often
        assert sum(body.count(ch) for ch in own) >= letters(body) // 100, text.topic_id


def test_tajik_has_no_uzbek_u_and_kyrgyz_no_tajik_letters(tree):
    for text in written(tree, "tg"):
        assert not re.search("[ўЎ]", text.body), (text.topic_id, "ў is Uzbek; Tajik is ӯ")
    for text in written(tree, "ky"):
        # Tajik letters appear in Kyrgyz only inside a quoted Tajik name («Муҳоҷир»)
        unquoted = re.sub(r"«[^»]*»", "", text.body)
        assert not re.search("[ҳҷӣӯ]", unquoted.lower()), text.topic_id


def test_uzbek_latin_uses_the_plain_apostrophe_and_latin_letters(tree):
    for text in written(tree, "uz"):
        raw = raw_text(text)
        body = text.body
        assert re.search(r"[oOgG]'", body), (text.topic_id, "no o' or g' at all")
        curly = sorted({ch for ch in raw if ch in "ʻ‘’`ʼ´"})
        assert curly == [], (text.topic_id, "write o' g' with the plain apostrophe '")
        # Cyrillic only as a quoted Russian term: «…» or (ЕАЭС)
        assert [f.snippet for f in cyrillic_words_outside_quotes(body)] == [], text.topic_id
        assert is_gsm7(text.sms), (text.topic_id, "the uz SMS must be GSM-7")


@pytest.mark.parametrize("language", CONTENT_LANGUAGES)
def test_no_lookalike_letters_or_words_mixing_alphabets(tree, language):
    for text in written(tree, language):
        whole = "\n".join((text.title, text.applies_to, text.sms, text.body, *text.keywords))
        assert [f.snippet for f in mixed_script_findings(whole)] == [], text.topic_id
        assert sorted({ch for ch in whole if ch in LOOKALIKES}) == [], text.topic_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_emergency_answer_gives_112(tree, language):
    text = tree.texts[("help.emergency", language)]
    assert re.search(r"(?<!\d)112(?!\d)", text.body), language
    assert re.search(r"(?<!\d)112(?!\d)", text.sms), language


def test_no_phone_number_that_facts_md_does_not_give(tree):
    for (topic_id, language), text in tree.texts.items():
        for part in (text.title, text.applies_to, text.sms, text.body):
            unknown = [p.text for p in find_phones(part) if p.digits not in KNOWN_NUMBERS]
            assert unknown == [], (topic_id, language)


# --- what the reader sees ----------------------------------------------------------------

REVIEWED = date(2026, 9, 5)
#: The date line in each language, as a native reader writes the date.
DATE_IN = {
    "ru": "5 сентября 2026\u202fг.",  # with a narrow no-break space, as CLDR writes it
    "ky": "2026-ж., 5-сентябрь",
    "tg": "05 Сентябр 2026",
    "uz": "5-sentabr, 2026",
    "uz-Cyrl": "5 сентябр, 2026",
}


@pytest.fixture(scope="module")
def dated_tree(tmp_path_factory: pytest.TempPathFactory) -> ContentTree:
    """The shipped content with every text reviewed on one known day."""
    copy = tmp_path_factory.mktemp("dated") / "content"
    shutil.copytree(CONTENT, copy)
    for path in copy.glob("*/*.md"):
        raw = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^reviewed:.*$", f"reviewed: {REVIEWED.isoformat()}", raw),
                        encoding="utf-8")
    return load_content(copy)


async def show(tree: ContentTree, language: str, topic_id: str) -> Reply:
    session = Session(key="q" * 64)
    languages = catalogs(ROOT / "locales")
    for option in (f"l:{language}", f"t:{topic_id}"):
        reply, session = await respond(
            Incoming(channel="telegram", sender_key=session.key, option=option),
            session, tree, languages)
    assert reply.topic == topic_id
    return reply


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_answer_ends_with_its_review_date_in_the_readers_language(
        dated_tree, language):
    for topic_id in dated_tree.topic_ids:
        reply = await show(dated_tree, language, topic_id)
        assert body_text(reply).endswith(DATE_IN[language]), (language, topic_id)
        last = render_html(reply).splitlines()[-1]
        assert last.startswith("<i>") and last.endswith(f"{DATE_IN[language]}</i>")


NOTE = {  # the one-line note above a Russian text, in the reader's language
    "ky": "которула элек", "tg": "тарҷума нашудааст", "uz": "tarjima qilinmagan",
    "uz-Cyrl": "таржима қилинмаган",
}


@pytest.mark.parametrize("language", sorted(NOTE))
async def test_a_missing_translation_shows_russian_with_a_note(tree, language):
    topic_id = "scams.trafficking"
    removed = {(topic_id, language)}
    if language == "uz":
        removed.add((topic_id, "uz-Cyrl"))  # derived from the uz file that is now gone
    partial = ContentTree(modules=tree.modules,
                          texts={k: v for k, v in tree.texts.items() if k not in removed})
    reply = await show(partial, language, topic_id)
    russian = tree.texts[(topic_id, "ru")]
    assert reply.language == language
    assert russian.title in reply.blocks and russian.body in reply.blocks
    notes = [b for b in reply.blocks if NOTE[language] in b]
    assert len(notes) == 1 and "\n" not in notes[0]
    if language == "uz":
        assert is_gsm7(notes[0])


def test_uzbek_cyrillic_is_written_from_the_latin_file(tree):
    for text in written(tree, "uz"):
        cyrillic = tree.texts[(text.topic_id, "uz-Cyrl")]
        if not cyrillic.derived:
            continue  # a hand-written content/uz-Cyrl file wins
        assert cyrillic.reviewed == text.reviewed
        assert not re.search(r"\b(?:o'|g')", cyrillic.body), text.topic_id
        assert "ў" in cyrillic.body.lower() or "ғ" in cyrillic.body.lower(), text.topic_id


def test_a_hand_written_uzbek_cyrillic_file_replaces_the_transliteration(tmp_path: Path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    source = copy / "uz" / "help.embassy.md"
    (copy / "uz-Cyrl").mkdir()
    hand = source.read_text(encoding="utf-8").replace("\n---\n", "\n---\nҚўлда ёзилган матн.\n",
                                                      1)
    hand = re.sub(r"(?m)^title:.*$", 'title: "Элчихона ва консуллик"', hand)
    (copy / "uz-Cyrl" / "help.embassy.md").write_text(hand, encoding="utf-8")
    text = load_content(copy).texts[("help.embassy", "uz-Cyrl")]
    assert not text.derived and text.title == "Элчихона ва консуллик"
    assert text.body.startswith("Қўлда ёзилган матн.")
