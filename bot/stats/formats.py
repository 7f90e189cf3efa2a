"""The report as text: a table for people, CSV for spreadsheets, JSON for scripts.

A hidden count is ``<5`` (for ``STATS_MIN_COUNT`` 5) in the table and CSV, ``null`` in JSON.
Topics show by their title in the reader's language with the id beside; CSV and JSON keep
the id in ``topic`` (the stable key) and add ``title``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from bot.content.model import ContentTree
from bot.stats.report import DIDYOUMEAN, NO_TOPIC, UNMATCHED, Report, Shown, Titles
from bot.stats.words import Words, words

CSV_HEADER = ("topic", "language", "channel", "count", "title")


def no_titles(_topic: str) -> str | None:
    return None


def content_titles(tree: ContentTree, language: str) -> Titles:
    """Titles from the content, in ``language`` or else in Russian."""
    def title(topic_id: str) -> str | None:
        found = tree.lookup(topic_id, language)
        return found.text.title if found else None

    return title


def shown_text(value: Shown, min_count: int) -> str:
    return f"<{min_count}" if value is None else str(value)


def share_text(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


def topic_title(topic: str, tr: Words, titles: Titles) -> str:
    """What a person calls the topic: its title, or what the pseudo-topics mean."""
    if topic == NO_TOPIC:
        return tr("(no topic: menus, language, help)")
    if topic == UNMATCHED:
        return tr("Not understood")
    if topic == DIDYOUMEAN:
        return tr("“Did you mean…” (topics offered)")
    return titles(topic) or topic


def topic_label(topic: str, tr: Words | None = None, titles: Titles = no_titles) -> str:
    """The title with the id beside, for tables: ``Торговля людьми (scams.trafficking)``."""
    title = topic_title(topic, tr or words("en"), titles)
    return title if title == topic or topic == NO_TOPIC else f"{title} ({topic})"


def channels_text(report: Report, tr: Words) -> str:
    if not report.selection:
        return tr("Telegram and SMS (the simulator is left out)")
    return ", ".join(tr("every channel") if c == "all" else c for c in report.selection)


def noise_text(report: Report, tr: Words) -> str:
    if report.epsilon is None:
        return tr("Exact counts (no noise): not for publishing.")
    return tr("Every count has random noise added (ε = {epsilon}), so it may be off by a few; "
              "today's messages show from tomorrow.", epsilon=f"{report.epsilon:g}")


def to_csv(report: Report, titles: Titles = no_titles, tr: Words | None = None) -> str:
    """One line per topic × language × channel over the whole period."""
    tr = tr or words("en")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for topic, language, channel, count in report.rows:
        writer.writerow((topic, language, channel, shown_text(count, report.min_count),
                         topic_title(topic, tr, titles)))
    return out.getvalue()


def to_json(report: Report, titles: Titles = no_titles, tr: Words | None = None) -> dict[str, Any]:
    tr = tr or words("en")

    def named(pairs: Sequence[tuple[str, Shown]], name: str) -> list[dict[str, Any]]:
        return [{name: key, "count": count} for key, count in pairs]

    return {
        "since": report.since.isoformat() if report.since else None,
        "until": report.until.isoformat() if report.until else None,
        "min_count": report.min_count,
        "epsilon": report.epsilon,
        "channel_selection": list(report.selection) or ["telegram", "sms"],
        "total": report.total,
        "days": [{"day": d.isoformat(), "messages": m, "people": p} for d, m, p in report.days],
        "day_language": [{"day": d.isoformat(), "language": lang, "count": c}
                         for d, lang, c in report.day_language],
        "topics": [{"topic": topic, "title": topic_title(topic, tr, titles), "count": count}
                   for topic, count in report.topics],
        "languages": named(report.languages, "language"),
        "channels": named(report.channels, "channel"),
        "kinds": named(report.kinds, "kind"),
        "unmatched": [{"language": u.language, "messages": u.messages,
                       "unmatched": u.unmatched, "share": u.unmatched_share,
                       "didyoumean": u.didyoumean, "didyoumean_share": u.didyoumean_share}
                      for u in report.understanding],
        "rows": [{"topic": t, "language": lang, "channel": c, "count": n}
                 for t, lang, c, n in report.rows],
        "topic_language": [{"topic": t, "language": lang, "count": n}
                           for t, lang, n in report.topic_language],
    }


def to_json_text(report: Report, titles: Titles = no_titles, tr: Words | None = None) -> str:
    return json.dumps(to_json(report, titles, tr), ensure_ascii=False, indent=2) + "\n"


def matrix(report: Report) -> tuple[list[str], list[tuple[str, list[Shown | str]]]]:
    """The topic × language view: languages across, topics down (as ranked), "" for none."""
    languages = sorted({lang for _, lang, _ in report.topic_language})
    cells = {(t, lang): n for t, lang, n in report.topic_language}
    order: list[str] = []
    for topic, _ in report.topics:
        if any((topic, lang) in cells for lang in languages):
            order.append(topic)
    return languages, [(topic, [cells.get((topic, lang), "") for lang in languages])
                       for topic in order]


def _table(title: str, header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines,
                                                                       strict=False)]
    def fmt(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [str(first).ljust(widths[0])]
        parts += [str(c).rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    body = [fmt(line) for line in lines] or ["(—)"]
    return "\n".join([title, fmt(header), *body])


def to_table(report: Report, titles: Titles = no_titles, tr: Words | None = None) -> str:
    tr = tr or words("en")
    k = report.min_count

    def n(value: Shown | str) -> str:
        return value if isinstance(value, str) else shown_text(value, k)

    languages, rows = matrix(report)
    parts = [
        tr("Usage from {since} to {until} (days in UTC). Channels: {channels}.",
           since=str(report.since or "—"), until=str(report.until or "—"),
           channels=channels_text(report, tr)) + "\n"
        + tr("Counts below {k} are shown as <{k}.", k=k) + " " + noise_text(report, tr) + "\n"
        + tr("Messages: {total}.", total=n(report.total)),
        _table(tr("Per day"), (tr("day"), tr("messages"), tr("people")),
               [(d.isoformat(), n(m), n(p)) for d, m, p in report.days]),
        _table(tr("By topic"), (tr("topic"), tr("messages")),
               [(topic_label(t, tr, titles), n(c)) for t, c in report.topics]),
        _table(tr("By language"), (tr("language"), tr("messages")),
               [(lang, n(c)) for lang, c in report.languages]),
        _table(tr("By channel"), (tr("channel"), tr("messages")),
               [(c, n(m)) for c, m in report.channels]),
        _table(tr("Not understood and “did you mean”, by language"),
               (tr("language"), tr("messages"), tr("not understood"), tr("share"),
                tr("did you mean"), tr("share")),
               [(u.language, n(u.messages), n(u.unmatched), share_text(u.unmatched_share),
                 n(u.didyoumean), share_text(u.didyoumean_share))
                for u in report.understanding]),
        _table(tr("Topic × language"), (tr("topic"), *languages),
               [(topic_label(t, tr, titles), *(n(c) for c in counts)) for t, counts in rows]),
    ]
    return "\n\n".join(parts) + "\n"
