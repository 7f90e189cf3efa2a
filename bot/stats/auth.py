"""Who may read the dashboard: ``ADMIN_TOKEN`` as a Bearer header, or a session cookie.

The cookie holds an expiry time, the sign-in *generation* and an HMAC of both keyed with
the token — never the token itself — so changing ``ADMIN_TOKEN`` ends every session.
Signing out raises the generation in the database (``stats_access``): every cookie made
before is refused from then on, by every process, a copied one too. Every comparison is
constant-time.

Wrong tokens are counted per client address (an IPv6 address by its /64, which one
machine usually has whole): past ``MAX_FAILURES`` in a minute, that address is refused
for the rest of the minute, so a token cannot be guessed quickly from one place, and
someone guessing cannot lock the admin out from another. Several processes count apart.

Signing in and out must come from the dashboard's own pages: a form posted from another
site is refused (``same_origin``), as browsers tell with ``Sec-Fetch-Site`` or ``Origin``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

COOKIE = "stats_session"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 20
WINDOW_SECONDS = 60.0
#: Addresses remembered at most: an attacker with many addresses must not fill memory.
MAX_ADDRESSES = 10_000


def session_value(token: str, expires: int, generation: int = 0) -> str:
    message = f"stats-session:{expires}:{generation}".encode()
    mac = hmac.new(token.encode(), message, hashlib.sha256)
    return f"{expires}.{generation}.{mac.hexdigest()}"


def session_generation(token: str, value: str, now: float) -> int | None:
    """The generation a valid, unexpired cookie was made in; None for any other value."""
    expires, _, rest = value.partition(".")
    generation, _, _mac = rest.partition(".")
    if (not token or not expires.isdigit() or len(expires) > 12 or not generation.isdigit()
            or len(generation) > 18):
        return None
    expected = session_value(token, int(expires), int(generation))
    if hmac.compare_digest(expected.encode(), _bytes(value)) and int(expires) > now:
        return int(generation)
    return None


def _bytes(text: str) -> bytes:
    """Header values may carry undecodable bytes (as surrogates); compare them as bytes."""
    return text.encode("utf-8", "surrogateescape")


def token_matches(token: str, given: str) -> bool:
    return bool(token) and hmac.compare_digest(_bytes(given), token.encode())


def bearer(header: str) -> str | None:
    """The credentials of an ``Authorization: Bearer …`` header, if that is what it is."""
    scheme, _, credentials = header.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def same_origin(headers: Mapping[str, str], host: str) -> bool:
    """Did a browser send this from our own pages? Browsers say where a request comes from
    in ``Sec-Fetch-Site`` (all current ones) or ``Origin`` (older ones, on every POST); a
    request with neither is not a browser's cross-site form (curl, scripts) and passes.
    The same rule as Go's ``http.CrossOriginProtection``."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")  # "none": typed in, or a bookmark
    origin = headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == host.lower() and origin != "null"


def address_key(remote: str | None) -> str:
    """The address failures are counted under: IPv4 whole, IPv6 by its /64."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return remote or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class Guard:
    """Counts wrong tokens over a sliding minute, per client address (per process)."""

    clock: Callable[[], float] = time.monotonic
    failures: OrderedDict[str, list[float]] = field(default_factory=OrderedDict)

    def _recent(self, address: str) -> list[float]:
        cutoff = self.clock() - WINDOW_SECONDS
        times = [t for t in self.failures.get(address, []) if t > cutoff]
        if times:
            self.failures[address] = times
        else:
            self.failures.pop(address, None)
        return times

    def locked(self, remote: str | None) -> bool:
        return len(self._recent(address_key(remote))) >= MAX_FAILURES

    def failed(self, remote: str | None) -> None:
        address = address_key(remote)
        times = self._recent(address)
        times.append(self.clock())
        self.failures[address] = times
        self.failures.move_to_end(address)
        while len(self.failures) > MAX_ADDRESSES:
            self.failures.popitem(last=False)  # the address that failed longest ago
