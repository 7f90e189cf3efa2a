"""SMS: numbered lines instead of buttons, a topic's short version, pages of ≤ 3 segments.

A topic comes first as its SMS version, which ends with ``9 More`` (``9 Ещё``): then the
whole text, page by page. Each page but the last ends with ``(1/3) Next: 9 or MORE`` in
the reader's language, the last with the numbered options (``1 Back``, ``0 Menu``); MORE
or 9 brings the next page (``handlers/more.py`` moves ``Reply.page`` on). The first
contact is a short welcome, the modules by their short ``sms:`` names and the LAT line, in
at most 2 segments. Any other reply — a menu, the help text — is short and is sent whole,
as a few messages of at most 3 segments when it is longer, so that seeing a whole menu
never costs the reader an extra message.

Scripts: Uzbek Latin is always made GSM-7 (plain ``'``, no typographic marks); Cyrillic
stays UCS-2 unless the reader asked for Latin letters (LAT), then it is transliterated
into GSM-7 (``bot/sms/latin.py``). Every size is measured after that, on the text as sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from bot.config import ROOT
from bot.engine import MORE_DIGIT
from bot.i18n import Catalogs, Translator
from bot.i18n import catalogs as load_catalogs
from bot.render.plain import numbered
from bot.sms.latin import CYRILLIC_LANGUAGES, to_gsm7
from bot.sms.pages import split_pages
from bot.sms.segments import count_segments
from bot.sms.text import printable, sms_plain
from bot.types import Reply

MAX_SEGMENTS = 3
#: The first contact on SMS — a short welcome, the numbered modules, the LAT line — costs
#: at most this many segments; the longer introduction comes on HELP.
WELCOME_SEGMENTS = 2
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
    """The text an SMS carries first: a topic's SMS version (or its whole text), else the
    blocks."""
    if reply.topic and len(reply.blocks) >= 2:
        lead = reply.blocks[:-2]  # notes before the title and body
        parts = [*lead, reply.sms] if reply.sms else [*lead, *_whole(reply)]
    else:
        parts = [*reply.blocks, *reply.footer]
    return "\n".join(sms_plain(part) for part in parts if part.strip())


def _whole(reply: Reply) -> list[str]:
    """A topic's whole text: title, body and footer."""
    return [reply.blocks[-2], reply.blocks[-1], *reply.footer]


def option_lines(reply: Reply) -> str:
    """``1 Back`` / ``0 Menu``: a number, a space, the label (its short form, if any)."""
    short = {o.id: o.short for o in reply.options if o.short}
    return "\n".join(f"{number} {short.get(option.id, label)}"
                     for (number, label), option in zip(numbered(reply), reply.options,
                                                        strict=True))


def more_digit(reply: Reply) -> str:
    """9, unless the reply numbers nine lines or more itself (then ``+``)."""
    return MORE_DIGIT if len(reply.options) < 9 else MORE_SYMBOL


def _reviewed_line(reply: Reply, script: Script, t: Translator) -> str:
    """``Проверено: 28.11.2026``: the date the topic was checked, in digits to save letters."""
    if reply.reviewed is None:
        return ""
    return script(t("Checked: {date}", date=t.short_date(reply.reviewed)))


def _option_sets(reply: Reply, menu_optional: bool) -> Iterator[Reply]:
    """The reply with fewer and fewer numbered lines, dropped from the end, so every number
    still means what the session says (1 still goes back when "1 Back" is not shown)."""
    menu = [o for o in reply.options if o.id == "nav:menu"]
    numbered_options = [o for o in reply.options if o.id != "nav:menu"]
    for keep in range(len(numbered_options), -1, -1):
        yield replace(reply, options=(*numbered_options[:keep], *menu))
    if menu_optional and menu:
        yield replace(reply, options=())


def _paged(text: str, more: str, endings: Iterable[str]) -> list[str]:
    """``text`` as messages: each but the last ends with ``(1/3) Next…``, the last with the
    first of ``endings`` (in order of preference) that takes the fewest pages."""
    best: tuple[list[str], str] | None = None
    for ending in endings:
        pages = split_pages(text, MAX_SEGMENTS, _WIDEST_MARK + more, ending)
        if best is None or len(pages) < len(best[0]):
            best = (pages, ending)
            if len(pages) == 1:
                break
    assert best is not None
    pages, ending = best
    total = len(pages)
    return [*(_join(page, f"({number}/{total}) {more}")
              for number, page in enumerate(pages[:-1], start=1)),
            _join(pages[-1], ending)]


