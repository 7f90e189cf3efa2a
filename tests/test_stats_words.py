"""The dashboard's and the report's words: every one has its Russian, with the same
placeholders, and the page picks the reader's language."""

from __future__ import annotations

import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.config import ROOT
from bot.stats.words import DOMAIN, negotiate, words

MAPPING = ROOT / "bot" / "stats" / "babel.cfg"


def code_messages() -> set[str]:
    """What ``pybabel extract -F bot/stats/babel.cfg -k tr --no-default-keywords`` finds."""
    with MAPPING.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING))
    return {message for _, _, message, _, _ in
            extract_from_dir(str(ROOT), method_map, options_map, {"tr": None})}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_word_has_its_russian_with_the_same_placeholders():
    with (ROOT / "locales" / "ru" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    in_code = code_messages()
    assert len(in_code) > 40
    for message in in_code:
        entry = catalog.get(message)
        assert entry is not None, f"missing in dashboard.po (pybabel update): {message!r}"
        assert entry.string and not entry.fuzzy, message
        assert fields(entry.string) == fields(message), message
    stale = {m.id for m in catalog if m.id and m.id not in in_code}
    assert not stale, f"no longer in the code: {stale}"


def test_the_words_come_out_in_russian_and_english():
    assert words("ru")("Per day") == "По дням"
    assert words("en")("Per day") == "Per day"
    assert words("ru")("Messages: {total}.", total="<5") == "Сообщений: <5."
    assert words("ky")("Per day") == "По дням"  # not a dashboard language: Russian


@pytest.mark.parametrize(("asked", "header", "expected"), [
    ("en", "ru-RU", "en"),  # ?lang= wins
    (None, "en-GB,en;q=0.9,ru;q=0.8", "en"),
    (None, "ky-KG,ky;q=0.9,ru;q=0.8,en;q=0.7", "ru"),  # the first we speak
    (None, "de;q=0.5,en;q=0.9", "en"),
    (None, "", "ru"),
    ("xx", "garbage;q=x", "ru"),
])
def test_the_page_speaks_the_readers_language(asked, header, expected):
    assert negotiate(asked, header) == expected
