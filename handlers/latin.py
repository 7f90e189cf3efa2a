"""LAT: Cyrillic answers in Latin letters, which cost 2.3 times less by SMS.

The flag lives in the session; the SMS renderer reads it from there and transliterates
(``bot/sms/latin.py``). Uzbek Latin readers already get GSM-7 text: LAT only says so.
"""

from __future__ import annotations

from bot.context import Context, Result
from handlers import menu


async def toggle(ctx: Context) -> Result:
    """Switch Latin letters on or off, say which, then show the main menu."""
    t = ctx.t
    if ctx.language == "uz":
        return await menu.main(ctx, lead=(t("Your answers are already in Latin letters."),))
    latin = not ctx.session.latin
    note = (t("Latin letters are on: SMS cost less. Send LAT to switch back.") if latin
            else t("Cyrillic letters are on again."))
    reply, session = await menu.main(ctx, lead=(note,))
    return reply, session.evolve(latin=latin)
