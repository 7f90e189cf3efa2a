"""LAT: Cyrillic answers in Latin letters, which cost 2.3 times less by SMS.

The flag lives in the session; the SMS renderer reads it from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import menu

if TYPE_CHECKING:
    from bot.engine import Context, Result


async def toggle(ctx: Context) -> Result:
    """Switch Latin letters on or off, then show the main menu."""
    reply, session = await menu.main(ctx)
    return reply, session.evolve(latin=not ctx.session.latin)
