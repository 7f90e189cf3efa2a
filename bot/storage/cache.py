"""Sessions kept in memory between messages, for a bot on one SQLite file.

Loading the session was half of an SMS's database work in ``bench/bench_webhooks.py``
(its own statement, and a second wait before the answer could be computed). The cache
holds what this process last read or wrote; it is only ever *trusted* where the store can
check it afterwards: an answer computed from a cached session commits only if nobody else
wrote to the database since (SQLite's ``PRAGMA data_version``, read inside the same
``BEGIN IMMEDIATE`` transaction, changes when another connection commits). If someone did —
a second process on the same file, a command-line tool — the whole cache is dropped, the
``epoch`` moves on, and answers based on an older epoch are computed again from the
database. So the cache can make a message cheaper, never wrong.

Nothing is kept that the database does not already hold: pseudonymous keys and where each
conversation stands, never a number or a text.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.types import Session

#: About 400 bytes a session: 10,000 recent conversations cost some 4 MB.
MAX_SESSIONS = 10_000


class SessionCache:
    def __init__(self, max_sessions: int = MAX_SESSIONS) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._max = max_sessions
        #: Moves on whenever the cache is dropped: a session read in an earlier epoch
        #: may be stale.
        self.epoch = 0
        #: ``PRAGMA data_version`` as this process's connection last saw it.
        self.data_version: int | None = None

    def get(self, key: str) -> tuple[Session, int] | None:
        """The cached session and the epoch it belongs to, or None."""
        session = self._sessions.get(key)
        if session is None:
            return None
        self._sessions.move_to_end(key)
        return session, self.epoch

    def put(self, session: Session) -> None:
        """Keep a session just committed (or just read in a transaction)."""
        if session.forget:
            self._sessions.pop(session.key, None)
            return
        self._sessions[session.key] = session
        self._sessions.move_to_end(session.key)
        if len(self._sessions) > self._max:
            self._sessions.popitem(last=False)

    def drop(self, key: str) -> None:
        self._sessions.pop(key, None)

    def observe(self, data_version: int) -> None:
        """Called after each transaction with the ``data_version`` it read: if another
        connection had committed since this process last looked, nothing cached before
        can be trusted any more."""
        if data_version != self.data_version:
            self.clear()
            self.data_version = data_version

    def clear(self) -> None:
        self._sessions.clear()
        self.epoch += 1

    def __len__(self) -> int:
        return len(self._sessions)
