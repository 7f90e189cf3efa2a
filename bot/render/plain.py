"""Plain text, for the terminal chat and the simulator's neutral view."""

from __future__ import annotations

import re

from bot.types import Reply

#: ``**bold**`` in content, on one line: around words (``**Что делать**``), or around a
#: number standing alone (``**112** — звоните``). A USSD code keeps its stars — ``**21*…#``
#: has a star inside, ``**004**#`` touches a ``#`` — and so does a lone ``*``.
BOLD = re.compile(
    r"\*\*(?=\S)([^*\n]*?[^\W\d_][^*\n]*?)(?<=\S)\*\*"
    r"|(?<![*#\w])\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*(?![*#\w])"
)


def bold_text(match: re.Match[str]) -> str:
    """The text between the stars of a :data:`BOLD` match."""
    return match.group(1) if match.group(1) is not None else match.group(2)


def body_text(reply: Reply) -> str:
    """The reply's text blocks and footer, separated by blank lines, without ``**`` marks."""
    text = "\n\n".join(part for part in (*reply.blocks, *reply.footer) if part.strip())
    return BOLD.sub(bold_text, text)


def numbered(reply: Reply) -> list[tuple[str, str]]:
    """(number, label) per option; the main menu is always 0, the rest count from 1."""
    lines: list[tuple[str, str]] = []
    counter = 0
    for option in reply.options:
        if option.id == "nav:menu":
            lines.append(("0", option.label))
        else:
            counter += 1
            lines.append((str(counter), option.label))
    return lines


def render_plain(reply: Reply) -> str:
    menu = "\n".join(f"{number}. {label}" for number, label in numbered(reply))
    return "\n\n".join(part for part in (body_text(reply), menu) if part)
