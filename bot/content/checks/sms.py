"""The SMS version: it exists, it fits the budget with the lines the channel adds, an
Uzbek Latin one stays GSM-7, and it names one number or site to act on.

An SMS is all a reader on a basic handset gets: without a number to call or a site to
open it tells them of a right but not where to claim it. A Cyrillic address (мвд.рф) in a
Latin Uzbek SMS is an error, not a warning: one Cyrillic letter turns the whole message
into UCS-2 (70 characters a segment instead of 160, so the three-segment budget breaks
and the reader pays up to three times more), a Latin-only handset shows it as boxes,
and a reader with a Latin keyboard cannot type it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.content.loader import Problem
from bot.content.textrules import find_phones
from bot.content.topicfile import TopicFile
from bot.sms.segments import count_segments, is_gsm7
from bot.understanding.translit import ADDRESS_RE, APOSTROPHES, uz_latin_to_cyrillic

SMS_MAX_SEGMENTS = 3
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def check(file: TopicFile) -> Iterator[Problem]:
    text, line = file.text, file.text.line_of("sms")
    if not text.sms:
        yield file.problem(line, "no sms: write the short version basic phones receive "
                           "(sms: >- and the text on the next lines)", code="sms")
        return
    if not _names_a_way_to_act(file, text.sms):
        yield file.problem(line, "sms names no phone number or site to act on: add the one "
                           "the reader should use first (an official site or a hotline)",
                           "warning", "sms-action")
    if file.language == "uz":
        problems = list(_uzbek_latin(file, line))
        yield from problems
        if any(p.severity == "error" for p in problems):
            return  # not GSM-7: its length in GSM-7 segments means nothing yet
    yield from _budget(file, line, text.sms, file.language)
    if file.derives_cyrillic:
        # An error too: every Uzbek Cyrillic reader would lose the date otherwise.
        yield from _budget(file, line, uz_latin_to_cyrillic(text.sms), "uz-Cyrl",
                           prefix="in Cyrillic (uz-Cyrl) ")


def sites(text: str) -> list[str]:
    """Web addresses in ``text`` (gov.uz/migration, мвд.рф), not codes such as E-9."""
    return [m.group() for m in ADDRESS_RE.finditer(text) if "." in m.group()]


def _names_a_way_to_act(file: TopicFile, sms: str) -> bool:
    if find_phones(sms) or sites(sms):
        return True
    book = file.resources.phonebook
    short = book.short_numbers if book is not None else ()
    return any(re.search(rf"(?<![\d+]){re.escape(number)}(?!\d)", sms) for number in short)


def _uzbek_latin(file: TopicFile, line: int) -> Iterator[Problem]:
    sms = file.text.sms
    raw_sms = file.raw_field(line)
    if any(ch in raw_sms for ch in APOSTROPHES):
        yield file.problem(line, "sms: use the plain apostrophe ' (o' g'); other apostrophes "
                           "make the SMS cost up to 3 times more", "warning", "sms-gsm7")
    cyrillic_sites = [site for site in sites(sms) if _CYRILLIC.search(site)]
    for site in cyrillic_sites:
        yield file.problem(line, f"sms: the address '{site}' is in Cyrillic letters, which a "
                           "Latin Uzbek SMS cannot carry (it would cost up to 3 times more, "
                           "and Latin-only phones cannot show or type it): give a Latin "
                           f"address instead, an official Latin site{_latin_form(site)}",
                           code="sms-gsm7")
    rest = sms
    for site in cyrillic_sites:
        rest = rest.replace(site, "")
    bad = sorted({ch for ch in rest if not is_gsm7(ch)})
    if bad:
        shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in bad)
        yield file.problem(line, f"sms must use only GSM-7 characters; found {shown}: use - "
                           "instead of —, \" instead of « », no №", code="sms-gsm7")


def _latin_form(site: str) -> str:
    """", or this one in Latin letters: xn--b1aew.xn--p1ai" (the same site, IDNA)."""
    host, slash, path = site.partition("/")
    try:
        latin = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return f" or this one in Latin letters: {latin}{slash}{path}"


def _budget(file: TopicFile, line: int, sms: str, language: str,
            prefix: str = "") -> Iterator[Problem]:
    checked, menu_line = _sms_ending(file, language)
    count = count_segments(f"{sms}\n{checked}\n{menu_line}")
    if count.segments > SMS_MAX_SEGMENTS:
        yield file.problem(line, f"sms {prefix}takes {count.segments} SMS segments "
                           f"({count.encoding}, {count.units} characters with the '{checked}' "
                           f"and '{menu_line}' lines); at most {SMS_MAX_SEGMENTS}: shorten it",
                           "error", "sms-length")


def _sms_ending(file: TopicFile, language: str) -> tuple[str, str]:
    """The lines the SMS channel adds after the text and never drops: the date the topic
    was checked (``bot/render/sms.py``, as sent, from the real catalog) and ``0 Menu``.
    "1 Back" between them is left out when it does not fit."""
    t = file.resources.translators[language]
    reviewed = file.text.reviewed or file.today  # no date: an error reported elsewhere
    return t("Checked: {date}", date=t.short_date(reviewed)), f"0 {t('Menu')}"