def _pages(reply: Reply, page: int, script: Script,
           t: Translator) -> tuple[str | None, bool, str]:
    """Page ``page`` of a topic (None past the end), whether more follow, and the lines
    that close its text (for a MORE past the end).

    With an SMS version, the first message is that summary and ends with the way on to the
    whole text (``9 Ещё``), which then comes page by page: the summary is never all an SMS
    reader can read. Content is written to fit three segments beside the date and
    "0 Menu" (``content check``), and "9 More" is never longer than "0 Menu"; the date the
    topic was checked and the numbered lines are added as far as they fit without adding
    a page — the date first, because it tells the reader how old the answer is. The whole
    text is cut into pages only when a page of it is asked for (twenty times the work of
    the summary).
    """
    more = script(t("Next: {digit} or MORE", digit=more_digit(reply)))
    reviewed = _reviewed_line(reply, script, t)
    dates = (reviewed, "") if reviewed else ("",)
    endings = [_join(dated, script(option_lines(shown)))
               for dated in dates for shown in _option_sets(reply, menu_optional=False)]
    first: list[str] = []
    whole = script(sms_body(reply))
    if reply.sms:
        digit = more_digit(reply)
        labels = (t("More: the whole text"), t("More"))  # the long one where it fits
        ways_on = [script(f"{digit} {label}") for label in labels]
        summary_endings = (_join(dated, way_on, script(option_lines(shown)))
                           for dated in dates
                           for shown in _option_sets(reply, menu_optional=True)
                           for way_on in ways_on)
        first = _paged(whole, more, summary_endings)
        if 0 <= page < len(first):
            return first[page], True, endings[0]
        whole = script("\n".join(sms_plain(part) for part in _whole(reply) if part.strip()))
    rest = _paged(whole, more, endings)
    index = page - len(first)
    if not 0 <= index < len(rest):
        return None, False, endings[0]
    return rest[index], index < len(rest) - 1, endings[0]


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
    text, more, closing = _pages(reply, page, script, t)
    if text is None:
        return _join(script(t("That was the end of the text.")), closing), False
    return text, more


def _menu_hint(reply: Reply, latin: bool, t: Translator) -> str:
    """On the main menu of a Cyrillic language: LAT, the way to cheaper messages."""
    if reply.kind != "menu" or reply.language not in CYRILLIC_LANGUAGES:
        return ""
    if latin:
        return t("LAT: back to Cyrillic letters")
    return t("LAT: Latin letters, cheaper SMS")


def _first_words(reply: Reply, named_too: bool) -> Reply:
    """Numbered lines cut to their first word — those without a short ``sms:`` name, or
    all of them: the last resorts of a welcome too long."""
    options = tuple(replace(o, short=(o.short or o.label).split(" ")[0].rstrip(":,;"))
                    if named_too or not o.short else o for o in reply.options)
    return replace(reply, options=options)


def _welcome(reply: Reply, latin: bool, script: Script, t: Translator) -> list[str]:
    """The first contact: the short welcome, the numbered modules, the LAT line — within
    :data:`WELCOME_SEGMENTS`. Should a long menu (a new module without a short ``sms:``
    name) not fit, the welcome line goes first, then names are cut to their first word."""
    hint = _menu_hint(reply, latin, t)
    tries = ((reply.sms or "", reply), ("", reply), ("", _first_words(reply, named_too=False)),
             ("", _first_words(reply, named_too=True)))
    text = ""
    for lead, shown in tries:
        text = script(_join(sms_plain(lead), option_lines(shown), hint))
        if count_segments(text).segments <= WELCOME_SEGMENTS:
            return [text]
    return [message for message in split_pages(text, MAX_SEGMENTS) if message]


def render_sms_messages(reply: Reply, latin: bool = False,
                        catalogs: Catalogs | None = None) -> list[str]:
    """The SMS messages that answer ``reply``, each within 3 segments (none for silence)."""
    if reply.kind == "ignored" or not (reply.blocks or reply.options or reply.sms):
        return []
    if reply.topic:
        return [render_sms_page(reply, latin=latin, catalogs=catalogs)[0]]
    script, t = script_for(reply.language, latin), _translator(reply.language, catalogs)
    if reply.kind == "menu" and reply.sms:
        return _welcome(reply, latin, script, t)
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
