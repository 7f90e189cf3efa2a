"""Danger first: the emergency numbers, whatever the menu position.

What counts as danger is decided in ``bot.understanding.danger``; this handler only
answers it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context, Result
from bot.types import Option
from bot.understanding.understand import understand
from handlers import topic

EMERGENCY_TOPIC = "help.emergency"


async def show(ctx: Context) -> Result:
    """The emergency topic, whatever the menu position; under it, the topic the message
    was also about ("торговля людьми" → the trafficking topic), one tap away."""
    reply, session = await topic.show(ctx, EMERGENCY_TOPIC, kind="emergency")
    found = await understand(ctx.content, ctx.incoming.text, ctx.language)
    related = next((t for t in found.choices if t != EMERGENCY_TOPIC), None)
    if related is None or reply.topic != EMERGENCY_TOPIC:
        return reply, session
    extra = Option(f"t:{related}", ctx.content.title(related, ctx.language))
    options = (extra, *reply.options)
    return replace(reply, options=options), session.evolve(shown=tuple(o.id for o in options))
