"""The report's and the dashboard's own words, in English and Russian.

NGO staff and analysts read these, not migrants, so they are a gettext domain of their
own, ``locales/<lang>/LC_MESSAGES/dashboard.po`` (Russian; English is the message ids),
apart from the bot's catalog, which must be complete in every language migrants read.
Mark a string with ``tr("…")`` and extract with (README, "Statistics")::

    pybabel extract -F bot/stats/babel.cfg -k tr --no-default-keywords \\
        --no-location --sort-output -o locales/dashboard.pot .
    pybabel update -D dashboard -i locales/dashboard.pot -d locales -l ru --no-fuzzy-matching
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.config import ROOT
from bot.i18n import Translator

DOMAIN = "dashboard"
#: The languages the dashboard speaks; the first is the default.
LANGUAGES = ("ru", "en")


class Words(Translator):
    """``tr("Per day")`` in one language, with ``{name}`` placeholders filled in: the
    bot's translator over the dashboard's own catalog."""


@lru_cache(maxsize=8)
def _catalog(locales_dir: Path, language: str) -> NullTranslations:
    path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return NullTranslations()  # English: the ids themselves
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def words(language: str, locales_dir: Path = ROOT / "locales") -> Words:
    language = language if language in LANGUAGES else LANGUAGES[0]
    return Words(language, _catalog(locales_dir, language))


def negotiate(asked: str | None, accept_language: str) -> str:
    """``?lang=`` when it is one we speak, else the browser's first one we speak, else ru."""
    if asked in LANGUAGES:
        return asked
    for language in _accepted(accept_language):
        if language in LANGUAGES:
            return language
    return LANGUAGES[0]


def _accepted(header: str) -> Iterable[str]:
    """Accept-Language's languages by weight (``en-GB;q=0.8`` → ``en``)."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag:
            weighted.append((-weight, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(weighted)]
