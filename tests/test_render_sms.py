"""The SMS renderer and pager, without a network: every topic in every language, pages,
scripts (GSM-7 for Uzbek Latin and LAT), and the text helpers under them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ROOT
from bot.content.loader import load_content
from bot.engine import respond
from bot.i18n import catalogs
from bot.render.sms import (
    MORE_SYMBOL,
    render_sms,
    render_sms_messages,
    render_sms_page,
    script_for,
    sms_body,
)
from bot.sms.latin import cyrillic_to_latin, to_gsm7
from bot.sms.pages import split_pages
from bot.sms.segments import count_segments, is_gsm7
from bot.sms.text import clean_inbound, sms_plain
from bot.types import LANGUAGES, Incoming, Option, Reply, Session

CONTENT = load_content(ROOT / "content")
T = catalogs(ROOT / "locales")


async def topic_reply(topic_id: str, language: str) -> Reply:
    session = Session(key="k", language=language, shown=(f"t:{topic_id}",))
    reply, _ = await respond(Incoming("sms", "k", "1"), session, CONTENT, T)
    assert reply.topic == topic_id
    return reply


def all_pages(reply: Reply, latin: bool) -> list[str]:
    pages, page = [], 0
    while True:
        text, more = render_sms_page(reply, page, latin=latin, catalogs=T)
        pages.append(text)
        if not more:
            return pages
        page += 1
        assert page < 50, "paging does not end"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("latin", [False, True])
async def test_every_topic_page_fits_three_segments(language, latin):
    """Each page of each topic, in each language, with and without LAT."""
    for topic_id in CONTENT.topic_ids:
        reply = await topic_reply(topic_id, language)
        for page in all_pages(reply, latin):
            counted = count_segments(page)
            assert 0 < counted.segments <= 3, (topic_id, counted, page)
            if language == "uz" or latin:
                assert counted.encoding == "GSM-7", (topic_id, page)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_menus_fit_in_messages_of_three_segments(language):
    session = Session(key="k", language=language)
    for text in ("0", "1", "2", "3", "help", "/start", "язык", "qwertyuiop"):
        reply, moved = await respond(Incoming("sms", "k", text), session, CONTENT, T)
        for latin in (False, True):
            messages = render_sms_messages(reply, latin=latin, catalogs=T)
            assert messages, (text, reply.kind)
            for message in messages:
                counted = count_segments(message)
                assert counted.segments <= 3, (text, counted, message)
                if language == "uz" or (latin and reply.language != "uz"):
                    assert counted.encoding == "GSM-7", message
        session = moved if text in {"0", "1"} else session


def long_reply(language: str = "ru", options: int = 2) -> Reply:
    sentences = [f"Предложение номер {i}: оплатите патент вовремя, иначе он перестанет "
                 f"действовать." for i in range(1, 25)]
    body = " ".join(sentences[:8]) + "\n" + "\n".join(sentences[8:])
    choices = tuple(Option(f"t:x{i}", f"Тема {i}") for i in range(options - 1))
    return Reply(language=language, kind="topic", topic="permits.patent-payment",
                 blocks=("Оплата", body), options=(*choices, Option("nav:menu", "Меню")))


def test_pages_carry_the_whole_text_in_order_and_say_how_to_go_on():
    reply = long_reply()
    pages = all_pages(reply, latin=False)
    assert len(pages) > 3
    more_line = re.compile(r"\((\d+)/(\d+)\) Далее: 9 или ЕЩЁ")
    texts = []
    for number, page in enumerate(pages[:-1], start=1):
        *lines, last = page.splitlines()
        found = more_line.fullmatch(last)
        assert found and found.groups() == (str(number), str(len(pages))), last
        texts.append("\n".join(lines))
    *lines, menu = pages[-1].splitlines()
    assert menu == "0 Меню"
    texts.append("\n".join(lines[:-1]))  # the option line before "0 Меню"
    assert " ".join(" ".join(texts).split()) == " ".join(sms_body(reply).split())
    # no page ends in the middle of a sentence
    assert all(t.rstrip().endswith(".") for t in texts)


def test_a_page_past_the_end_says_so_and_repeats_the_options():
    reply = long_reply()
    count = len(all_pages(reply, latin=False))
    text, more = render_sms_page(replace(reply, page=count), catalogs=T)
    assert not more and text.splitlines() == ["Это конец текста.", "1 Тема 0", "0 Меню"]


def test_with_nine_numbered_lines_the_next_page_is_asked_with_a_plus():
    reply = long_reply(options=10)
    text, more = render_sms_page(reply, 0, catalogs=T)
    assert more and text.splitlines()[-1].endswith(f"Далее: {MORE_SYMBOL} или ЕЩЁ")


def test_latin_pages_are_gsm7_and_cost_less():
    reply = long_reply()
    cyrillic = sum(count_segments(p).segments for p in all_pages(reply, latin=False))
    latin = sum(count_segments(p).segments for p in all_pages(reply, latin=True))
    assert latin * 1.8 < cyrillic, (latin, cyrillic)
    assert all(is_gsm7(p) for p in all_pages(reply, latin=True))


def test_the_main_menu_offers_lat_only_for_cyrillic_languages():
    menu = Reply(language="ky", kind="menu", blocks=("Тандаңыз.",),
                 options=(Option("m:a", "Биринчи"),))
    assert render_sms(menu, catalogs=T).splitlines()[-1].startswith("LAT")
    assert "LAT" in render_sms(menu, latin=True, catalogs=T).splitlines()[-1]
    assert "LAT" not in render_sms(replace(menu, language="uz"), catalogs=T)


def test_help_is_the_help_text_alone():
    reply = Reply(language="ru", kind="help", blocks=("Справка: 112.", "Выберите тему."),
                  options=(Option("m:a", "Раздел"),))
    assert render_sms_messages(reply, catalogs=T) == ["Справка: 112."]


def test_silence_renders_no_message():
    assert render_sms_messages(Reply(language="ru", kind="ignored"), catalogs=T) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="абвгд ежзabc.\n😀€ӯ", min_size=1, max_size=60),
                min_size=1, max_size=30))
def test_pages_never_exceed_the_budget_and_lose_no_word(parts):
    text = " ".join(parts)
    pages = split_pages(text, 3, "(99/99) Далее: 9 или ЕЩЁ", "1 Назад\n0 Меню")
    for page in pages[:-1]:
        assert count_segments(page + "\n(99/99) Далее: 9 или ЕЩЁ").segments <= 3
    assert count_segments(pages[-1] + "\n1 Назад\n0 Меню").segments <= 3
    assert "".join("".join(pages).split()) == "".join(text.split())


# -- scripts ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("oʻzbek", "o'zbek"), ("g‘alla", "g'alla"), ("o’rta", "o'rta"), ("bo`sh", "bo'sh"),
    ("«Xorijda ish» — 5…", '"Xorijda ish" - 5...'),
    ("Tekshiring: мвд.рф", "Tekshiring: xn--b1aew.xn--p1ai"),
    ("Saxarovo (Сахарово)", "Saxarovo (Sakharovo)"),
    ("Yordam 🙏", "Yordam "),
])
def test_uzbek_latin_is_kept_inside_gsm7(text, expected):
    assert to_gsm7(text, "uz") == expected
    assert is_gsm7(script_for("uz", latin=False)(text))


@pytest.mark.parametrize(("language", "cyrillic", "latin"), [
    ("ru", "Жильё, хозяин, цена, час, шум, щит, сын, юг, яма, деньги, объект",
     "Zhile, khozyain, tsena, chas, shum, shchit, syn, yug, yama, dengi, obekt"),
    ("ru", "ЕЩЁ или 9", "ESHCHE ili 9"),
    ("ky", "Жардам керек, өлкө, үй, теңдик", "Jardam kerek, olko, uy, tengdik"),
    ("tg", "Ҷавоб, ҳуқуқ, қонун, ғалла, лотинӣ, кӯча, таъмин, ё",
     "Javob, huquq, qonun, ghalla, lotini, kucha, ta'min, yo"),
    ("uz-Cyrl", "Ўзбекча, қонуний ғалла, ҳужжат", "O'zbekcha, qonuniy g'alla, hujjat"),
])
def test_cyrillic_in_latin_letters_by_each_languages_scheme(language, cyrillic, latin):
    assert cyrillic_to_latin(cyrillic, language) == latin
    assert is_gsm7(to_gsm7(cyrillic, language))


def test_latin_letters_cost_about_2_3_times_less():
    text = "Патент оплачивают каждый месяц заранее. Опоздали на день - патент недействителен."
    cyrillic, latin = count_segments(text * 3), count_segments(to_gsm7(text * 3, "ru"))
    assert (cyrillic.encoding, latin.encoding) == ("UCS-2", "GSM-7")
    assert cyrillic.segments >= 2 * latin.segments


def test_markdown_becomes_plain_lines():
    markdown = ("**Граждане Узбекистана**\n\n- Представительство: +7 925 045 4744.\n"
                "* См. [сайт](https://gov.uz/migration) и `код`.\n\n\n## Дома\nТекст")
    assert sms_plain(markdown) == ("Граждане Узбекистана\n- Представительство: +7 925 045 4744."
                                   "\n- См. сайт gov.uz/migration и код.\nДома\nТекст")


def test_inbound_text_loses_control_characters_and_is_cut_at_1600():
    assert clean_inbound("\x00па\u200bтент\x07\r\nвопрос\t?") == "патент\nвопрос ?"
    assert len(clean_inbound("ж" * 5000)) == 1600
    assert clean_inbound("\x01\x02 \u200b") == ""


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_topic_answer_ends_with_the_date_it_was_checked(language):
    """One message within 3 segments: the topic's SMS text whole, then "Checked: <date>"
    in the reader's language, "9 More" (the whole text), and "1 Back" and "0 Menu" as far
    as there is room for them."""
    t = T.translator(language)
    script = script_for(language, False)
    back, menu = f"1 {t('Back')}", f"0 {t('Menu')}"
    ways_on = {script(f"9 {t('More')}"), script(f"9 {t('More: the whole text')}")}
    for topic_id in CONTENT.topic_ids:
        text = CONTENT.texts.get((topic_id, language))
        if text is None:  # not translated yet: the Russian text, with a note, comes instead
            continue
        assert text.reviewed is not None, topic_id
        checked = t("Checked: {date}", date=t.short_date(text.reviewed))
        messages = render_sms_messages(await topic_reply(topic_id, language), catalogs=T)
        assert len(messages) == 1, (topic_id, messages)
        assert count_segments(messages[0]).segments <= 3, (topic_id, messages[0])
        lines = messages[0].split("\n")
        way_on = next(i for i, line in enumerate(lines) if line in ways_on)
        assert lines[way_on - 1] == checked, (topic_id, messages[0])
        assert lines[way_on + 1:] in ([], [menu], [back, menu]), (topic_id, messages[0])
        assert "\n".join(lines[:way_on - 1]) == text.sms, (topic_id, messages[0])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_way_on_to_the_whole_text_is_never_longer_than_the_menu_line(language):
    """``content check`` keeps each SMS version within 3 segments beside the date and
    "0 Menu"; the summary's message ends with "9 More" instead when both do not fit."""
    t, script = T.translator(language), script_for(language, False)
    more, menu = script(f"9 {t('More')}"), script(f"0 {t('Menu')}")
    assert count_segments(more).units <= count_segments(menu).units


