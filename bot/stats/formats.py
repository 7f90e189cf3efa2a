"""The report as text: a table for people, CSV for spreadsheets, JSON for scripts.

A hidden count is ``<5`` (for ``STATS_MIN_COUNT`` 5) in the table and CSV, ``null`` in JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from bot.stats.report import NO_TOPIC, Report, Shown

CSV_HEADER = ("topic", "language", "channel", "count")


def shown_text(value: Shown, min_count: int) -> str:
    return f"<{min_count}" if value is None else str(value)


def share_text(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


def topic_label(topic: str) -> str:
    return "(no topic: menus, language, help)" if topic == NO_TOPIC else topic


def to_csv(report: Report) -> str:
    """One line per topic × language × channel over the whole period."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for topic, language, channel, count in report.rows:
        writer.writerow((topic, language, channel, shown_text(count, report.min_count)))
    return out.getvalue()


def to_json(report: Report) -> dict[str, Any]:
    def named(pairs: Sequence[tuple[str, Shown]], name: str) -> list[dict[str, Any]]:
        return [{name: key, "count": count} for key, count in pairs]

    return {
        "since": report.since.isoformat() if report.since else None,
        "until": report.until.isoformat() if report.until else None,
        "min_count": report.min_count,
        "total": report.total,
        "days": [{"day": d.isoformat(), "messages": m, "people": p} for d, m, p in report.days],
        "day_language": [{"day": d.isoformat(), "language": lang, "count": c}
                         for d, lang, c in report.day_language],
        "topics": named(report.topics, "topic"),
        "languages": named(report.languages, "language"),
        "channels": named(report.channels, "channel"),
        "kinds": named(report.kinds, "kind"),
        "unmatched": [{"language": s.language, "unmatched": s.unmatched,
                       "messages": s.messages, "share": s.share} for s in report.unmatched],
        "rows": [{"topic": t, "language": lang, "channel": c, "count": n}
                 for t, lang, c, n in report.rows],
    }


def to_json_text(report: Report) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2) + "\n"


def _table(title: str, header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines,
                                                                       strict=False)]
    def fmt(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [str(first).ljust(widths[0])]
        parts += [str(c).rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    body = [fmt(line) for line in lines] or ["(nothing)"]
    return "\n".join([title, fmt(header), *body])


def to_table(report: Report) -> str:
    k = report.min_count
    span = (f"from {report.since or 'the first record'} to {report.until or 'today'} (UTC)")
    parts = [
        f"Usage {span}. Counts below {k} are shown as <{k}. "
        f"Messages: {shown_text(report.total, k)}.",
        _table("Per day", ("day", "messages", "people"),
               [(d.isoformat(), shown_text(m, k), shown_text(p, k)) for d, m, p in report.days]),
        _table("By topic", ("topic", "messages"),
               [(topic_label(t), shown_text(n, k)) for t, n in report.topics]),
        _table("By language", ("language", "messages"),
               [(lang, shown_text(n, k)) for lang, n in report.languages]),
        _table("By channel", ("channel", "messages"),
               [(c, shown_text(n, k)) for c, n in report.channels]),
        _table("Not understood, by language", ("language", "unmatched", "messages", "share"),
               [(s.language, shown_text(s.unmatched, k), shown_text(s.messages, k),
                 share_text(s.share)) for s in report.unmatched]),
    ]
    return "\n\n".join(parts) + "\n"
