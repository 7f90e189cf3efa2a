"""A typed question: find the topic it asks about, or say so and show the menu."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.matching import best_topic
from handlers import menu, topic

if TYPE_CHECKING:
    from bot.engine import Context, Result


async def answer(ctx: Context) -> Result:
    """The best-matching topic's answer, or "I did not understand" with the menu."""
    found = best_topic(ctx.content, ctx.incoming.text, ctx.language)
    if found is not None:
        return await topic.show(ctx, found, kind="search")
    lead = ctx.t(
        "I did not understand the question. Choose a topic, or ask in other words. "
        "In danger, call 112."
    )
    reply, session = await menu.main(ctx, lead=(lead,))
    return replace(reply, kind="unmatched"), session
