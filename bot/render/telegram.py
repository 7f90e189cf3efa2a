"""Telegram: HTML-escaped text and inline keyboard rows, within Bot API limits."""

from __future__ import annotations

import html

from bot.types import Option, Reply

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64


def render_html(reply: Reply) -> str:
    """Escaped text; a topic's title in bold."""
    parts: list[str] = []
    for block in reply.blocks:
        escaped = html.escape(block, quote=False)
        if reply.topic and block == _title_block(reply):
            escaped = f"<b>{escaped}</b>"
        parts.append(escaped)
    parts.extend(f"<i>{html.escape(line, quote=False)}</i>" for line in reply.footer)
    return "\n\n".join(p for p in parts if p.strip())


def _title_block(reply: Reply) -> str | None:
    return reply.blocks[-2] if reply.topic and len(reply.blocks) >= 2 else None


def keyboard_rows(options: tuple[Option, ...]) -> list[list[Option]]:
    """One button a row for choices, navigation buttons side by side at the bottom."""
    choices = [[o] for o in options if not o.id.startswith("nav:")]
    navigation = [o for o in options if o.id.startswith("nav:")]
    if any(len(o.id.encode()) > MAX_CALLBACK_BYTES for o in options):
        raise ValueError("an option id is longer than Telegram's 64-byte callback data")
    return [*choices, navigation] if navigation else choices


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut on paragraph boundaries into messages of at most ``limit`` characters."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        while len(paragraph) > limit:  # a single paragraph too long: cut at a line or space
            cut = paragraph.rfind("\n", 0, limit)
            cut = cut if cut > 0 else paragraph.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip()
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) > limit:
            chunks.append(current)
            current = paragraph
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
