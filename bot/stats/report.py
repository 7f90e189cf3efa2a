"""The usage report: counts in, noisy and suppressed counts out. Plain functions, no I/O.

Every published count first gets noise (``bot/stats/noise.py``): someone who adds messages
of their own to a cell and subtracts them learns the cell's count only up to that noise.
Then every noisy count below ``min_count`` is hidden (``None``) so that a small group —
one person asking about trafficking in Tajik by SMS — is never singled out. A breakdown
whose total is shown would let a reader subtract the visible cells from the total and get
close to a single hidden one, so when exactly one cell of a breakdown is hidden, the
smallest visible cell is hidden with it (secondary suppression).

Without noise (``Noise.none()``: tests, and ``bot stats --exact`` for whoever holds the
database) counts are exact and a count of 0 is shown, as it points at no one.

Simulator traffic (NGO staff previewing content) is left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Generic, TypeVar

from bot.stats.noise import Noise, combine, row_mark

K = TypeVar("K", bound=Hashable)
Shown = int | None  # None: suppressed

#: The topic column's value for messages that showed no topic (menus, language, help).
NO_TOPIC = ""
UNMATCHED = "unmatched"
#: "Did you mean": the question was close to some topics, and they were offered.
DIDYOUMEAN = "didyoumean"
SIMULATOR = "simulator"
#: A channel selection that takes every channel, the simulator too.
ALL_CHANNELS = "all"


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
class Understanding:
    """How one language's messages went: not understood, "did you mean", and the shares."""

    language: str
    messages: Shown
    unmatched: Shown
    didyoumean: Shown
    unmatched_share: float | None
    didyoumean_share: float | None


@dataclass(frozen=True)
class Report:
    since: date | None
    until: date | None
    min_count: int
    epsilon: float | None = None  # None: exact counts
    selection: tuple[str, ...] = ()  # the channels asked for; () is all but the simulator
    total: Shown = None
    days: list[tuple[date, Shown, Shown]] = field(default_factory=list)  # day, messages, people
    day_language: list[tuple[date, str, Shown]] = field(default_factory=list)
    topics: list[tuple[str, Shown]] = field(default_factory=list)
    languages: list[tuple[str, Shown]] = field(default_factory=list)
    channels: list[tuple[str, Shown]] = field(default_factory=list)
    kinds: list[tuple[str, Shown]] = field(default_factory=list)
    understanding: list[Understanding] = field(default_factory=list)
    rows: list[tuple[str, str, str, Shown]] = field(default_factory=list)  # topic, lang, channel
    topic_language: list[tuple[str, str, Shown]] = field(default_factory=list)


def channel_wanted(channel: str, selection: Collection[str]) -> bool:
    """Is this channel in the report? No selection: every channel but the simulator."""
    if not selection:
        return channel != SIMULATOR
    return ALL_CHANNELS in selection or channel in selection


def hide_small(count: int, min_count: int, hide_zero: bool = False) -> Shown:
    """The count, or None when it is small enough to point at a few people. An exact 0
    points at no one; a noisy 0 may be a few people, so it is hidden with them."""
    if count == 0 and not hide_zero:
        return 0
    return count if count >= min_count else None


def suppress(cells: Mapping[K, int], min_count: int, hide_zero: bool = False) -> dict[K, Shown]:
    """Hide cells under ``min_count``; hide a second one when a lone hidden cell is derivable."""
    shown = {key: hide_small(n, min_count, hide_zero) for key, n in cells.items()}
    hidden = [key for key, value in shown.items() if value is None]
    visible = [key for key, value in shown.items() if value]
    if len(hidden) == 1 and visible:
        smallest = min(visible, key=lambda key: (cells[key], repr(key)))
        shown[smallest] = None
    return shown


def _ranked(shown: Mapping[K, Shown], published: Mapping[K, int]) -> list[tuple[K, Shown]]:
    """Largest first; hidden cells last, in name order (their order must not leak size).
    Ranked by the published counts: an order by the true ones would leak them."""
    visible = sorted((k for k, v in shown.items() if v is not None),
                     key=lambda k: (-published[k], str(k)))
    hidden = sorted((k for k, v in shown.items() if v is None), key=str)
    return [(k, shown[k]) for k in [*visible, *hidden]]


