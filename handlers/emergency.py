"""Danger first: words of danger in any language go straight to the emergency numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from handlers import topic

if TYPE_CHECKING:
    from bot.engine import Context, Result

EMERGENCY_TOPIC = "help.emergency"

# Stems, matched at the start of a word. Kept short and unambiguous on purpose: a false
# alarm costs a reader one screen, a missed one can cost much more.
_DANGER_STEMS = (
    # ru
    "срочно нужна помощь", "спасите", "помогите", "избил", "бьют", "заперт", "не отпуска",
    "насили", "убива", "угрожа", "торговл людьми", "рабств", "суицид", "покончить с собой",
    "pomogite", "spasite",
    # ky
    "жардам бергиле", "куткаргыла", "сабашты", "камап", "коркутуп",
    # tg
    "ёрӣ диҳед", "наҷот", "лату кӯб", "зада истодааст", "маҳбус",
    # uz
    "yordam bering", "qutqaring", "urishdi", "qamab", "qo'yib yubormay", "odam savdo",
    "ёрдам беринг", "қутқаринг",
)
_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(s) for s in _DANGER_STEMS) + ")", re.IGNORECASE
)


def is_emergency(text: str) -> bool:
    normalized = text.lower().replace("ё", "е").replace("ʻ", "'").replace("’", "'")
    return bool(_PATTERN.search(normalized) or _PATTERN.search(text.lower()))


async def show(ctx: Context) -> Result:
    """The emergency topic, whatever the menu position."""
    return await topic.show(ctx, EMERGENCY_TOPIC, kind="emergency")
