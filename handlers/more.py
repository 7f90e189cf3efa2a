"""MORE (or 9 on SMS): the next page of a long answer; SMS shows long topics page by page.

The handler only counts pages (``Reply.page``, kept in ``Session.page``); the SMS renderer
knows how much fits on one and says when the text has ended. Channels that show a topic
whole ignore the page.
"""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context, Result
from handlers import menu, topic


async def next_page(ctx: Context) -> Result:
    """The topic being read, one page further; outside a topic, the main menu."""
    kind, _, topic_id = ctx.session.position.partition(":")
    if kind != "topic":
        if ctx.incoming.text.strip().isdigit():  # 9 that names no line: say so
            return await menu.unknown_number(ctx)
        return await menu.main(ctx)
    page = ctx.session.page + 1
    reply, session = await topic.show(ctx, topic_id)
    if session.position != ctx.session.position:  # the topic is gone: show() said so
        return reply, session
    return replace(reply, page=page), session.evolve(page=page)
