"""Telegram: HTML-escaped text and inline keyboard rows, within Bot API limits.

Plain functions, no python-telegram-bot types: the channel adapter turns rows of
:class:`Option` into buttons. Content is escaped — ``<``, ``&`` and a lone ``*`` are text,
never markup (``*100#`` is a USSD code) — except ``**words**`` and ``**112**``, which content
files use for headings, warnings and the numbers to call, and which become bold. The
topic's title is bold, the footer italic.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Iterator

from bot.render.plain import BOLD, bold_text
from bot.types import Option, Reply

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # characters a message, after entity parsing
MAX_CALLBACK_BYTES = 64
MAX_BUTTONS = 100
MAX_ROW = 8

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): an emoji outside the BMP is two."""
    return len(text.encode("utf-16-le")) // 2


def _wrap(tag: str, escaped: str) -> str:
    return f"<{tag}>{escaped}</{tag}>" if tag else escaped


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _title_block(reply: Reply) -> str | None:
    return reply.blocks[-2] if reply.topic and len(reply.blocks) >= 2 else None


def paragraphs(reply: Reply) -> list[tuple[str, str]]:
    """(tag, raw text) per paragraph: blocks split on blank lines, then the footer."""
    title = _title_block(reply)
    tagged = [("b" if block == title else "", block) for block in reply.blocks]
    tagged += [("i", line) for line in reply.footer]
    found: list[tuple[str, str]] = []
    for tag, block in tagged:
        found.extend((tag, p.strip()) for p in _BLANK_LINE.split(block) if p.strip())
    return found


def _inline(text: str, tag: str) -> str:
    """Escaped text, with ``**words**`` in bold; inside a bold or italic block, as is."""
    if tag:
        return _escape(text)
    out: list[str] = []
    last = 0
    for match in BOLD.finditer(text):
        out.append(_escape(text[last:match.start()]))
        out.append(f"<b>{_escape(bold_text(match))}</b>")
        last = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def render_html(reply: Reply) -> str:
    """The whole reply as one HTML text (the simulator's view; may exceed one message)."""
    return "\n\n".join(_wrap(tag, _inline(text, tag)) for tag, text in paragraphs(reply))


def _pack(pieces: Iterable[str], separator: str, limit: int) -> list[str]:
    """Join pieces (each at most ``limit``) greedily into chunks of at most ``limit``."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if units(candidate) <= limit:
            current = candidate
        else:
            chunks.extend([current] if current else [])
            current = piece
    chunks.extend([current] if current else [])
    return chunks


def _cut(tag: str, text: str, limit: int) -> list[str]:
    """One paragraph as HTML pieces of at most ``limit``: whole lines where they fit."""
    whole = _wrap(tag, _inline(text, tag))
    if units(whole) <= limit:
        return [whole]
    room = limit - units(_wrap(tag, ""))

    def lines() -> Iterator[str]:
        for line in text.split("\n"):
            rendered = _inline(line, tag)
            if units(rendered) <= room:
                yield rendered
            else:  # one line longer than a message: cut it at spaces
                yield from _cut_line(line, room)

    return [_wrap(tag, piece) for piece in _pack(lines(), "\n", room) if piece.strip()]


def _cut_line(line: str, room: int) -> list[str]:
    """A giant line as escaped pieces cut at spaces (``**`` then shows as typed)."""

    def words() -> Iterator[str]:
        for word in line.split(" "):
            while units(_escape(word)) > room:  # a "word" longer than a message: cut it
                head, word = _fit(word, room)
                yield _escape(head)
            yield _escape(word)

    return _pack(words(), " ", room)


def _fit(token: str, room: int) -> tuple[str, str]:
    """The longest head of ``token`` whose escaped form fits ``room``, and the rest."""
    size = 0
    for end, char in enumerate(token):
        size += units(_escape(char))
        if size > room:
            end = max(end, 1)  # always make progress
            return token[:end], token[end:]
    return token, ""


def telegram_messages(reply: Reply, limit: int = MAX_TEXT) -> list[str]:
    """The reply as HTML messages of at most ``limit``, cut on paragraph boundaries.

    Only a paragraph longer than a whole message is cut inside (at a line break or a
    space); tags never straddle two messages. The length counted is the HTML source's,
    which is never shorter than the text Telegram counts after parsing it.
    """
    pieces = (piece for tag, text in paragraphs(reply) for piece in _cut(tag, text, limit))
    return _pack(pieces, "\n\n", limit)


def keyboard_rows(options: tuple[Option, ...]) -> list[list[Option]]:
    """One button a row for choices, navigation buttons side by side at the bottom.

    An option whose id does not fit Telegram's 64-byte callback data is left out (and
    logged: it is a content or code error) rather than making the whole message fail.
    """
    usable: list[Option] = []
    for option in options:
        if 0 < len(option.id.encode()) <= MAX_CALLBACK_BYTES and option.label.strip():
            usable.append(option)
        else:
            log.warning("option %r left out: its id must be 1-64 bytes and it needs a label",
                        option.id[:80])
    usable = usable[:MAX_BUTTONS]
    choices = [[o] for o in usable if not o.id.startswith("nav:")]
    navigation = [o for o in usable if o.id.startswith("nav:")]
    rows = [navigation[i:i + MAX_ROW] for i in range(0, len(navigation), MAX_ROW)]
    return [*choices, *rows]
