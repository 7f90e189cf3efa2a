"""Everything an editor should fix before publishing, beyond what stops content loading.

``check_content(directory)`` loads the folder (:mod:`bot.content.loader`) and adds:
missing translations (per language), SMS versions over their budget (with the date line
and "0 Menu" the SMS channel adds), phone numbers that
cannot be dialled, broken web addresses, ``reviewed`` dates older than 12 months, unknown
fields, and letters that do not belong to the file's language. Each is a ``Problem``
with ``file:line``; errors make ``python -m bot content check`` exit 1, warnings do not.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.config import ROOT
from bot.content.loader import FIELDS, Problem, Severity, scan_content
from bot.content.model import ContentTree, TopicText
from bot.content.textrules import (
    DISTINCTIVE,
    Finding,
    lacks_distinctive_letters,
    letter_findings,
    mixed_script_findings,
    phone_findings,
    url_findings,
    url_problem,
)
from bot.i18n import Translator, catalogs
from bot.sms.segments import count_segments, is_gsm7
from bot.types import CONTENT_LANGUAGES, FALLBACK_LANGUAGE, LANGUAGES
from bot.understanding.translit import APOSTROPHES, normalize_apostrophes, uz_latin_to_cyrillic

SMS_MAX_SEGMENTS = 3
TITLE_MAX = 45
BODY_MAX = 1800
KEYWORDS_MIN = 10
SOURCE_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|n\.d\.)$")
LANGUAGE_ORDER = {lang: i for i, lang in enumerate(LANGUAGES)}


@dataclass(frozen=True)
class CheckReport:
    directory: Path
    tree: ContentTree
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def year_before(today: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    if today.month == 2 and today.day == 29:
        return date(today.year - 1, 2, 28)
    return today.replace(year=today.year - 1)


class _FileChecker:
    """The checks of one topic file; problems go into a shared list."""

    def __init__(self, text: TopicText, path: Path, problems: list[Problem],
                 translators: dict[str, Translator], today: date,
                 derives_cyrillic: bool) -> None:
        self.text, self.path, self.problems = text, path, problems
        self.translators, self.today = translators, today
        self.derives_cyrillic = derives_cyrillic  # uz-Cyrl readers get this file transliterated
        self.raw_lines = path.read_text(encoding="utf-8-sig").splitlines()

    def add(self, line: int, message: str, severity: Severity = "error", code: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, severity, code,
                                     self.text.language))

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

    def run(self) -> None:
        self.fields()
        self.sources()
        self.reviewed()
        self.sms()
        self.running_text()

    def fields(self) -> None:
        text = self.text
        for name, line in text.lines.items():
            if "." in name or name in FIELDS:
                continue
            close = difflib.get_close_matches(name, FIELDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.add(line, f"unknown field '{name}'{hint}", "warning", "schema")
        if len(text.title) > TITLE_MAX:
            self.add(text.line_of("title"), f"title has {len(text.title)} characters; keep it "
                     f"within {TITLE_MAX} (it is a menu button and an SMS line)", "warning",
                     "title-length")
        if len(text.body) > BODY_MAX:
            self.add(text.body_line, f"the answer has {len(text.body)} characters; keep it "
                     f"under about {BODY_MAX} (a phone screen)", "warning", "body-length")
        if len(text.keywords) < KEYWORDS_MIN:
            self.add(text.line_of("keywords"), f"only {len(text.keywords)} keywords; give "
                     f"{KEYWORDS_MIN}-25 words people type about this topic", "warning",
                     "keywords")

    def sources(self) -> None:
        if not self.text.sources:
            self.add(self.text.line_of("sources"), "no sources: list where the facts were "
                     "checked (url, date, title)", "warning", "sources")
        for index, source in enumerate(self.text.sources):
            line = self.text.line_of(f"sources.{index}")
            problem = url_problem(source.url)
            if problem:
                self.add(line, f"source url {problem}", code="url")
            if not SOURCE_DATE.match(source.date.strip()):
                self.add(line, f"source date '{source.date}' must be YYYY-MM-DD, YYYY-MM, YYYY "
                         "or n.d.", code="schema")

    def reviewed(self) -> None:
        reviewed = self.text.reviewed
        if reviewed is None:
            return
        line = self.text.line_of("reviewed")
        if reviewed < year_before(self.today):
            self.add(line, f"reviewed {reviewed.isoformat()} is more than 12 months ago: check "
                     "the text against its sources and update the date", "warning", "reviewed")
        elif reviewed > self.today:
            self.add(line, f"reviewed {reviewed.isoformat()} is in the future", "warning",
                     "reviewed")

    def sms(self) -> None:
        text, line = self.text, self.text.line_of("sms")
        if not text.sms:
            self.add(line, "no sms: write the short version basic phones receive "
                     "(sms: >- and the text on the next lines)", code="sms")
            return
        language = text.language
        if language == "uz":
            raw_sms = self._raw_field(line)
            if any(ch in raw_sms for ch in APOSTROPHES):
                self.add(line, "sms: use the plain apostrophe ' (o' g'); other apostrophes "
                         "make the SMS cost up to 3 times more", "warning", "sms-gsm7")
            bad = sorted({ch for ch in text.sms if not is_gsm7(ch)})
            if bad:
                shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in bad)
                self.add(line, f"sms must use only GSM-7 characters; found {shown}: use - "
                         "instead of —, \" instead of « », no №", code="sms-gsm7")
                return
        self._budget(line, text.sms, language)
        if self.derives_cyrillic:
            # An error too: every Uzbek Cyrillic reader would lose the date otherwise.
            self._budget(line, uz_latin_to_cyrillic(text.sms), "uz-Cyrl",
                         prefix="in Cyrillic (uz-Cyrl) ")

    def _raw_field(self, line: int) -> str:
        """A field as typed: its line and the indented lines that continue it."""
        rows = [self.raw_lines[line - 1]]
        for row in self.raw_lines[line:]:
            if not row.startswith((" ", "\t")):
                break
            rows.append(row)
        return "\n".join(rows)

    def _sms_ending(self, language: str) -> tuple[str, str]:
        """The lines the SMS channel adds after the text and never drops: the date the
        topic was checked (``bot/render/sms.py``, as sent, from the real catalog) and
        ``0 Menu``. "1 Back" between them is left out when it does not fit."""
        t = self.translators[language]
        reviewed = self.text.reviewed or self.today  # no date: an error reported elsewhere
        return t("Checked: {date}", date=t.short_date(reviewed)), f"0 {t('Menu')}"

    def _budget(self, line: int, sms: str, language: str, prefix: str = "") -> None:
        checked, menu_line = self._sms_ending(language)
        count = count_segments(f"{sms}\n{checked}\n{menu_line}")
        if count.segments > SMS_MAX_SEGMENTS:
            self.add(line, f"sms {prefix}takes {count.segments} SMS segments ({count.encoding}, "
                     f"{count.units} characters with the '{checked}' and '{menu_line}' lines); "
                     f"at most {SMS_MAX_SEGMENTS}: shorten it", "error", "sms-length")

    def running_text(self) -> None:
        text = self.text
        fields = (("title", text.title), ("applies_to", text.applies_to), ("sms", text.sms),
                  ("body", text.body))
        for field, value in fields:
            for finding in phone_findings(value):
                self.add(self.line_in(field, value, finding), finding.message, code="phone")
            for finding in url_findings(value):
                self.add(self.line_in(field, value, finding), finding.message, code="url")
            for finding in mixed_script_findings(value):
                self.add(self.line_in(field, value, finding), finding.message, code="letters")
        for keyword in text.keywords:
            for finding in mixed_script_findings(keyword):
                self.add(self.line_in("keywords", keyword, finding), f"keyword: "
                         f"{finding.message}", code="letters")
        self._letters()

    def _letters(self) -> None:
        text = self.text
        reported: set[str] = set()
        for field, value in (("title", text.title), ("applies_to", text.applies_to),
                             ("sms", text.sms), ("body", text.body)):
            # the raw file: the apostrophes as typed, before the loader normalised them
            typed = self._typed(field, value)
            for finding, certain in letter_findings(typed, text.language):
                if finding.message in reported:
                    continue  # once per kind of letter and file is enough to find them all
                reported.add(finding.message)
                self.add(self.line_in(field, typed, finding), finding.message,
                         "error" if certain else "warning", "letters")
        whole = "\n".join((text.title, text.sms, text.body))
        if lacks_distinctive_letters(whole, text.language):
            needed = " ".join(DISTINCTIVE[text.language])
            self.add(text.body_line, f"this {text.language} text has none of the letters "
                     f"{needed}: was it typed with Russian letters?", "warning", "letters")

    def _typed(self, field: str, value: str) -> str:
        """The body as typed in the file (same length: only apostrophes differ)."""
        if field != "body" or self.text.language != "uz":
            return value
        start = self.text.body_line - 1
        typed = "\n".join(self.raw_lines[start:]).strip()
        return typed if len(typed) == len(value) else value


def _translators() -> dict[str, Translator]:
    languages = catalogs(ROOT / "locales")
    return {lang: languages.translator(lang) for lang in LANGUAGES}


def check_content(directory: Path, today: date | None = None) -> CheckReport:
    """Load ``directory`` and run every check on it."""
    today = today or date.today()
    tree, problems = scan_content(directory)
    problems = list(problems)
    translators = _translators()
    for text in sorted(tree.texts.values(), key=lambda t: str(t.path)):
        if text.derived or text.path is None:
            continue
        cyrillic = tree.texts.get((text.topic_id, "uz-Cyrl"))
        derives = text.language == "uz" and cyrillic is not None and cyrillic.derived
        _FileChecker(text, text.path, problems, translators, today, derives).run()
    problems.extend(_missing_translations(directory, tree))
    problems.extend(_unknown_folders(directory))
    return CheckReport(directory, tree, tuple(sorted(problems, key=_order)))


def _missing_translations(directory: Path, tree: ContentTree) -> list[Problem]:
    found = []
    for language in CONTENT_LANGUAGES:
        if language == FALLBACK_LANGUAGE:
            continue  # a missing Russian text is an error the loader reports
        for module in tree.modules:
            for topic_id in module.topics:
                if (topic_id, language) in tree.texts:
                    continue
                if (topic_id, FALLBACK_LANGUAGE) not in tree.texts:
                    continue
                if (directory / language / f"{topic_id}.md").is_file():
                    continue  # there is a file, with an error reported already
                found.append(Problem(
                    directory / "menu.yaml", module.topic_lines.get(topic_id, module.line),
                    f"{topic_id} has no {language} translation ({language}/{topic_id}.md): "
                    f"{language} readers get the Russian text with a note", "warning",
                    "missing-translation", language))
    return found


def _unknown_folders(directory: Path) -> list[Problem]:
    known = {*CONTENT_LANGUAGES, "uz-Cyrl"}
    return [Problem(path, 1, f"folder '{path.name}' is not a language of the bot "
                    f"({', '.join(sorted(known))}); its files are not read", "warning", "folder")
            for path in sorted(directory.iterdir())
            if path.is_dir() and not path.name.startswith(".") and path.name not in known]


def _order(problem: Problem) -> tuple[object, ...]:
    missing = problem.code == "missing-translation"
    return (missing, LANGUAGE_ORDER.get(problem.language, 99) if missing else 0,
            str(problem.path), problem.line)


# --- the report as text ------------------------------------------------------------------

COLUMNS = (*CONTENT_LANGUAGES, "uz-Cyrl")


def coverage_cells(report: CheckReport) -> dict[str, dict[str, str]]:
    """For each topic and language: ok, warn, ERR, - (missing) or auto (transliterated)."""
    worst: dict[Path, str] = {}
    for problem in report.problems:
        if problem.severity == "error":
            worst[problem.path] = "ERR"
        else:
            worst.setdefault(problem.path, "warn")
    cells: dict[str, dict[str, str]] = {}
    for topic_id in report.tree.topic_ids:
        row = {}
        for language in COLUMNS:
            text = report.tree.texts.get((topic_id, language))
            if text is None:
                broken = report.directory / language / f"{topic_id}.md"
                row[language] = "ERR" if broken in worst else "-"
            elif text.derived:
                row[language] = "auto"
            else:
                row[language] = worst.get(text.path, "ok") if text.path else "ok"
        cells[topic_id] = row
    return cells


def coverage_table(report: CheckReport) -> list[str]:
    cells = coverage_cells(report)
    topics = list(cells)
    width = max([len("topic"), *(len(t) for t in topics)]) + 2
    lines = [f"Coverage: {len(topics)} topics in menu.yaml "
             "(ok = written, warn/ERR = has warnings/errors, - = missing: Russian is shown, "
             "auto = transliterated from uz)",
             "topic".ljust(width) + "".join(lang.ljust(9) for lang in COLUMNS).rstrip()]
    for topic_id in topics:
        lines.append(topic_id.ljust(width)
                     + "".join(cells[topic_id][lang].ljust(9) for lang in COLUMNS).rstrip())
    totals = "".join(f"{sum(cells[t][lang] != '-' for t in topics)}/{len(topics)}".ljust(9)
                     for lang in COLUMNS)
    lines.append("total".ljust(width) + totals.rstrip())
    return lines


def format_report(report: CheckReport, base: Path | None = None) -> list[str]:
    """The lines ``python -m bot content check`` prints."""
    lines = [problem.display(base) for problem in report.problems]
    missing: dict[str, int] = {}
    for problem in report.problems:
        if problem.code == "missing-translation":
            missing[problem.language] = missing.get(problem.language, 0) + 1
    if missing:
        lines.append("missing translations: " + ", ".join(
            f"{lang} {count}" for lang, count in sorted(
                missing.items(), key=lambda kv: LANGUAGE_ORDER.get(kv[0], 99))))
    lines.append(f"{report.errors} errors, {report.warnings} warnings")
    lines.append("")
    lines.extend(coverage_table(report))
    return lines
