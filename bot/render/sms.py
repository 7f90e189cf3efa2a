"""SMS: numbered lines instead of buttons, a topic's short version, pages of ≤ 3 segments.

A topic is paged: each page but the last ends with ``(1/3) Next: 9 or MORE`` in the
reader's language, the last with the numbered options (``1 Back``, ``0 Menu``); MORE or 9
brings the next page (``handlers/more.py`` moves ``Reply.page`` on). Any other reply — a
menu, the help text — is short and is sent whole, as a few messages of at most 3 segments
when it is longer, so that seeing a whole menu never costs the reader an extra message.

Scripts: Uzbek Latin is always made GSM-7 (plain ``'``, no typographic marks); Cyrillic
stays UCS-2 unless the reader asked for Latin letters (LAT), then it is transliterated
into GSM-7 (``bot/sms/latin.py``). Every size is measured after that, on the text as sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.config import ROOT
from bot.engine import MORE_DIGIT
from bot.i18n import Catalogs, Translator
from bot.i18n import catalogs as load_catalogs
from bot.render.plain import numbered
from bot.sms.latin import CYRILLIC_LANGUAGES, to_gsm7
from bot.sms.pages import split_pages
from bot.sms.text import printable, sms_plain
from bot.types import Reply

MAX_SEGMENTS = 3
#: Asks for the next page when a reply numbers nine lines itself and 9 is taken.
MORE_SYMBOL = "+"
_WIDEST_MARK = "(99/99) "  # pages are measured with the widest page counter
#: Replies whose options are not listed on SMS: the help text says how to reach the menu.
_NO_OPTION_LINES = frozenset({"help", "stop", "limited"})

#: The language menu names each language in its own script, but once Cyrillic goes out in
#: Latin letters (LAT, or a menu in Uzbek Latin) both Uzbek names read "O'zbekcha": on SMS
#: the script is named. (name in a Cyrillic message, name in a Latin one)
SMS_LANGUAGE_NAMES = {
    "l:uz": ("O'zbekcha (lotin)", "O'zbekcha (lotin)"),
    "l:uz-Cyrl": ("Ўзбекча", "O'zbekcha (kirill)"),
}

Script = Callable[[str], str]


def in_latin_letters(language: str, latin: bool) -> bool:
    """Whether this reader's SMS go out in GSM-7: Uzbek Latin, and LAT readers."""
    return language == "uz" or (latin and language in CYRILLIC_LANGUAGES)


def script_for(language: str, latin: bool) -> Script:
    """How text is written for this reader: GSM-7 for Uzbek Latin and for LAT readers."""
    if in_latin_letters(language, latin):
        return lambda text: to_gsm7(printable(text), language)
    return printable


def _language_names(reply: Reply, latin: bool) -> Reply:
    """The language menu with the Uzbek scripts told apart (:data:`SMS_LANGUAGE_NAMES`)."""
    which = 1 if in_latin_letters(reply.language, latin) else 0
    options = tuple(replace(o, label=SMS_LANGUAGE_NAMES[o.id][which])
                    if o.id in SMS_LANGUAGE_NAMES else o for o in reply.options)
    return replace(reply, options=options)


def _translator(language: str, catalogs: Catalogs | None) -> Translator:
    return (catalogs or load_catalogs(ROOT / "locales")).translator(language)


def sms_body(reply: Reply) -> str:
    """The text an SMS carries: a topic's SMS version (or its whole text), else the blocks."""
    if reply.topic and len(reply.blocks) >= 2:
        lead = reply.blocks[:-2]  # notes before the title and body
        if reply.sms:
            parts = [*lead, reply.sms]
        else:
            parts = [*lead, reply.blocks[-2], reply.blocks[-1], *reply.footer]
    else:
        parts = [*reply.blocks, *reply.footer]
    return "\n".join(sms_plain(part) for part in parts if part.strip())


def option_lines(reply: Reply) -> str:
    """``1 Back`` / ``0 Menu``: a number, a space, the label."""
    return "\n".join(f"{number} {label}" for number, label in numbered(reply))


def more_digit(reply: Reply) -> str:
    """9, unless the reply numbers nine lines or more itself (then ``+``)."""
    return MORE_DIGIT if len(reply.options) < 9 else MORE_SYMBOL


