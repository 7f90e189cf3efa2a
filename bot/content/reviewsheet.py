"""Review sheets: every claim of every topic in one language, for a person to sign off.

``python -m bot content review-sheet [LANG] [--format csv|md] [--out DIR]`` writes one
sheet per language. A row is one line a reader reads (the title, whom it applies to, each
line of the answer, the SMS) with its file line, the phone numbers and sites in it, where
each number can be dialled from (``phones.yaml``), and empty "checked by / date / ok?"
columns; then the topic's sources with their dates. A native speaker checks the words, a
lawyer the facts, on paper or in a spreadsheet.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.content.checks.sms import sites
from bot.content.glossary import Glossary, read_glossary
from bot.content.loader import Problem, scan_content
from bot.content.model import ContentTree, TopicText
from bot.content.phonebook import Phonebook, read_phonebook
from bot.content.textrules import find_phones

HEADER = ("topic / тема", "file:line / файл:строка", "kind / что", "text / текст",
          "phones / телефоны", "where the number works / откуда звонить", "sites / сайты",
          "source date / дата источника", "checked by / кто проверил", "date / дата",
          "ok? / верно?", "note / замечание")
SIGN_OFF = ("", "", "", "")
_HEADING = re.compile(r"^\*\*[^*]+\*\*:?$")  # "**Что делать**": a heading, not a claim


@dataclass(frozen=True)
class Row:
    topic: str
    where: str  # file:line
    kind: str  # title, applies_to, answer, sms, source, glossary
    text: str
    phones: str = ""
    works_from: str = ""
    sites: str = ""
    source_date: str = ""

    def cells(self) -> tuple[str, ...]:
        return (self.topic, self.where, self.kind, self.text, self.phones, self.works_from,
                self.sites, self.source_date, *SIGN_OFF)


def rows(tree: ContentTree, language: str, base: Path, phonebook: Phonebook | None,
         glossary: Glossary | None) -> Iterator[Row]:
    """The rows of one language's sheet, topic by topic in menu order."""
    for topic_id in tree.topic_ids:
        text = tree.texts.get((topic_id, language))
        if text is None or text.path is None:
            continue
        yield from _topic_rows(text, base, phonebook)
    if glossary is not None:
        for term in glossary.terms:
            if term.language == language and term.open:
                yield Row("glossary.yaml", "", "glossary", f"{term.concept} ({term.meaning}): "
                          f"{term.use}. Open question: {term.open}")


def _topic_rows(text: TopicText, base: Path, phonebook: Phonebook | None) -> Iterator[Row]:
    assert text.path is not None
    name = _relative(text.path, base)
    raw = text.path.read_text(encoding="utf-8-sig").splitlines()
    lines: list[tuple[int, str, str]] = [
        (text.line_of("title"), "title", text.title),
        (text.line_of("applies_to"), "applies_to", text.applies_to),
    ]
    for number, row in enumerate(raw[text.body_line - 1:], start=text.body_line):
        claim = row.strip()
        if claim and not _HEADING.match(claim):
            lines.append((number, "answer", claim))
    lines.append((text.line_of("sms"), "sms", text.sms))
    for number, kind, claim in lines:
        if not claim:
            continue
        phones = _phones(claim, phonebook)
        yield Row(text.topic_id, f"{name}:{number}", kind, claim,
                  phones="; ".join(p for p, _ in phones),
                  works_from="; ".join(w for _, w in phones),
                  sites="; ".join(sites(claim)))
    for index, source in enumerate(text.sources):
        label = f"{source.title} — {source.url}" if source.title else source.url
        yield Row(text.topic_id, f"{name}:{text.line_of(f'sources.{index}')}", "source",
                  label, source_date=source.date)


def _phones(claim: str, phonebook: Phonebook | None) -> list[tuple[str, str]]:
    long = [p for p in find_phones(claim) if len(p.digits) >= 5]
    found = [(p.text, p.digits) for p in long]
    rest = claim  # without the long numbers: 189 is also the end of 0800 0000 189
    for phone in long:
        rest = rest[:phone.offset] + " " * len(phone.text) + rest[phone.offset + len(phone.text):]
    if phonebook is not None:
        for number in phonebook.short_numbers:
            if re.search(rf"(?<![\d+.,]){re.escape(number)}(?!\d|[.,]\d)", rest):
                found.append((number, number))
    result = []
    for shown, digits in found:
        entry = phonebook.find(digits) if phonebook is not None else None
        works = f"{entry.dial_from} (hours: {entry.hours})" if entry else \
            "NOT IN phones.yaml"
        result.append((shown, works))
    return result


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def write_csv(path: Path, sheet: list[Row]) -> None:
    # utf-8-sig: Excel reads a UTF-8 file as such only with the byte-order mark
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(row.cells() for row in sheet)


def write_markdown(path: Path, language: str, sheet: list[Row]) -> None:
    out = [f"# Review sheet: {language} · Лист проверки: {language}", "",
           "Fill in the last four columns for each line: who checked it, when, ok (yes/no), "
           "and what is wrong. · Заполните четыре последних столбца: кто проверил, когда, "
           "верно ли (да/нет) и что не так.", ""]
    topic = None
    for row in sheet:
        if row.topic != topic:
            topic = row.topic
            out += ["", f"## {topic}", "", "| " + " | ".join(HEADER[1:]) + " |",
                    "|" + " --- |" * (len(HEADER) - 1)]
        out.append("| " + " | ".join(_cell(c) for c in row.cells()[1:]) + " |")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def write_sheets(directory: Path, languages: list[str], out: Path, fmt: str,
                 base: Path) -> list[Path]:
    """One sheet per language in ``out``; the paths written."""
    tree, _ = scan_content(directory)
    ignored: list[Problem] = []  # content check reports these; a sheet is written anyway
    phonebook = read_phonebook(directory, ignored)
    glossary = read_glossary(directory, ignored)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for language in languages:
        sheet = list(rows(tree, language, base, phonebook, glossary))
        path = out / f"review-{language}.{fmt}"
        if fmt == "csv":
            write_csv(path, sheet)
        else:
            write_markdown(path, language, sheet)
        written.append(path)
    return written
