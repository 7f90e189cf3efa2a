"""Dates that tell the truth: ``reviewed`` is when a person checked the topic and is what
the reader is shown; each source keeps its own date, and the check compares them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.content.checks.dates import date_range
from bot.content.loader import load_content
from bot.engine import respond
from bot.i18n import catalogs
from bot.types import LANGUAGES, Incoming, Session
from tests.content_files import (
    TODAY,
    copy_content,
    lines_about,
    replace_field,
    replace_line,
    run_check,
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


def sources(*dates: str) -> str:
    """A sources block with one source per date; the first date: line is line + 2."""
    items = [f"  - url: https://example.org/{n}\n    date: \"{d}\"\n    title: source {n}"
             for n, d in enumerate(dates)]
    return "sources:\n" + "\n".join(items)


def date_lines(lines: list[str], path: Path) -> list[str]:
    return [ln for ln in lines_about(lines, path) if "reviewed" in ln or "source" in ln]


def test_a_reviewed_date_in_the_future_is_an_error(content, capsys):
    path = content / "tg" / "help.embassy.md"
    line = replace_line(path, "reviewed:", "reviewed: 2026-11-29")  # TODAY is 28 November
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{path}:{line}: error: reviewed 2026-11-29 is in the future: write the day a "
            "person last checked the text against its sources") in lines
    replace_line(path, "reviewed:", f"reviewed: {TODAY.isoformat()}")
    assert run_check(content, capsys)[0] == 0


def test_a_source_newer_than_the_review_is_a_warning_at_its_date_line(content, capsys):
    path = content / "tg" / "help.embassy.md"
    replace_line(path, "reviewed:", "reviewed: 2026-10-15")
    # a month (2026-10) or year (2026) that may fall before the review is not "newer"
    line = replace_field(path, "sources", sources("2026-10", "2026", "2026-10-16", "2026-11"))
    status, lines = run_check(content, capsys)
    assert status == 0
    assert date_lines(lines, path) == [
        f"{path}:{line + 8}: warning: source dated 2026-10-16 is newer than reviewed "
        "2026-10-15: check the text against it, then update reviewed",
        f"{path}:{line + 11}: warning: source dated 2026-11 is newer than reviewed 2026-10-15: "
        "check the text against it, then update reviewed"]


def test_the_newest_source_older_than_12_months_is_a_warning(content, capsys):
    path = content / "tg" / "help.embassy.md"
    line = replace_field(path, "sources", sources("2021-09-08", "2025-11-27", "n.d."))
    _, lines = run_check(content, capsys)
    assert date_lines(lines, path) == [
        f"{path}:{line + 5}: warning: the newest source is dated 2025-11-27: every source is "
        "more than 12 months old; find a recent one that confirms the facts"]
    # a year counts until its last day: "2025" may be December 2025, within 12 months
    replace_field(path, "sources", sources("2021-09-08", "2025"))
    assert date_lines(run_check(content, capsys)[1], path) == []
    replace_field(path, "sources", sources("n.d."))  # undated: nothing to compare
    assert date_lines(run_check(content, capsys)[1], path) == []


@pytest.mark.parametrize(("value", "span"), [
    ("2025-09-06", (date(2025, 9, 6), date(2025, 9, 6))),
    ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
    ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
    ("n.d.", None), ("2025-13", None), ("25", None),
])
def test_source_dates_mean_a_span_of_days(value, span):
    assert date_range(value) == span


# --- what the reader is shown ------------------------------------------------------------

#: The footer names where to check: the official sites of the answer, or the embassy.
EMBASSY = {"ru": "посольств", "ky": "элчилик", "tg": "сафорат", "uz": "elchixona",
           "uz-Cyrl": "элчихона"}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_answer_shows_the_reviewed_date_as_checked_and_where_to_check(
        content, language):
    path = content / ("uz" if language == "uz-Cyrl" else language) / "help.embassy.md"
    replace_line(path, "reviewed:", "reviewed: 2026-03-05")
    # a source newer than that must not be what the reader is told
    replace_field(path, "sources", sources("2026-10-01"))
    tree = load_content(content)
    languages = catalogs(ROOT / "locales")
    session = Session(key="d" * 64)
    for option in (f"l:{language}", "t:help.embassy"):
        reply, session = await respond(
            Incoming(channel="telegram", sender_key=session.key, option=option),
            session, tree, languages)
    t = languages.translator(language)
    assert reply.reviewed == date(2026, 3, 5)
    [footer] = reply.footer
    assert footer.endswith(t.date(date(2026, 3, 5)))
    assert "2026-10" not in footer and "октябр" not in footer.lower()
    assert EMBASSY[language] in footer.lower()
    assert re.search(r"(провер|текшер|санҷ|tekshir|текшир|checked)", footer.lower())
