"""Who may read the dashboard: ``ADMIN_TOKEN`` as a Bearer header, or a session cookie.

The cookie holds an expiry time and an HMAC of it keyed with the token — never the token
itself — so changing ``ADMIN_TOKEN`` ends every session. Every comparison is
constant-time. Wrong tokens are counted: past ``MAX_FAILURES`` a minute, every attempt
is refused for the rest of that minute, so a short token cannot be guessed quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field

COOKIE = "stats_session"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 20
WINDOW_SECONDS = 60.0


def session_value(token: str, expires: int) -> str:
    mac = hmac.new(token.encode(), f"stats-session:{expires}".encode(), hashlib.sha256)
    return f"{expires}.{mac.hexdigest()}"


def valid_session(token: str, value: str, now: float) -> bool:
    expires, _, _mac = value.partition(".")
    if not token or not expires.isdigit() or len(expires) > 12:
        return False
    expected = session_value(token, int(expires))
    return hmac.compare_digest(expected.encode(), _bytes(value)) and int(expires) > now


def _bytes(text: str) -> bytes:
    """Header values may carry undecodable bytes (as surrogates); compare them as bytes."""
    return text.encode("utf-8", "surrogateescape")


def token_matches(token: str, given: str) -> bool:
    return bool(token) and hmac.compare_digest(_bytes(given), token.encode())


def bearer(header: str) -> str | None:
    """The credentials of an ``Authorization: Bearer …`` header, if that is what it is."""
    scheme, _, credentials = header.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


@dataclass
class Guard:
    """Counts wrong tokens over a sliding minute (per process)."""

    clock: Callable[[], float] = time.monotonic
    failures: list[float] = field(default_factory=list)

    def locked(self) -> bool:
        cutoff = self.clock() - WINDOW_SECONDS
        self.failures = [t for t in self.failures if t > cutoff]
        return len(self.failures) >= MAX_FAILURES

    def failed(self) -> None:
        self.failures.append(self.clock())
