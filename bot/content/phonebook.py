"""The phone registry ``content/phones.yaml``: every number the answers give, once.

For each number: who answers, the hours and their time zone, which countries' SIM cards
can dial it, the source and its date ("unknown" where the source does not say). The
content check refuses a number in a topic that the registry lacks; a later hand-off that
knows the reader's country and the hour reads the same file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import Problem
from bot.content.sidefile import read_list, unknown_fields
from bot.content.textrules import SOURCE_DATE, find_phones, phone_findings, url_problem

FILE_NAME = "phones.yaml"
REQUIRED = ("number", "who", "country", "hours", "time_zone", "dial_from", "source", "date")
FIELDS = (*REQUIRED, "note")
#: Emergency and hotline short numbers: 112, 189, 0800 … is found by ``find_phones``.
_SHORT = re.compile(r"\d{2,6}")


def canonical(digits: str) -> str:
    """One spelling per number: a Russian 8 (495) … is +7 (495) …."""
    if len(digits) == 11 and digits.startswith("8") and not digits.startswith("800"):
        return "7" + digits[1:]
    return digits


@dataclass(frozen=True)
class Entry:
    number: str  # as the answers write it
    digits: str  # canonical digits, the key
    who: str
    country: str
    hours: str
    time_zone: str
    dial_from: str
    source: str
    date: str
    note: str
    line: int  # where the entry starts in phones.yaml

    @property
    def short(self) -> bool:
        """A number like 112 or 189 that a text cannot be searched for reliably."""
        return _SHORT.fullmatch(self.number.strip()) is not None


@dataclass(frozen=True)
class Phonebook:
    path: Path
    entries: tuple[Entry, ...]

    def find(self, digits: str) -> Entry | None:
        key = canonical(digits)
        return next((e for e in self.entries if e.digits == key), None)

    @property
    def short_numbers(self) -> tuple[str, ...]:
        return tuple(e.number.strip() for e in self.entries if e.short)


def read_phonebook(directory: Path, problems: list[Problem]) -> Phonebook | None:
    """The registry of ``directory``, or None (and why) when it is missing or unreadable."""
    path = directory / FILE_NAME
    if not path.is_file():
        problems.append(Problem(path, 1, f"no {FILE_NAME}: phone numbers in the topics cannot "
                                "be checked against the registry (see docs/content-guide.md)",
                                code="phones"))
        return None
    items = read_list(path, "numbers", problems)
    if items is None:
        return None
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for item in items:
        problems.extend(unknown_fields(path, item, FIELDS))
        values = {k: str(v).strip() if v is not None else "" for k, v in item.data.items()}
        missing = [name for name in REQUIRED if not values.get(name)]
        if missing:
            problems.append(Problem(path, item.line, f"number entry without {', '.join(missing)}:"
                                    " fill in every field (write unknown where the source does "
                                    "not say)", code="phones"))
            continue
        number = values["number"]
        digits = _digits_of(number)
        if digits is None:
            problems.append(Problem(path, item.line_of("number"), f"'{number}' is not a phone "
                                    "number: write it as the answers do, e.g. \"+7 925 045 "
                                    "4744\" or \"112\"", code="phones"))
            continue
        for finding in phone_findings(number):
            problems.append(Problem(path, item.line_of("number"), finding.message, code="phone"))
        if digits in seen:
            problems.append(Problem(path, item.line_of("number"), f"{number} is listed twice "
                                    f"(also on line {seen[digits]}); keep one entry",
                                    code="duplicate-id"))
            continue
        seen[digits] = item.line_of("number")
        problem = url_problem(values["source"])
        if problem:
            problems.append(Problem(path, item.line_of("source"), f"source {problem}",
                                    code="url"))
        if not SOURCE_DATE.match(values["date"]):
            problems.append(Problem(path, item.line_of("date"), f"date '{values['date']}' must "
                                    "be YYYY-MM-DD, YYYY-MM, YYYY or n.d.", code="schema"))
        entries.append(Entry(number=number, digits=digits, who=values["who"],
                             country=values["country"], hours=values["hours"],
                             time_zone=values["time_zone"], dial_from=values["dial_from"],
                             source=values["source"], date=values["date"],
                             note=values.get("note", ""), line=item.line))
    return Phonebook(path, tuple(entries))


def _digits_of(number: str) -> str | None:
    if _SHORT.fullmatch(number):
        return number
    found = find_phones(number)
    if len(found) != 1 or found[0].text.strip() != number.strip():
        return None
    return canonical(found[0].digits)