def _reviewed_line(reply: Reply, script: Script, t: Translator) -> str:
    """``Проверено: 28.11.2026``: the date the topic was checked, in digits to save letters."""
    if reply.reviewed is None:
        return ""
    return script(t("Checked: {date}", date=t.short_date(reply.reviewed)))


def _pages(reply: Reply, script: Script, t: Translator) -> tuple[list[str], str, str]:
    """The pages, the "next part" line, and the lines the last page ends with.

    Content is written to fit three segments beside "0 Menu" alone (``content check``);
    the date the topic was checked and the other numbered lines are added as far as they
    fit without adding a page — the date first, because it tells the reader how old the
    answer is. Lines are left out from the end only, so every number still means what
    the session says (1 still goes back when "1 Back" is not shown).
    """
    more = script(t("Next: {digit} or MORE", digit=more_digit(reply)))
    body = script(sms_body(reply))
    reviewed = _reviewed_line(reply, script, t)
    menu = [o for o in reply.options if o.id == "nav:menu"]
    numbered_options = [o for o in reply.options if o.id != "nav:menu"]
    best: tuple[list[str], str] | None = None
    for dated in ((reviewed, "") if reviewed else ("",)):
        for keep in range(len(numbered_options), -1, -1):
            shown = replace(reply, options=(*numbered_options[:keep], *menu))
            ending = _join(dated, script(option_lines(shown)))
            pages = split_pages(body, MAX_SEGMENTS, _WIDEST_MARK + more, ending)
            if best is None or len(pages) < len(best[0]):
                best = (pages, ending)
    assert best is not None
    return best[0], more, best[1]


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def render_sms_page(reply: Reply, page: int | None = None, latin: bool = False,
                    catalogs: Catalogs | None = None) -> tuple[str, bool]:
    """One page of a reply as an SMS, and whether another page follows.

    ``page`` defaults to ``reply.page``. A page past the end says the text has ended and
    repeats the options, so a MORE too many costs one short message.
    """
    page = reply.page if page is None else page
    script, t = script_for(reply.language, latin), _translator(reply.language, catalogs)
    pages, more, options = _pages(reply, script, t)
    if page >= len(pages) or page < 0:
        return _join(script(t("That was the end of the text.")), options), False
    if page == len(pages) - 1:
        return _join(pages[page], options), False
    return _join(pages[page], f"({page + 1}/{len(pages)}) {more}"), True


def _menu_hint(reply: Reply, latin: bool, t: Translator) -> str:
    """On the main menu of a Cyrillic language: LAT, the way to cheaper messages."""
    if reply.kind != "menu" or reply.language not in CYRILLIC_LANGUAGES:
        return ""
    if latin:
        return t("LAT: back to Cyrillic letters")
    return t("LAT: Latin letters, cheaper SMS")


def render_sms_messages(reply: Reply, latin: bool = False,
                        catalogs: Catalogs | None = None) -> list[str]:
    """The SMS messages that answer ``reply``, each within 3 segments (none for silence)."""
    if reply.kind == "ignored" or not (reply.blocks or reply.options or reply.sms):
        return []
    if reply.topic:
        return [render_sms_page(reply, latin=latin, catalogs=catalogs)[0]]
    script, t = script_for(reply.language, latin), _translator(reply.language, catalogs)
    if reply.kind == "language":
        reply = _language_names(reply, latin)
    if reply.kind == "help" and len(reply.blocks) > 1:
        # The help text alone: the menu's "choose a topic" prompt goes with the menu.
        reply = replace(reply, blocks=reply.blocks[:-1])
    lines = [sms_body(reply)]
    if reply.kind not in _NO_OPTION_LINES:
        lines += [option_lines(reply), _menu_hint(reply, latin, t)]
    text = script(_join(*lines))
    return [message for message in split_pages(text, MAX_SEGMENTS) if message]


def render_sms(reply: Reply, latin: bool = False, catalogs: Catalogs | None = None) -> str:
    """What a handset shows, as one text (several messages separated by a blank line)."""
    return "\n\n".join(render_sms_messages(reply, latin=latin, catalogs=catalogs))


def render_notice(text: str, language: str, latin: bool = False) -> str:
    """A one-line notice (empty message, a picture, an error) in the reader's script."""
    return script_for(language, latin)(text)