def _uzbek_lines(messages: list[str]) -> list[str]:
    return [line for line in "\n".join(messages).splitlines()
            if line[:1].isdigit() and ("zbek" in line or "Ўзбек" in line)]


@pytest.mark.parametrize(("reader", "latin", "expected"), [
    ("ru", False, ["4 O'zbekcha (lotin)", "5 Ўзбекча"]),
    ("ky", True, ["4 O'zbekcha (lotin)", "5 O'zbekcha (kirill)"]),
    ("uz", False, ["4 O'zbekcha (lotin)", "5 O'zbekcha (kirill)"]),
    ("uz-Cyrl", False, ["4 O'zbekcha (lotin)", "5 Ўзбекча"]),
])
async def test_the_sms_language_menu_tells_the_two_uzbek_scripts_apart(reader, latin, expected):
    session = Session(key="k", language=reader, latin=latin)
    reply, _ = await respond(Incoming("sms", "k", "/language"), session, CONTENT, T)
    assert reply.kind == "language"
    messages = render_sms_messages(reply, latin=latin, catalogs=T)
    assert _uzbek_lines(messages) == expected
    assert sum(count_segments(m).segments for m in messages) <= 2


async def test_a_first_message_in_no_known_language_gets_a_two_segment_language_menu():
    reply, _ = await respond(Incoming("sms", "k", "hi"), Session(key="k"), CONTENT, T)
    assert reply.kind == "language"
    messages = render_sms_messages(reply, catalogs=T)
    assert sum(count_segments(m).segments for m in messages) <= 2
    assert _uzbek_lines(messages) == ["4 O'zbekcha (lotin)", "5 Ўзбекча"]
