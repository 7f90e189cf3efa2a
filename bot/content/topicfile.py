"""One topic file as the checks see it: its text, its lines, and what all checks share.

A check is a function ``check(file: TopicFile) -> Iterable[Problem]`` (see
:mod:`bot.content.check`); this module gives it the file's parsed text, the file's own
lines (to point at the line of a finding) and the run's shared resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.content.glossary import Glossary
from bot.content.loader import Problem, Severity
from bot.content.model import TopicText
from bot.content.phonebook import Phonebook
from bot.content.textrules import Finding
from bot.i18n import Translator
from bot.understanding.translit import normalize_apostrophes


@dataclass(frozen=True)
class Resources:
    """Read once a run, shared by every file's checks."""

    directory: Path
    today: date
    translators: dict[str, Translator]
    glossary: Glossary | None
    phonebook: Phonebook | None


class TopicFile:
    """A topic file being checked."""

    def __init__(self, text: TopicText, path: Path, resources: Resources,
                 derives_cyrillic: bool) -> None:
        self.text, self.path, self.resources = text, path, resources
        self.language = text.language
        #: uz-Cyrl readers get this file transliterated (the SMS budget applies twice)
        self.derives_cyrillic = derives_cyrillic
        self.raw_lines = path.read_text(encoding="utf-8-sig").splitlines()

    @property
    def today(self) -> date:
        return self.resources.today

    def problem(self, line: int, message: str, severity: Severity = "error",
                code: str = "") -> Problem:
        return Problem(self.path, line, message, severity, code, self.language)

    def read_fields(self) -> tuple[tuple[str, str], ...]:
        """What a reader reads: rules on words and letters apply here, and never to
        ``keywords``, ``examples`` or ``sources`` (questions are typed with mistakes)."""
        text = self.text
        return (("title", text.title), ("applies_to", text.applies_to), ("sms", text.sms),
                ("body", text.body))

    def line_in(self, field: str, value: str, finding: Finding) -> int:
        """The file line of a finding inside a field's value."""
        if field == "body":
            return self.text.body_line + value[: finding.offset].count("\n")
        start = self.text.line_of(field)
        needle = finding.snippet.strip()
        if needle:
            for number in range(start, min(len(self.raw_lines), start + 40) + 1):
                if needle in normalize_apostrophes(self.raw_lines[number - 1]):
                    return number
        return start

    def raw_field(self, line: int) -> str:
        """A field as typed: its line and the indented lines that continue it."""
        rows = [self.raw_lines[line - 1]]
        for row in self.raw_lines[line:]:
            if not row.startswith((" ", "\t")):
                break
            rows.append(row)
        return "\n".join(rows)

    def typed(self, field: str, value: str) -> str:
        """The body as typed in the file (same length: only apostrophes differ)."""
        if field != "body" or self.language != "uz":
            return value
        start = self.text.body_line - 1
        typed = "\n".join(self.raw_lines[start:]).strip()
        return typed if len(typed) == len(value) else value
