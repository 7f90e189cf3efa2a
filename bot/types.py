"""Plain data that flows between channel adapters, the engine and the renderers.

Nothing here knows about Telegram, Twilio, HTTP or SQL. Every value is immutable, so a
handler can only change a session by returning a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Literal

Channel = Literal["telegram", "sms", "simulator"]
CHANNELS: tuple[Channel, ...] = ("telegram", "sms", "simulator")

#: The languages the bot speaks. ``uz`` is Uzbek in Latin letters, ``uz-Cyrl`` in Cyrillic.
LANGUAGES: tuple[str, ...] = ("ru", "ky", "tg", "uz", "uz-Cyrl")
#: The languages content is written in; ``uz-Cyrl`` is derived from ``uz``.
CONTENT_LANGUAGES: tuple[str, ...] = ("ru", "ky", "tg", "uz")
FALLBACK_LANGUAGE = "ru"


@dataclass(frozen=True)
class Incoming:
    """One message from a person, as every channel adapter delivers it."""

    channel: Channel
    sender_key: str  # a keyed hash of (channel, sender): never the raw id or number
    text: str = ""
    option: str | None = None  # the id of a pressed button, when there was one
    language_hint: str | None = None  # e.g. Telegram's language_code or a phone's country
    country_hint: str | None = None  # ISO country from a calling code; never stored


@dataclass(frozen=True)
class Option:
    """A choice offered to the person: a button in Telegram, a numbered line in SMS."""

    id: str  # short ASCII, fits Telegram's 64-byte callback data
    label: str
    short: str = ""  # the label on SMS, where every letter costs; empty: the label


Kind = Literal[
    "language", "menu", "module", "topic", "search", "unmatched", "emergency", "help", "stop",
    "didyoumean", "error", "ignored", "limited",
]


@dataclass(frozen=True)
class Reply:
    """What the bot answers, before any channel has formatted it."""

    language: str
    kind: Kind
    blocks: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    topic: str | None = None
    #: The short version for basic handsets: a topic's summary, or the first contact's
    #: welcome (SMS sends it instead of the blocks and the footer).
    sms: str | None = None
    footer: tuple[str, ...] = ()  # e.g. "reviewed on …", the way to change language
    page: int = 0  # which page of a long answer a paging channel (SMS) should show
    reviewed: date | None = None  # when the topic shown was last checked


@dataclass(frozen=True)
class Session:
    """What the bot remembers about one conversation, keyed by a pseudonym."""

    key: str
    language: str | None = None
    position: str = "root"  # "root", "lang", "module:<id>" or "topic:<id>"
    page: int = 0  # paging state for long answers on SMS
    shown: tuple[str, ...] = ()  # ids of the options last shown, in order (for digits)
    history: tuple[str, ...] = ()  # earlier positions, for "back"
    latin: bool = False  # SMS user asked for Cyrillic answers in Latin letters
    last_topic: str | None = None
    window_start: datetime | None = None  # the rate limit's current minute
    window_count: int = 0  # messages in that minute
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    forget: bool = False  # set by /stop: the store deletes the session instead of saving it

    def evolve(self, **changes: object) -> Session:
        """A copy with ``changes``. Like ``dataclasses.replace``, which re-runs ``__init__``
        over every field and was 2 % of an SMS's CPU (several copies a message)."""
        unknown = changes.keys() - _SESSION_FIELDS
        if unknown:
            raise TypeError(f"Session has no field {sorted(unknown)[0]!r}")
        copy = object.__new__(Session)
        copy.__dict__.update(self.__dict__, **changes)
        return copy


_SESSION_FIELDS = frozenset(f.name for f in fields(Session))
