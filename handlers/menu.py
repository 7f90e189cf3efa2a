"""Main menu, module menus, "back" — the way through the content by numbers or buttons."""

from __future__ import annotations

from bot.context import Context, Result
from bot.types import Option, Reply

MENU = Option("nav:menu", "")
BACK = Option("nav:back", "")


def nav_options(ctx: Context, back: bool = True) -> tuple[Option, ...]:
    """"Back" and "Menu" in the reader's language; "Menu" is always number 0 on SMS."""
    t = ctx.t
    options = (Option(BACK.id, t("Back")),) if back else ()
    return (*options, Option(MENU.id, t("Menu")))


def main_options(ctx: Context) -> tuple[Option, ...]:
    modules = tuple(Option(f"m:{m.id}", m.title(ctx.language), short=m.sms_title(ctx.language))
                    for m in ctx.content.modules)
    return (*modules, Option("nav:lang", ctx.t("Language")))


async def main(ctx: Context, lead: tuple[str, ...] = ()) -> Result:
    """The main menu: the modules, and the way to change language."""
    options = main_options(ctx)
    reply = Reply(
        language=ctx.language,
        kind="menu",
        blocks=(*lead, ctx.t("Choose a topic or type your question.")),
        options=options,
    )
    session = ctx.session.evolve(
        language=ctx.language, position="root", page=0, shown=tuple(o.id for o in options)
    )
    return reply, session


async def module(ctx: Context, module_id: str) -> Result:
    """One module's topics."""
    found = ctx.content.module(module_id)
    if found is None:
        return await main(ctx, lead=(ctx.t("That menu no longer exists."),))
    topics = tuple(
        Option(f"t:{topic_id}", ctx.content.title(topic_id, ctx.language))
        for topic_id in found.topics
    )
    options = (*topics, *nav_options(ctx, back=False))
    reply = Reply(
        language=ctx.language,
        kind="module",
        blocks=(found.title(ctx.language),),
        options=options,
    )
    session = ctx.session.evolve(
        language=ctx.language, position=f"module:{module_id}", page=0,
        shown=tuple(o.id for o in options),
    )
    return reply, session


async def back(ctx: Context) -> Result:
    """One level up: a topic's module, or the main menu."""
    kind, _, value = ctx.session.position.partition(":")
    if kind == "topic":
        parent = ctx.content.module_of(value)
        if parent is not None:
            return await module(ctx, parent.id)
    return await main(ctx)


async def unknown_number(ctx: Context) -> Result:
    """A digit that names no line of the last menu: say so and show the main menu."""
    return await main(ctx, lead=(ctx.t("There is no such number in the menu."),))
