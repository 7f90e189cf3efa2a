"""The first contact: a welcome, then the menu — or the topic a deep link names."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context, Result
from handlers import language, menu, topic


def topic_from_payload(ctx: Context, payload: str) -> str | None:
    """``/start t-permits-registration`` → ``permits.registration`` (Telegram deep links)."""
    if not payload.startswith("t-"):
        return None
    wanted = payload[2:].lower()
    return next((t for t in ctx.content.topic_ids if t.replace(".", "-") == wanted), None)


def introduction(ctx: Context) -> str:
    """Who the bot is for and that it costs nothing (the welcome in Telegram, and HELP)."""
    return ctx.t(
        "Hello! I tell labour migrants about their rights, legal work abroad and where "
        "to get help. It is free and anonymous."
    )


async def begin(ctx: Context, payload: str = "", known_language: str | None = None) -> Result:
    """Welcome, in the known language; without one, ask for it first.

    On SMS the welcome is its short version (``Reply.sms``) beside the numbered modules:
    the first contact costs at most two segments; the introduction comes on HELP.
    """
    topic_id = topic_from_payload(ctx, payload) if payload else None
    if topic_id is not None:
        return await topic.show(ctx, topic_id)
    if known_language is None:
        return await language.ask(ctx)
    reply, session = await menu.main(ctx, lead=(introduction(ctx),))
    return replace(reply, sms=ctx.t("Hello! Migrants' rights, free of charge:")), session
