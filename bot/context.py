"""What a handler is given and what it gives back: shared by the engine and ``handlers/``.

Kept apart from ``bot.engine`` so that handlers need not import the engine that routes
to them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.content.model import ContentTree
from bot.i18n import Catalogs, Translator
from bot.types import Incoming, Reply, Session


@dataclass(frozen=True)
class Context:
    """Everything a handler may look at; handlers return a reply and a new session."""

    incoming: Incoming
    session: Session
    content: ContentTree
    catalogs: Catalogs
    language: str

    @property
    def t(self) -> Translator:
        return self.catalogs.translator(self.language)

    def with_language(self, language: str) -> Context:
        return Context(self.incoming, self.session.evolve(language=language), self.content,
                       self.catalogs, language)


Result = tuple[Reply, Session]
Handler = Callable[[Context], Awaitable[Result]]
