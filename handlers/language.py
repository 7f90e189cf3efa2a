"""Asking for the language, and switching to the one chosen."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context, Result
from bot.types import LANGUAGES, Option, Reply
from handlers import menu

#: Each language named in its own script, as a person looking for it would recognise it.
OWN_NAMES = {
    "ru": "Русский",
    "ky": "Кыргызча",
    "tg": "Тоҷикӣ",
    "uz": "O'zbekcha",
    "uz-Cyrl": "Ўзбекча",
}


async def ask(ctx: Context) -> Result:
    """The language menu, with the question asked in every language at once."""
    prompts = []
    for code in ("ky", "tg", "uz", "ru"):
        t = ctx.catalogs.translator(code)
        prompts.append(t("Choose your language:"))
    options = tuple(Option(f"l:{code}", OWN_NAMES[code]) for code in LANGUAGES)
    reply = Reply(language=ctx.language, kind="language", blocks=("\n".join(prompts),),
                  options=options)
    session = ctx.session.evolve(position="lang", page=0, shown=tuple(o.id for o in options))
    return reply, session


async def choose(ctx: Context, code: str) -> Result:
    """Remember the language and show the main menu in it."""
    if code not in LANGUAGES:
        return await ask(ctx)
    chosen = ctx.with_language(code)
    return await menu.main(chosen, lead=(chosen.t("Language: {name}.", name=OWN_NAMES[code]),))


def change_note(ctx: Context, language: str) -> str:
    """One line telling how to change the language, in that language."""
    t = ctx.catalogs.translator(language)
    return t('To change the language, send "language".')


def with_change_note(ctx: Context, reply: Reply) -> Reply:
    """The reply with the change-language line added to its footer (every channel shows it)."""
    return replace(reply, footer=(*reply.footer, change_note(ctx, reply.language)))
