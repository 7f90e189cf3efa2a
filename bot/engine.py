"""The conversation engine: (incoming message, session) → (reply, new session).

Plain functions over plain data: no channel, network or database in here. The engine
decides which handler in ``handlers/`` answers, in this order:

1. stop words (``/stop``, STOP, СТОП …) — the person wants to be forgotten;
2. danger words — emergency numbers before anything else;
3. commands and the words for help, language, menu and back, in every language;
4. a pressed option (a button id, or a digit naming a numbered line);
5. a first message with no language yet — detect it, or ask;
6. anything else is a free-text question.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.content.model import ContentTree
from bot.context import Context, Handler, Result
from bot.i18n import Catalogs
from bot.types import LANGUAGES, Incoming, Reply, Session
from bot.understanding.danger import is_emergency
from bot.understanding.langdetect import continue_language, detector_for, is_greeting
from handlers import emergency, help, language, latin, menu, more, search, start, stop, topic

# Words that mean the same in every language the bot speaks. Lower-case, no punctuation.
STOP_WORDS = frozenset({
    "/stop", "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
    "стоп", "/forget",
})
START_WORDS = frozenset(
    {"/start", "start", "unstop", "старт", "начать", "баштоо", "оғоз", "boshlash"}
)
HELP_WORDS = frozenset({
    "/help", "help", "info", "помощь", "справка", "жардам", "ёрдам", "кумак", "yordam",
})
LANGUAGE_WORDS = frozenset({
    "/language", "/lang", "language", "lang", "languages",
    "язык", "языки", "yazyk", "сменить язык", "изменить язык", "поменять язык", "другой язык",
    "тил", "тил алмаштыруу", "тилди алмаштыруу", "тилди өзгөртүү", "тил тандоо",
    "забон", "zabon", "забонро иваз кардан", "иваз кардани забон", "забонро иваз кунед",
    "til", "til o'zgartirish", "tilni o'zgartirish", "tilni almashtirish", "til tanlash",
    "тил ўзгартириш", "тилни ўзгартириш", "тилни алмаштириш",
})
MENU_WORDS = frozenset({"/menu", "menu", "меню", "0", "menyu", "башкы меню", "асосӣ"})
BACK_WORDS = frozenset({"back", "назад", "артка", "ба қафо", "қафо", "orqaga", "орқага"})
MORE_WORDS = frozenset({"more", "ещё", "еще", "дальше", "дагы", "андан ары", "боз", "давом",
                        "yana", "davomi", "яна", "давоми", "+",
                        # the words of the SMS "next part" line, also as LAT readers see them
                        "далее", "уландысы", "давомаш", "next", "eshche", "eshe", "esche",
                        "dalee", "dalshe", "dagy", "ulandysy", "boz", "davom", "davomash"})
#: On SMS, 9 asks for the next page whenever it names no line of the last menu.
MORE_DIGIT = "9"
#: Emergency numbers of the countries the bot covers: typed alone, a call for help that
#: no menu has a line for (a menu numbers a dozen lines at most).
EMERGENCY_NUMBERS = frozenset({"112", "101", "102", "103", "104", "911"})
LATIN_WORDS = frozenset({"lat", "лат", "latin", "латиница", "lotin", "лотин", "латин",
                         "latinica", "latinitsa"})

_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = ".,!?¡¿;:…\"'«»()[]{}-–—*"


def normalize_command(text: str) -> str:
    """Lower-case, single spaces, no punctuation at the ends; ``/start@MyBot`` → ``/start``."""
    text = _SPACES.sub(" ", text.replace("ё", "е").strip().lower())
    text = text.strip(_EDGE_PUNCTUATION.replace("/", ""))
    text = text.replace("ʻ", "'").replace("‘", "'").replace("’", "'").replace("`", "'")
    if text.startswith("/"):
        head, _, rest = text.partition(" ")
        head = head.split("@", 1)[0]
        text = f"{head} {rest}".strip()
    return text


def _is_number(word: str) -> bool:
    """ASCII digits only: "¹" or "٣" pass str.isdigit() but are not menu numbers; nor is a
    run of thousands of digits, which int() refuses (past 4,300) with a ValueError."""
    return word.isascii() and word.isdigit() and len(word) <= 9


def resolve_option(incoming: Incoming, session: Session) -> str | None:
    """The option a message chooses: a button's id, or a digit naming a numbered line."""
    if incoming.option:
        return incoming.option
    word = normalize_command(incoming.text)
    if _is_number(word) and word != "0":
        index = int(word) - 1
        if 0 <= index < len(session.shown):
            return session.shown[index]
    return None


