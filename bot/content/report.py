"""``python -m bot content check`` as text: errors first, then warnings, then the counts
and a coverage table (topics × languages)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.types import CONTENT_LANGUAGES, LANGUAGES

if TYPE_CHECKING:
    from bot.content.check import CheckReport

COLUMNS = (*CONTENT_LANGUAGES, "uz-Cyrl")
LANGUAGE_ORDER = {lang: i for i, lang in enumerate(LANGUAGES)}


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


def format_report(report: CheckReport, base: Path | None = None,
                  warnings: bool = True) -> list[str]:
    """The lines ``python -m bot content check`` prints: every error, then (unless
    ``warnings`` is False) every warning, the counts, and the coverage table."""
    errors = [p for p in report.problems if p.severity == "error"]
    lines = [problem.display(base) for problem in errors]
    if warnings:
        lines += [p.display(base) for p in report.problems if p.severity != "error"]
    missing: dict[str, int] = {}
    for problem in report.problems:
        if problem.code == "missing-translation":
            missing[problem.language] = missing.get(problem.language, 0) + 1
    if missing and warnings:
        lines.append("missing translations: " + ", ".join(
            f"{lang} {count}" for lang, count in sorted(
                missing.items(), key=lambda kv: LANGUAGE_ORDER.get(kv[0], 99))))
    summary = f"{_count(report.errors, 'error')}, {_count(report.warnings, 'warning')}"
    if report.errors and report.warnings:
        summary += " (the errors are listed first)"
    if not warnings and report.warnings:
        summary += " (not shown: run without --errors-only to see them)"
    lines.append(summary)
    lines.append("")
    lines.extend(coverage_table(report))
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
