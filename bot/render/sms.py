"""SMS: no buttons, numbered lines, the short version of a topic."""

from __future__ import annotations

from bot.render.plain import body_text, numbered
from bot.types import Reply


def render_sms(reply: Reply) -> str:
    """The SMS text: a topic's short version when it has one, then numbered options."""
    if reply.topic and reply.sms:
        lead = [b for b in reply.blocks[:-2]]  # notes before the title and body
        text = "\n".join([*lead, reply.sms])
    else:
        text = body_text(reply)
    menu = "\n".join(f"{number} {label}" for number, label in numbered(reply))
    return "\n".join(part for part in (text, menu) if part)
