"""The usage report: counts in, suppressed counts out. Plain functions, no I/O.

Every count below ``min_count`` is hidden (``None``) so that a small group — one person
asking about trafficking in Tajik by SMS — is never singled out. A breakdown whose total
is shown would let a reader subtract the visible cells from the total and recover a
single hidden one, so when exactly one cell of a breakdown is hidden, the smallest
visible cell is hidden with it (secondary suppression).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
Shown = int | None  # None: suppressed

#: The topic column's value for messages that showed no topic (menus, language, help).
NO_TOPIC = ""
UNMATCHED = "unmatched"


@dataclass(frozen=True)
class CountRow:
    """How many events share one day, channel, language, topic and kind."""

    day: date
    channel: str
    language: str
    topic: str
    kind: str
    count: int


@dataclass(frozen=True)
class Share:
    """Unmatched messages of one language, and their share of its messages."""

    language: str
    unmatched: Shown
    messages: Shown
    share: float | None


@dataclass(frozen=True)
class Report:
    since: date | None
    until: date | None
    min_count: int
    total: Shown = None
    days: list[tuple[date, Shown, Shown]] = field(default_factory=list)  # day, messages, people
    day_language: list[tuple[date, str, Shown]] = field(default_factory=list)
    topics: list[tuple[str, Shown]] = field(default_factory=list)
    languages: list[tuple[str, Shown]] = field(default_factory=list)
    channels: list[tuple[str, Shown]] = field(default_factory=list)
    kinds: list[tuple[str, Shown]] = field(default_factory=list)
    unmatched: list[Share] = field(default_factory=list)
    rows: list[tuple[str, str, str, Shown]] = field(default_factory=list)  # topic, lang, channel


def hide_small(count: int, min_count: int) -> Shown:
    """The count, or None when it is small enough to point at a few people (0 points at none)."""
    return count if count >= min_count or count == 0 else None


def suppress(cells: Mapping[K, int], min_count: int) -> dict[K, Shown]:
    """Hide cells under ``min_count``; hide a second one when a lone hidden cell is derivable."""
    shown: dict[K, Shown] = {key: hide_small(n, min_count) for key, n in cells.items()}
    hidden = [key for key, value in shown.items() if value is None]
    visible = [key for key, value in shown.items() if value]
    if len(hidden) == 1 and visible:
        smallest = min(visible, key=lambda key: (cells[key], repr(key)))
        shown[smallest] = None
    return shown


def _ranked(cells: Mapping[K, Shown], counts: Mapping[K, int]) -> list[tuple[K, Shown]]:
    """Largest first; hidden cells last, in name order (their order must not leak size)."""
    visible = sorted((k for k, v in cells.items() if v is not None),
                     key=lambda k: (-counts[k], str(k)))
    hidden = sorted((k for k, v in cells.items() if v is None), key=str)
    return [(k, cells[k]) for k in [*visible, *hidden]]


def _tally(rows: Iterable[CountRow], key: str) -> Counter[str]:
    counter: Counter[str] = Counter()
    for row in rows:
        counter[getattr(row, key)] += row.count
    return counter


def build_report(rows: Iterable[CountRow], people: Mapping[date, int], min_count: int,
                 since: date | None = None, until: date | None = None) -> Report:
    """Every breakdown the CLI and the dashboard show, already suppressed."""
    rows = [r for r in rows if (since is None or r.day >= since)
            and (until is None or r.day <= until)]
    k = min_count
    per_day: Counter[date] = Counter()
    per_day_language: dict[date, Counter[str]] = {}
    per_cell: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        per_day[row.day] += row.count
        per_day_language.setdefault(row.day, Counter())[row.language] += row.count
        per_cell[(row.topic, row.language, row.channel)] += row.count

    day_shown = suppress(per_day, k)
    days = [(day, day_shown[day], hide_small(people.get(day, 0), k)) for day in sorted(per_day)]
    day_language = [
        (day, language, shown)
        for day in sorted(per_day_language)
        for language, shown in sorted(suppress(per_day_language[day], k).items())
    ]

    topics, languages = _tally(rows, "topic"), _tally(rows, "language")
    channels, kinds = _tally(rows, "channel"), _tally(rows, "kind")
    unmatched: Counter[str] = Counter()
    for row in rows:
        if row.topic == UNMATCHED:
            unmatched[row.language] += row.count
    # The unmatched counts add up to the "unmatched" topic's count: one breakdown.
    missed_shown = suppress(unmatched, k)
    languages_shown = suppress(languages, k)
    shares = []
    for language in sorted(languages):
        asked, missed = languages[language], unmatched[language]
        shown, messages = missed_shown.get(language, 0), languages_shown[language]
        known = shown is not None and messages is not None  # a share would reveal the other
        shares.append(Share(
            language=language,
            unmatched=shown if messages is not None else None,
            messages=messages,
            share=round(missed / asked, 4) if known else None,
        ))

    cell_shown = suppress(per_cell, k)
    return Report(
        since=since,
        until=until,
        min_count=k,
        total=hide_small(sum(per_day.values()), k),
        days=days,
        day_language=day_language,
        topics=_ranked(suppress(topics, k), topics),
        languages=_ranked(languages_shown, languages),
        channels=_ranked(suppress(channels, k), channels),
        kinds=_ranked(suppress(kinds, k), kinds),
        unmatched=shares,
        rows=[(t, lang, c, shown) for (t, lang, c), shown in _ranked(cell_shown, per_cell)],
    )
