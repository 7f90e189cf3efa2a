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
#: A channel's rendering of a reply (e.g. TwiML), as it would send it.
Render = Callable[[Reply, Session], str]
#: A fixed answer that leaves the conversation where it is (a note about a sticker or an
#: empty SMS), given the session; the rate limit still counts the message.
Note = Callable[[Session], Reply]


@dataclass(frozen=True)
class Answered:
    """The outcome of :meth:`BotService.answer_once`."""

    body: str  # what to send: this attempt's rendering, or the one the first attempt kept
    session: Session  # the session after this attempt's answer (saved only if ``first``)
    first: bool  # this attempt did the work: the session saved, the statistics told
    pending: bool = False  # the kept answer is not yet known to have gone out


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
        reply, after = await self._think(incoming, session or Session(incoming.sender_key))
        if session is not None:  # a blank session must not overwrite one we could not read
            await self._save(after)
        self._tell(incoming, reply)
        return reply, after

    async def answer_once(self, incoming: Incoming, render: Render, channel: str,
                          message_id: str | None, *, pending: bool = False,
                          note: Note | None = None) -> Answered:
        """Answer a message that may come again (a webhook retried): the rendered answer
        is kept with the claim of ``message_id`` and the session's save, in one
        transaction, and a retry — on this process or another — gets the first answer
        without anything changing or being counted twice.

        ``pending``: the channel sends the answer after this returns (Telegram) and calls
        :meth:`Store.mark_sent` once it went out; a retry before that gets the kept answer
        with ``pending`` set, to send it. ``note``: answer with this fixed note instead of
        the engine's answer (counted by the rate limit, not by the statistics).

        The session comes from the store's cache where it can (no database round trip
        before answering); the store refuses the answer if the cache was stale, and it is
        computed again from the database.
        """
        cached = self.store.cached(incoming.sender_key)
        while True:
            if cached is None:
                session, epoch = await self._load(incoming.sender_key), None
            else:
                session, epoch = cached
            reply, after = await self._think(incoming, session or Session(incoming.sender_key),
                                             note)
            body = render(reply, after)
            if session is None:  # unreadable: answered, but nothing kept over what is stored
                self._tell(incoming, reply, note)
                return Answered(body, after, first=True)
            try:
                kept = await self.store.keep_answer(after, body, channel, message_id, epoch,
                                                    pending=pending)
            except (SQLAlchemyError, OSError) as exc:  # answered all the same, statelessly
                self._fault(exc)
                self._tell(incoming, reply, note)
                return Answered(body, after, first=True)
            self._recovered()
            if kept.stale:
                cached = None
                continue
            if kept.new:
                self._tell(incoming, reply, note)
                return Answered(body, after, first=True, pending=pending)
            # A claim without an answer (a process of an older version still at work on
            # it): a possible double answer beats a lost one.
            return Answered(body if kept.response is None else kept.response, after,
                            first=False, pending=kept.pending)

    async def _think(self, incoming: Incoming, session: Session,
                     note: Note | None = None) -> tuple[Reply, Session]:
        admitted, session = admit(session, datetime.now(UTC))
        if not admitted:
            # A note knows the person's language even before they chose one (a hint).
            language = note(session).language if note is not None else session.language
            return self._limited(session, language), session
        if note is not None:
            return note(session), session
        return await respond(incoming, session, self.content.tree, self.catalogs)

    def _tell(self, incoming: Incoming, reply: Reply, note: Note | None = None) -> None:
        if note is not None:  # a note about what could not be read is not a question asked
            return
        for listener in self.listeners:
            listener(incoming, reply)

    def _limited(self, session: Session, language: str | None) -> Reply:
        """Say once that the person is writing too fast; stay silent for the rest."""
        language = language or "ru"
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

    async def _load(self, key: str) -> Session | None:
        """The stored session (a new one if there is none), or None if it cannot be read."""
        try:
            session = await self.store.load(key)
        except (SQLAlchemyError, OSError) as exc:
            self._fault(exc)
            return None
        self._recovered()
        return session

    async def _save(self, session: Session) -> None:
        """Save, or log why not: the answer goes out either way."""
        try:
            await self.store.save(session)
        except (SQLAlchemyError, OSError) as exc:
            self._fault(exc)
        except Exception as exc:
            log.error("session not saved: %s", type(exc).__name__)

    def _fault(self, exc: Exception) -> None:
        if not self._store_down:  # once per outage, not once per message
            log.error("database unreachable, answering without sessions: %s",
                      type(exc).__name__)
        self._store_down = True

    def _recovered(self) -> None:
        if self._store_down:
            log.warning("database reachable again")
        self._store_down = False
