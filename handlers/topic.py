"""One topic's answer: the text, its review date, and where to check."""

from __future__ import annotations

from bot.context import Context, Result
from bot.types import Kind, Reply
from handlers import menu


async def show(ctx: Context, topic_id: str, kind: Kind = "topic",
               lead: tuple[str, ...] = ()) -> Result:
    """The answer to a topic, in the reader's language or (saying so) in Russian."""
    found = ctx.content.lookup(topic_id, ctx.language)
    if found is None:
        return await menu.main(ctx, lead=(ctx.t("That topic no longer exists."),))
    text, t = found.text, ctx.t
    notes = (t("This text is not yet translated into your language; here it is in Russian."),) \
        if found.fallback else ()
    footer: list[str] = []
    if text.reviewed is not None:
        footer.append(t("Laws change often: before you act, check on the official sites named "
                        "in this answer or with your embassy. Last checked: {date}",
                        date=t.date(text.reviewed)))
    options = menu.nav_options(ctx)
    reply = Reply(
        language=ctx.language,
        kind=kind,
        topic=topic_id,
        blocks=(*lead, *notes, text.title, text.body),
        sms=text.sms or None,
        options=options,
        footer=tuple(footer),
        reviewed=text.reviewed,
    )
    session = ctx.session.evolve(
        language=ctx.language, position=f"topic:{topic_id}", page=0, last_topic=topic_id,
        shown=tuple(o.id for o in options),
    )
    return reply, session
