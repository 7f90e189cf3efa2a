"""The Telegram renderer alone: escaping, message splitting and keyboards, no network."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.plain import render_plain
from bot.render.telegram import (
    MAX_CALLBACK_BYTES,
    keyboard_rows,
    render_html,
    telegram_messages,
    units,
)
from bot.types import LANGUAGES, Option, Reply

ALLOWED_TAGS = {"b", "i"}


class TagChecker(HTMLParser):
    """Fails on any tag but <b>/<i>, or a tag left open or closed twice."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        assert tag in ALLOWED_TAGS, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(html_text: str) -> str:
    """What Telegram shows for an HTML message: checks the markup on the way."""
    checker = TagChecker()
    checker.feed(html_text)
    checker.close()
    assert not checker.open, checker.open
    return "".join(checker.text)


def topic_reply(body: str, title: str = "Title", footer: tuple[str, ...] = ()) -> Reply:
    return Reply(language="ru", kind="topic", topic="x.y", blocks=(title, body),
                 options=(Option("nav:back", "Назад"), Option("nav:menu", "Меню")),
                 footer=footer)


def test_markup_characters_in_content_are_shown_as_typed():
    body = "Штраф < 5000 & > 2000 руб.; *100# — баланс; <b>не жирный</b>; a*b*c"
    html_text = render_html(topic_reply(body, title="Патент & <регистрация>"))
    assert visible(html_text) == "Патент & <регистрация>\n\n" + body
    assert html_text.startswith("<b>Патент &amp; &lt;регистрация&gt;</b>")


def test_double_stars_around_words_become_bold_and_codes_stay():
    body = "**Что делать**\n1. Позвоните **21*+79001234567# не набирайте.\n**2024**"
    html_text = render_html(topic_reply(body))
    assert "<b>Что делать</b>" in html_text and "<b>2024</b>" in html_text
    assert visible(html_text).endswith(
        "Что делать\n1. Позвоните **21*+79001234567# не набирайте.\n2024")


def test_footer_is_italic_and_blocks_are_paragraphs():
    reply = topic_reply("Первый абзац.\n\nВторой абзац.", footer=("Проверено: 1 мая",))
    html_text = render_html(reply)
    assert html_text.endswith("<i>Проверено: 1 мая</i>")
    assert visible(html_text).split("\n\n") == [
        "Title", "Первый абзац.", "Второй абзац.", "Проверено: 1 мая"]


def test_a_long_answer_is_split_on_paragraph_boundaries():
    paragraphs = [f"Абзац {n}: " + "слово & <знак> " * 40 for n in range(30)]
    reply = topic_reply("\n\n".join(paragraphs))
    messages = telegram_messages(reply)
    assert len(messages) > 1
    assert all(units(m) <= 4096 for m in messages)
    shown = [visible(m) for m in messages]
    # No paragraph is cut: each message is whole paragraphs, in order, nothing lost.
    rejoined = "\n\n".join(shown).split("\n\n")
    assert rejoined == ["Title", *(p.strip() for p in paragraphs)]


def test_a_paragraph_longer_than_a_message_is_cut_between_lines_then_words():
    lines = [f"Строка {n} " + "текст " * 30 for n in range(60)]  # one paragraph, ~11 000
    giant_word = "Ж" * 5000
    reply = topic_reply("\n".join(lines) + "\n\n" + giant_word)
    messages = telegram_messages(reply)
    assert all(units(m) <= 4096 for m in messages)
    text = "".join(visible(m) for m in messages)
    assert text.count("Ж") == 5000
    for line in lines:  # whole lines survive
        assert line.strip() in text


def test_emoji_count_twice_toward_the_limit():
    reply = Reply(language="ru", kind="menu", blocks=("😀" * 3000,))
    messages = telegram_messages(reply)
    assert len(messages) == 2
    assert all(units(m) <= 4096 for m in messages)
    assert "".join(messages) == "😀" * 3000


def test_an_empty_reply_has_no_messages():
    assert telegram_messages(Reply(language="ru", kind="ignored")) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
                        min_size=1, max_size=900), min_size=1, max_size=12),
       st.integers(min_value=60, max_value=4096))
def test_any_text_splits_into_valid_messages_within_the_limit(blocks, limit):
    reply = Reply(language="ru", kind="topic", topic="a.b", blocks=tuple(blocks),
                  footer=("footer & <i>",))
    messages = telegram_messages(reply, limit=limit)
    for message in messages:
        assert 0 < units(message) <= limit
        visible(message)
    non_space = re.compile(r"\s")
    shown = non_space.sub("", "".join(visible(m) for m in messages))
    expected = non_space.sub("", visible(render_html(reply)))
    assert shown == expected  # nothing lost or repeated, whitespace aside


def test_keyboard_puts_choices_one_a_row_and_navigation_together():
    options = (Option("t:a.b", "A"), Option("t:c.d", "C"), Option("nav:back", "Назад"),
               Option("nav:menu", "Меню"))
    rows = keyboard_rows(options)
    assert [[o.id for o in row] for row in rows] == [
        ["t:a.b"], ["t:c.d"], ["nav:back", "nav:menu"]]


def test_keyboard_leaves_out_ids_over_64_bytes_instead_of_failing(caplog):
    too_long = "t:" + "ж" * 32  # 66 bytes
    rows = keyboard_rows((Option(too_long, "X"), Option("t:ok", "OK")))
    assert [[o.id for o in row] for row in rows] == [["t:ok"]]
    assert all(len(o.id.encode()) <= MAX_CALLBACK_BYTES for row in rows for o in row)
    assert "left out" in caplog.text


@pytest.mark.parametrize("count", [0, 1, 150])
def test_keyboard_stays_within_100_buttons(count):
    rows = keyboard_rows(tuple(Option(f"t:{n}", str(n)) for n in range(count)))
    assert sum(len(row) for row in rows) == min(count, 100)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_emergency_number_is_bold_in_every_language_of_the_real_content(language):
    """The shipped emergency answer opens with ``**112**``: bold, never the stars."""
    from tests.conversation import Conversation

    chat = Conversation(channel="telegram", language=language)
    reply = await chat.say(option="t:help.emergency")
    assert reply.topic == "help.emergency" and "**112**" in reply.blocks[-1]
    html_text = render_html(reply)
    assert "<b>112</b>" in html_text
    assert "**" not in visible(html_text)
    for message in telegram_messages(reply):
        assert "**" not in visible(message)
    plain = render_plain(reply)
    assert "**" not in plain and "\n112 " in plain


def test_stars_around_a_number_standing_alone_become_bold_and_ussd_codes_stay():
    body = ("**112** — звоните. **2024**\nПереадресация: **21*+79001234567#, **004**#, "
            "*100#, 2**10**3")
    html_text = render_html(topic_reply(body))
    assert html_text.count("<b>") == 3  # the title, 112 and 2024
    assert "<b>112</b> — звоните. <b>2024</b>" in html_text
    assert visible(html_text).endswith(
        "Переадресация: **21*+79001234567#, **004**#, *100#, 2**10**3")
