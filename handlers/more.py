"""MORE: the next page of a long answer (SMS shows long topics page by page)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from handlers import menu, topic

if TYPE_CHECKING:
    from bot.engine import Context, Result


async def next_page(ctx: Context) -> Result:
    """The topic being read, one page further; outside a topic, the main menu."""
    kind, _, topic_id = ctx.session.position.partition(":")
    if kind != "topic":
        return await menu.main(ctx)
    page = ctx.session.page + 1
    reply, session = await topic.show(ctx, topic_id)
    return replace(reply, page=page), session.evolve(page=page)
