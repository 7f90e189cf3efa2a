"""Interface strings from gettext catalogs, read with Babel at start (no compiled .mo files).

Catalogs live in ``locales/<locale>/LC_MESSAGES/messages.po``; message ids are English.
A string missing in a language falls back to Russian, then to the English id. The chain
is built explicitly: Babel's ``Translations.load`` does not chain, and gettext would serve
Latin Uzbek for a missing ``uz_Cyrl`` catalog.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.types import FALLBACK_LANGUAGE

DOMAIN = "messages"


def babel_locale(language: str) -> str:
    """Our language code (``uz-Cyrl``) as a Babel/gettext locale name (``uz_Cyrl``)."""
    return language.replace("-", "_")


def _load_po(path: Path) -> Translations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=path.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def load_catalogs(locales_dir: Path) -> dict[str, NullTranslations]:
    """One translation chain per language: its own catalog → Russian → the English id."""
    own: dict[str, Translations] = {}
    for po in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        own[po.parent.parent.name] = _load_po(po)
    chains: dict[str, NullTranslations] = {}
    fallback = own.get(babel_locale(FALLBACK_LANGUAGE))
    for name, catalog in own.items():
        if fallback is not None and catalog is not fallback:
            catalog.add_fallback(fallback)
        chains[name] = catalog
    return chains


class Translator:
    """``t("Main menu")`` in one language, with ``{name}`` placeholders filled in."""

    def __init__(self, language: str, catalog: NullTranslations) -> None:
        self.language = language
        self._catalog = catalog

    def __call__(self, message: str, **values: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(n=n, **values)

    def date(self, value: date) -> str:
        return format_date(value, "long", locale=babel_locale(self.language))


class Catalogs:
    """All the languages' catalogs, loaded once."""

    def __init__(self, locales_dir: Path) -> None:
        self._chains: Mapping[str, NullTranslations] = load_catalogs(locales_dir)
        self._fallback = self._chains.get(babel_locale(FALLBACK_LANGUAGE), NullTranslations())

    def translator(self, language: str | None) -> Translator:
        language = language or FALLBACK_LANGUAGE
        chain = self._chains.get(babel_locale(language), self._fallback)
        return Translator(language, chain)

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self._chains)


@lru_cache(maxsize=8)
def catalogs(locales_dir: Path) -> Catalogs:
    return Catalogs(locales_dir)


def language_name(language: str) -> str:
    """A language's name in its own script, from CLDR (``uz`` → ``o'zbek``, GSM-7 safe)."""
    name = Locale.parse(babel_locale(language)).get_display_name() or language
    return name.replace("‘", "'").replace("’", "'")
