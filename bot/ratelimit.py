"""A per-sender rate limit, kept in the session itself (no extra query on the hot path).

A fixed one-minute window: enough to stop a script or a stuck phone from flooding the
bot, loose enough that a person typing fast never meets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.types import Session

LIMIT_PER_MINUTE = 20
WINDOW = timedelta(minutes=1)


def admit(session: Session, now: datetime, limit: int = LIMIT_PER_MINUTE) -> tuple[bool, Session]:
    """Whether this message may be answered, and the session with the message counted."""
    if session.window_start is None or now - session.window_start >= WINDOW:
        return True, session.evolve(window_start=now, window_count=1)
    count = session.window_count + 1
    return count <= limit, session.evolve(window_count=count)
