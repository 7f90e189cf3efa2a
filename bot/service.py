"""The imperative shell around the engine: load the session, answer, save the session.

Channel adapters call :meth:`BotService.handle`; it is the one place that touches the
store for a conversation. Listeners (statistics) hear about every answered message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
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

    async def handle(self, incoming: Incoming, session: Awaitable[Session] | None = None,
                     wait_for_save: bool = True) -> tuple[Reply, Session]:
        """Answer one message. If the database is down, answer from content alone.

        ``session``: a load already queued (``store.load_soon``), e.g. beside the channel's
        claim of the message id so that both share one transaction. ``wait_for_save=False``
        returns once the save is queued: the caller must await a later store operation
        (its commit means this one's) before it answers.
        """
        loaded = await self._load(incoming.sender_key, session)
        admitted, loaded = admit(loaded, datetime.now(UTC))
        if admitted:
            reply, new_session = await respond(incoming, loaded, self.content.tree,
                                               self.catalogs)
        else:
            reply, new_session = self._limited(loaded), loaded
        saved = self._save(new_session)
        if wait_for_save:
            await saved
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

    async def _load(self, key: str, queued: Awaitable[Session] | None = None) -> Session:
        try:
            session = await (queued or self.store.load_soon(key))
        except (SQLAlchemyError, OSError) as exc:
            self._fault(exc)
            return Session(key=key)
        self._recovered()
        return session

    def _save(self, session: Session) -> asyncio.Future[None]:
        """The save, queued now; awaiting the future never raises (a fault is logged)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def settle(saved: asyncio.Future[None]) -> None:
            exc = None if saved.cancelled() else saved.exception()
            if isinstance(exc, SQLAlchemyError | OSError):
                self._fault(exc)
            elif exc is not None:
                log.error("session not saved: %s", type(exc).__name__)
            if not done.done():
                done.set_result(None)

        self.store.save_soon(session).add_done_callback(settle)
        return done

    def _fault(self, exc: Exception) -> None:
        if not self._store_down:  # once per outage, not once per message
            log.error("database unreachable, answering without sessions: %s",
                      type(exc).__name__)
        self._store_down = True

    def _recovered(self) -> None:
        if self._store_down:
            log.warning("database reachable again")
        self._store_down = False