def initial_language(
    incoming: Incoming, session: Session, content: ContentTree | None = None
) -> str | None:
    """First contact: what the text says, else the hints (see
    ``bot.understanding.langdetect``). Later: the stored choice, unless a message is
    confidently in another language or Uzbek script."""
    detector = detector_for(content)
    if session.language in LANGUAGES:
        if incoming.option or not incoming.text or _is_number(incoming.text.strip()):
            return session.language
        return continue_language(detector, session.language, incoming.text)
    found = detector.detect(incoming.text, hint=incoming.language_hint,
                            country=incoming.country_hint).language
    return found if found in LANGUAGES else None


def _language_note(ctx: Context, reply: Reply) -> Reply:
    """A reply in a language the person did not choose gets a line on how to change it."""
    if ctx.language == ctx.session.language or reply.kind in ("language", "stop", "ignored"):
        return reply
    return language.with_change_note(ctx, reply)


async def respond(
    incoming: Incoming, session: Session, content: ContentTree, catalogs: Catalogs
) -> Result:
    """Answer one message. Never raises for anything a person can type."""
    known = initial_language(incoming, session, content)
    ctx = Context(incoming, session, content, catalogs, known or "ru")
    word = normalize_command(incoming.text)
    command, _, payload = word.partition(" ")

    handler: Handler | None = None
    if word in STOP_WORDS or command == "/stop":
        handler = stop.forget
    elif not incoming.option and not _is_number(word) and is_emergency(incoming.text):
        handler = emergency.show
    elif command in START_WORDS:
        reply, new_session = await start.begin(ctx, payload=payload, known_language=known)
        return _language_note(ctx, reply), new_session
    elif word in HELP_WORDS:
        handler = help.show
    elif word in LANGUAGE_WORDS:
        handler = language.ask
    elif word in MENU_WORDS:
        handler = menu.main
    elif word in BACK_WORDS:
        handler = menu.back
    elif word in MORE_WORDS:
        handler = more.next_page
    elif word in LATIN_WORDS:
        handler = latin.toggle
    elif (option := resolve_option(incoming, session)) is not None:
        return await _choose(ctx, option)
    elif word == MORE_DIGIT:
        handler = more.next_page
    elif _is_number(word):
        handler = emergency.show if word in EMERGENCY_NUMBERS else menu.unknown_number
    elif known is None or (session.language is None and is_greeting(incoming.text)):
        reply, new_session = await start.begin(ctx, known_language=known)
        return _language_note(ctx, reply), _touch(new_session)
    else:
        handler = search.answer

    reply, new_session = await handler(ctx)
    return _language_note(ctx, reply), _touch(new_session)


async def _choose(ctx: Context, option: str) -> Result:
    """Dispatch a pressed option by its prefix: l: language, m: module, t: topic, nav:."""
    kind, _, value = option.partition(":")
    if kind == "l":
        reply, session = await language.choose(ctx, value)
    elif kind == "m":
        reply, session = await menu.module(ctx, value)
    elif kind == "t":
        reply, session = await topic.show(ctx, value)
    elif option == "nav:back":
        reply, session = await menu.back(ctx)
    elif option == "nav:more":
        reply, session = await more.next_page(ctx)
    elif option == "nav:lang":
        reply, session = await language.ask(ctx)
    else:
        reply, session = await menu.main(ctx)
    return reply, _touch(session)


def _touch(session: Session) -> Session:
    return session.evolve(updated_at=datetime.now(UTC))
