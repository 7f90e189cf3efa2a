"""Pseudonyms: a session is found by a keyed hash, never by a phone number or Telegram id."""

from __future__ import annotations

import hashlib
import hmac


def sender_key(secret: str, channel: str, sender: str) -> str:
    """HMAC-SHA256 of (channel, sender) under SECRET_KEY; irreversible without the key."""
    message = f"{channel}\x00{sender}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
