"""The terminal and simulator view: readable text, Markdown marks removed, numbered lines."""

from __future__ import annotations

from bot.render.plain import render_plain
from bot.types import Option, Reply


def test_bold_marks_are_removed_and_options_numbered_with_menu_as_zero():
    reply = Reply(
        language="ru", kind="topic", topic="help.emergency",
        blocks=("Звоните 112", "**Что делать**\n1. Позвоните 112.\nЦена: 2 * 3 = 6"),
        options=(Option("nav:back", "Назад"), Option("nav:menu", "Меню")),
    )
    text = render_plain(reply)
    assert "**" not in text
    assert "Что делать" in text and "2 * 3 = 6" in text  # a lone * stays
    assert text.endswith("1. Назад\n0. Меню")
