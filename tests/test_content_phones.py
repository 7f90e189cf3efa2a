"""The phone registry (content/phones.yaml): every number the answers give is listed once,
with who answers and from which SIMs; a number a topic gives that it lacks is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ROOT
from bot.content.loader import Problem, load_content
from bot.content.phonebook import canonical, read_phonebook
from bot.content.textrules import find_phones
from tests.content_files import copy_content, lines_about, run_check, set_body

NEW_ENTRY = """
  - number: "+7 (495) 111-22-33"
    who: a test line
    country: Russia (Moscow)
    hours: unknown
    time_zone: unknown
    dial_from: unknown
    source: https://example.org/line
    date: 2026-11
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


def test_a_number_the_registry_lacks_is_an_error_until_it_is_added(content, capsys):
    path = content / "ru" / "help.hotlines.md"
    start = set_body(path, "Позвоните: +7 (495) 111-22-33.\nИли 8 (495) 967-98-44, 9:00–18:00.")
    status, lines = run_check(content, capsys)
    assert status == 1
    # the Tajik line written the Russian way (8 …) is the registry's +7 (495) 967-98-44
    assert [ln for ln in lines_about(lines, path) if "phones.yaml" in ln] == [
        f"{path}:{start}: error: phone number '+7 (495) 111-22-33' is not in phones.yaml: add "
        "it there (who answers, hours, which SIMs can dial it, source, date) before "
        "publishing it"]

    with (content / "phones.yaml").open("a", encoding="utf-8") as registry:
        registry.write(NEW_ENTRY)
    status, lines = run_check(content, capsys)
    assert status == 0, [ln for ln in lines if ": error: " in ln]


def test_a_malformed_number_is_reported_once_as_malformed(content, capsys):
    path = content / "uz" / "help.hotlines.md"
    start = set_body(path, "Migratsiya agentligi: +7 925 O45 4744.")
    _, lines = run_check(content, capsys)
    assert [ln for ln in lines_about(lines, path) if ": error: " in ln] == [
        f"{path}:{start}: error: phone number '+7 925 O45 4744' has letters among its digits "
        "(O): type digits only"]


@pytest.mark.parametrize(("entry", "line", "message"), [
    (NEW_ENTRY + NEW_ENTRY.replace("111-22-33", "111 22 33"), 11,
     "+7 (495) 111 22 33 is listed twice (also on line 2); keep one entry"),
    (NEW_ENTRY.replace("    hours: unknown\n", ""), 2,
     "number entry without hours: fill in every field (write unknown where the source does "
     "not say)"),
    (NEW_ENTRY.replace("+7 (495) 111-22-33", "+7 (495) 111-22-3"), 2,
     "phone number '+7 (495) 111-22-3' has 10 digits; a number starting +7 has 11 (+7 and "
     "10 more)"),
    (NEW_ENTRY.replace("    date: 2026-11", "    date: last year"), 9,
     "date 'last year' must be YYYY-MM-DD, YYYY-MM, YYYY or n.d."),
])
def test_mistakes_in_the_registry_are_errors_with_its_line(content, capsys, entry, line,
                                                          message):
    registry = content / "phones.yaml"
    registry.write_text("numbers:" + entry, encoding="utf-8")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert f"{registry}:{line}: error: {message}" in lines


def test_a_missing_or_broken_registry_is_one_error_not_one_per_topic(content, capsys):
    registry = content / "phones.yaml"
    registry.write_text("numbers:\n  - number: \"112\"\n   who: x\n", encoding="utf-8")
    status, lines = run_check(content, capsys)
    errors = [ln for ln in lines if ": error: " in ln]
    assert status == 1 and len(errors) == 1
    assert errors[0].startswith(f"{registry}:3: error: not valid YAML: wrong indentation")
    registry.unlink()
    status, lines = run_check(content, capsys)
    assert [ln for ln in lines if ": error: " in ln] == [
        f"{registry}:1: error: no phones.yaml: phone numbers in the topics cannot be checked "
        "against the registry (see docs/content-guide.md)"]


def test_every_number_in_the_shipped_content_is_in_the_registry_once():
    problems: list[Problem] = []
    book = read_phonebook(ROOT / "content", problems)
    assert problems == [] and book is not None
    digits = [entry.digits for entry in book.entries]
    assert len(digits) == len(set(digits))
    tree = load_content(ROOT / "content")
    used = {canonical(phone.digits) for text in tree.texts.values()
            for part in (text.title, text.applies_to, text.sms, text.body)
            for phone in find_phones(part)}
    assert used and used <= set(digits)
    for entry in book.entries:  # "unknown" where the source says nothing, never blank
        assert all((entry.who, entry.hours, entry.time_zone, entry.dial_from, entry.date))
    # the Kyrgyz lines cannot be dialled from a Russian SIM (review D5)
    for number in ("189", "0800 0000 189"):
        entry = next(e for e in book.entries if e.number == number)
        assert "Kyrgyz SIM" in entry.dial_from and "not" in entry.dial_from
    assert set(book.short_numbers) >= {"112", "189", "102", "103"}
