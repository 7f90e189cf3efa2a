"""The imperative shell around the engine: load the session, answer, save the session.

Channel adapters call :meth:`BotService.handle`; it is the one place that touches the
store for a conversation. Listeners (statistics) hear about every answered message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.content.live import LiveContent
from bot.engine import respond
from bot.i18n import Catalogs
from bot.ratelimit import LIMIT_PER_MINUTE, admit
from bot.storage.store import Store
from bot.types import Incoming, Reply, Session

log = logging.getLogger(__name__)

Listener = Callable[[Incoming, Reply], None]


@dataclass
class BotService:
    content: LiveContent
    catalogs: Catalogs
    store: Store
    listeners: list[Listener] = field(default_factory=list)
    _store_down: bool = False

    async def handle(self, incoming: Incoming) -> tuple[Reply, Session]:
        """Answer one message. If the database is down, answer from content alone."""
        session = await self._load(incoming.sender_key)
        admitted, session = admit(session, datetime.now(UTC))
        if admitted:
            reply, new_session = await respond(incoming, session, self.content.tree,
                                               self.catalogs)
        else:
            reply, new_session = self._limited(session), session
        await self._save(new_session)
        for listener in self.listeners:
            listener(incoming, reply)
        return reply, new_session

    def _limited(self, session: Session) -> Reply:
        """Say once that the person is writing too fast; stay silent for the rest."""
        language = session.language or "ru"
        if session.window_count > LIMIT_PER_MINUTE + 1:
            return Reply(language=language, kind="ignored")
        t = self.catalogs.translator(language)
        text = t("You are sending messages very fast. Please wait a minute, then write again.")
        return Reply(language=language, kind="limited", blocks=(text,))

    async def forget(self, sender_key: str) -> None:
        """Delete a session, e.g. when a Telegram user blocked the bot."""
        try:
            await self.store.delete(sender_key)
        except SQLAlchemyError as exc:
            self._fault(exc)

    async def _load(self, key: str) -> Session:
        try:
            session = await self.store.load(key)
        except (SQLAlchemyError, OSError) as exc:
            self._fault(exc)
            return Session(key=key)
        self._recovered()
        return session

    async def _save(self, session: Session) -> None:
        try:
            await self.store.save(session)
        except (SQLAlchemyError, OSError) as exc:
            self._fault(exc)

    def _fault(self, exc: Exception) -> None:
        if not self._store_down:  # once per outage, not once per message
            log.error("database unreachable, answering without sessions: %s",
                      type(exc).__name__)
        self._store_down = True

    def _recovered(self) -> None:
        if self._store_down:
            log.warning("database reachable again")
        self._store_down = False
