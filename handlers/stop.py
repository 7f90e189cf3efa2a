"""STOP and /stop: forget the person at once."""

from __future__ import annotations

from bot.context import Context, Result
from bot.types import Reply


async def forget(ctx: Context) -> Result:
    """Delete the session (the store does it when it sees ``forget``) and confirm once."""
    text = ctx.t("Done: I have deleted our conversation. Write any message to start again.")
    reply = Reply(language=ctx.language, kind="stop", blocks=(text,))
    return reply, ctx.session.evolve(forget=True, shown=(), position="root")
