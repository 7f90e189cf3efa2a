"""A typed question: its topic's answer, "did you mean" with three topics, or the menu."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context, Result
from bot.types import Option, Reply
from bot.understanding.understand import understand
from handlers import emergency, menu, topic


async def answer(ctx: Context) -> Result:
    """The best-matching topic; a close call offers the top three; nothing, the menu.
    A question that may be about danger gets the emergency answer, not a choice."""
    found = await understand(ctx.content, ctx.incoming.text, ctx.language,
                             last_topic=ctx.session.last_topic)
    if found.topic == ctx.content.emergency_topic:
        return await emergency.show(ctx)
    if found.topic is not None:
        return await topic.show(ctx, found.topic, kind="search")
    if found.decision == "didyoumean":
        return did_you_mean(ctx, found.choices)
    return await not_understood(ctx)


def did_you_mean(ctx: Context, choices: tuple[str, ...]) -> Result:
    """The likeliest topics as buttons (numbered lines on SMS), and the way to the menu."""
    topics = tuple(Option(f"t:{topic_id}", ctx.content.title(topic_id, ctx.language))
                   for topic_id in choices)
    options = (*topics, Option(menu.MENU.id, ctx.t("Menu")))
    reply = Reply(language=ctx.language, kind="didyoumean",
                  blocks=(ctx.t("Did you mean one of these topics?"),), options=options)
    session = ctx.session.evolve(language=ctx.language, position="root", page=0,
                                 shown=tuple(o.id for o in options))
    return reply, session


async def not_understood(ctx: Context) -> Result:
    """Say so, mention 112, and show the main menu."""
    lead = ctx.t(
        "I did not understand the question. Choose a topic, or ask in other words. "
        "In danger, call 112."
    )
    reply, session = await menu.main(ctx, lead=(lead,))
    return replace(reply, kind="unmatched"), session
