"""The content tree: modules, topics and their texts, immutable once loaded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

from bot.types import FALLBACK_LANGUAGE


@dataclass(frozen=True)
class Source:
    url: str
    date: str  # "2025-09-06", "2025" or "n.d." as the source gives it
    title: str = ""


@dataclass(frozen=True)
class TopicText:
    """One topic in one language: one file under ``content/<lang>/<topic id>.md``."""

    topic_id: str
    language: str
    title: str
    body: str
    sms: str
    keywords: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed: date | None
    applies_to: str = ""
    #: Questions as people type them, for the classifier (``bot.understanding``).
    examples: tuple[str, ...] = ()
    path: Path | None = None
    derived: bool = False  # produced by transliteration, not written by hand
    #: The file line of each front-matter field ("sms", "sources.0" …), for messages.
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}),
                                     compare=False, hash=False)
    body_line: int = 0  # the file line where the answer text starts

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)


@dataclass(frozen=True)
class Module:
    id: str
    titles: Mapping[str, str]
    topics: tuple[str, ...]
    line: int = 1  # where the module starts in menu.yaml
    #: The menu.yaml line of each topic entry, for messages about it.
    topic_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}),
                                           compare=False, hash=False)

    #: A word or two per language for the SMS menu, where every letter costs (``sms:`` in
    #: menu.yaml); SMS shows the title in a language without one.
    sms_titles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}),
                                          compare=False, hash=False)

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get(FALLBACK_LANGUAGE) or self.id

    def sms_title(self, language: str) -> str:
        """The short name for SMS, or "" when there is none (SMS then shows the title)."""
        if language in self.titles:
            return self.sms_titles.get(language, "")
        return self.sms_titles.get(FALLBACK_LANGUAGE, "")  # the Russian title is shown


@dataclass(frozen=True)
class Lookup:
    """A topic text for a requested language, and whether it had to fall back."""

    text: TopicText
    fallback: bool


@dataclass(frozen=True)
class ContentTree:
    modules: tuple[Module, ...]
    texts: Mapping[tuple[str, str], TopicText] = field(
        default_factory=lambda: MappingProxyType({})
    )
    emergency_topic: str = "help.emergency"

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t for m in self.modules for t in m.topics)

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def module_of(self, topic_id: str) -> Module | None:
        return next((m for m in self.modules if topic_id in m.topics), None)

    def has_topic(self, topic_id: str) -> bool:
        return (topic_id, FALLBACK_LANGUAGE) in self.texts or any(
            key[0] == topic_id for key in self.texts
        )

    def lookup(self, topic_id: str, language: str) -> Lookup | None:
        """The text of a topic in a language, falling back to Russian (and saying so)."""
        text = self.texts.get((topic_id, language))
        if text is not None:
            return Lookup(text, fallback=False)
        text = self.texts.get((topic_id, FALLBACK_LANGUAGE))
        if text is not None:
            return Lookup(text, fallback=True)
        return None

    def title(self, topic_id: str, language: str) -> str:
        found = self.lookup(topic_id, language)
        return found.text.title if found else topic_id

    def texts_in(self, language: str) -> list[TopicText]:
        return [t for (_, lang), t in self.texts.items() if lang == language]
