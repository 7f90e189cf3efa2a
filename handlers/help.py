"""HELP: who the bot is for, how to use it, and the emergency number."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context, Result
from handlers import menu, start


async def show(ctx: Context) -> Result:
    """The introduction and how to use the bot, then the main menu."""
    t = ctx.t
    text = t(
        "Type your question in your own words, or send the number of a menu line. "
        "0 is the main menu. STOP deletes our conversation. "
        "In danger in Russia or Kazakhstan, call 112."
    )
    reply, session = await menu.main(ctx, lead=(start.introduction(ctx), text))
    return replace(reply, kind="help"), session
