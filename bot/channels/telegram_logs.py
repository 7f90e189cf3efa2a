"""What the Telegram channel logs: an update's type and outcome, errors by type and place.

Never ids, names or texts: python-telegram-bot logs call parameters (chat ids, texts) at
DEBUG, and httpx logs each request's URL, which holds the bot token, at INFO; both are
capped, and the token is redacted should a line get through.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.constants import UpdateType

log = logging.getLogger("bot.channels.telegram")


def update_kind(update: Update) -> str:
    """``message``, ``callback_query`` …: the only thing about an update that is logged."""
    return next((kind.value for kind in UpdateType if getattr(update, kind.value, None)),
                "other")


def log_unhandled(kind: str, error: BaseException | None) -> None:
    """Log the error's type and where it happened; its message may quote the person."""
    where = traceback.extract_tb(error.__traceback__)[-1] if error is not None \
        and error.__traceback__ else None
    place = f" at {where.filename}:{where.lineno}" if where else ""
    log.error("telegram %s: unhandled %s%s", kind, type(error).__name__, place)


class _RedactTokens(logging.Filter):
    """Replaces bot tokens in a record's text, should httpx's request log be let through."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(token in message for token in self.tokens):
            for token in self.tokens:
                message = message.replace(token, "<TELEGRAM_BOT_TOKEN>")
            record.msg, record.args = message, ()
        return True


_REDACT = _RedactTokens()


def cap_library_logs(token: str) -> None:
    """python-telegram-bot logs call parameters (chat ids, texts) at DEBUG; httpx logs
    each request's URL, which holds the bot token, at INFO (and is redacted besides)."""
    for name, level in (("telegram", logging.INFO), ("httpx", logging.WARNING),
                        ("httpcore", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, level))
    _REDACT.tokens.add(token)
    logging.getLogger("httpx").addFilter(_REDACT)  # added once: filters are a set
