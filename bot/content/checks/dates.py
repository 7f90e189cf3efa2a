"""Dates that tell the truth: ``reviewed`` is when a person checked the topic, and each
source keeps its own date.

- ``reviewed`` in the future is an error: the answer would claim a check that did not
  happen (the reader sees "checked: <reviewed>").
- ``reviewed`` older than 12 months is a warning: check the text again.
- A source dated after ``reviewed`` is a warning: the topic was not checked against it.
- The newest dated source older than 12 months is a warning: the facts may have moved on.

A source dated by month or year is compared generously: "2025" is newer than a review on
2025-06-01 only if it cannot be earlier, and counts as recent until the end of 2025.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date

from bot.content.loader import Problem
from bot.content.topicfile import TopicFile


def year_before(today: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    if today.month == 2 and today.day == 29:
        return date(today.year - 1, 2, 28)
    return today.replace(year=today.year - 1)


def date_range(value: str) -> tuple[date, date] | None:
    """The first and last day a source date may mean; None for n.d. or a malformed one."""
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 3:
            day = date(*numbers)
            return day, day
        if len(numbers) == 2:
            year, month = numbers
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        if len(numbers) == 1 and len(parts[0]) == 4:
            return date(numbers[0], 1, 1), date(numbers[0], 12, 31)
    except ValueError:
        return None
    return None


def check(file: TopicFile) -> Iterator[Problem]:
    text, today = file.text, file.today
    reviewed = text.reviewed
    if reviewed is not None:
        line = text.line_of("reviewed")
        if reviewed > today:
            yield file.problem(line, f"reviewed {reviewed.isoformat()} is in the future: "
                               "write the day a person last checked the text against its "
                               "sources", "error", "reviewed")
        elif reviewed < year_before(today):
            yield file.problem(line, f"reviewed {reviewed.isoformat()} is more than 12 months "
                               "ago: check the text against its sources and update the date",
                               "warning", "reviewed")
    dated = [(index, source, span) for index, source in enumerate(text.sources)
             if (span := date_range(source.date)) is not None]
    for index, source, (earliest, _) in dated:
        if reviewed is not None and earliest > reviewed:
            yield file.problem(_date_line(file, index), f"source dated {source.date.strip()} "
                               f"is newer than reviewed {reviewed.isoformat()}: check the text "
                               "against it, then update reviewed", "warning", "source-date")
    if dated:
        index, newest, (_, latest) = max(dated, key=lambda d: d[2][1])
        if latest < year_before(today):
            yield file.problem(_date_line(file, index), f"the newest source is dated "
                               f"{newest.date.strip()}: every source is more than 12 months "
                               "old; find a recent one that confirms the facts", "warning",
                               "source-date")


def _date_line(file: TopicFile, index: int) -> int:
    """The line of a source's ``date:`` (else where the source starts)."""
    start = file.text.line_of(f"sources.{index}")
    for number in range(start, min(start + 4, len(file.raw_lines)) + 1):
        row = file.raw_lines[number - 1].strip().lstrip("- ")
        if row.startswith("date:"):
            return number
        if number > start and file.raw_lines[number - 1].lstrip().startswith("- "):
            break
    return start