class _Tallies(Generic[K]):
    """Counts of one table, each with the mark of the rows that make it (for its noise)."""

    def __init__(self, name: str, noise: Noise, min_count: int) -> None:
        self.name = name
        self.noise = noise
        self.min_count = min_count
        self.counts: dict[K, int] = {}
        self.marks: dict[K, int] = {}

    def add(self, key: K, row: CountRow, mark: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + row.count
        self.marks[key] = combine(self.marks.get(key, 0), mark)

    def ensure(self, key: K) -> None:
        self.counts.setdefault(key, 0)

    @cached_property
    def published(self) -> dict[K, int]:
        return {key: self.noise.apply(n, self.marks.get(key, 0), self.name, key)
                for key, n in self.counts.items()}

    @cached_property
    def shown(self) -> dict[K, Shown]:
        return suppress(self.published, self.min_count, hide_zero=not self.noise.exact)

    def ranked(self) -> list[tuple[K, Shown]]:
        return _ranked(self.shown, self.published)


def _topic_of(row: CountRow) -> str:
    """"Did you mean" answers carry no topic; rows recorded before they had their own
    name in the topic column are named here."""
    return DIDYOUMEAN if row.kind == DIDYOUMEAN else row.topic


def _share(part: Shown, whole: Shown, published_part: int, published_whole: int) -> float | None:
    if part is None or whole is None or not published_whole:
        return None
    return round(published_part / published_whole, 4)


def build_report(rows: Iterable[CountRow], people: Mapping[date, int], min_count: int,
                 since: date | None = None, until: date | None = None, *,
                 noise: Noise | None = None, channels: Collection[str] = ()) -> Report:
    """Every breakdown the CLI and the dashboard show, already noisy and suppressed."""
    noise = noise or Noise.none()
    k = min_count
    hide_zero = not noise.exact

    def tallies(name: str) -> _Tallies[Any]:
        return _Tallies(name, noise, k)

    total: _Tallies[str] = tallies("total")
    per_day: _Tallies[date] = tallies("days")
    day_language: _Tallies[tuple[date, str]] = tallies("day_language")
    topics: _Tallies[str] = tallies("topics")
    languages: _Tallies[str] = tallies("languages")
    channel_counts: _Tallies[str] = tallies("channels")
    kinds: _Tallies[str] = tallies("kinds")
    missed: _Tallies[str] = tallies(UNMATCHED)
    offered: _Tallies[str] = tallies(DIDYOUMEAN)
    cells: _Tallies[tuple[str, str, str]] = tallies("cells")
    topic_language: _Tallies[tuple[str, str]] = tallies("topic_language")

    total.ensure("")
    for row in rows:
        if ((since is not None and row.day < since) or (until is not None and row.day > until)
                or not channel_wanted(row.channel, channels)):
            continue
        topic = _topic_of(row)
        mark = row_mark(row.day, row.channel, row.language, topic, row.kind, row.count)
        total.add("", row, mark)
        per_day.add(row.day, row, mark)
        day_language.add((row.day, row.language), row, mark)
        topics.add(topic, row, mark)
        languages.add(row.language, row, mark)
        channel_counts.add(row.channel, row, mark)
        kinds.add(row.kind, row, mark)
        cells.add((topic, row.language, row.channel), row, mark)
        topic_language.add((topic, row.language), row, mark)
        if topic == UNMATCHED:
            missed.add(row.language, row, mark)
        elif topic == DIDYOUMEAN:
            offered.add(row.language, row, mark)
    for language in languages.counts:  # every language has a line in the understanding table
        missed.ensure(language)
        offered.ensure(language)

    days = []
    for day in sorted(per_day.counts):
        persons = people.get(day, 0)
        noisy = noise.apply(persons, row_mark("people", day, persons), "people", day)
        days.append((day, per_day.shown[day], hide_small(noisy, k, hide_zero)))
    by_day_language = []
    for day in sorted(per_day.counts):
        # Each day's languages add up to the day's count: one breakdown per day.
        one_day = {lang: n for (d, lang), n in day_language.published.items() if d == day}
        by_day_language += [(day, lang, value)
                            for lang, value in sorted(suppress(one_day, k, hide_zero).items())]

    understanding = []
    for language in sorted(languages.counts):
        messages = languages.shown[language]
        # A share beside a hidden count would give the count away, so both go together.
        unmatched = missed.shown[language] if messages is not None else None
        didyoumean = offered.shown[language] if messages is not None else None
        whole = languages.published[language]
        understanding.append(Understanding(
            language=language, messages=messages, unmatched=unmatched, didyoumean=didyoumean,
            unmatched_share=_share(unmatched, messages, missed.published[language], whole),
            didyoumean_share=_share(didyoumean, messages, offered.published[language], whole)))

    return Report(
        since=since,
        until=until,
        min_count=k,
        epsilon=None if noise.exact else noise.epsilon,
        selection=tuple(sorted(channels)),
        total=hide_small(total.published[""], k, hide_zero),
        days=days,
        day_language=by_day_language,
        topics=topics.ranked(),
        languages=languages.ranked(),
        channels=channel_counts.ranked(),
        kinds=kinds.ranked(),
        understanding=understanding,
        rows=[(*cell, value) for cell, value in cells.ranked()],
        topic_language=[(*cell, value) for cell, value in topic_language.ranked()],
    )


#: A topic's title in the reader's language, or None to show the id alone.
Titles = Callable[[str], str | None]
