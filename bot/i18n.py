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
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
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
        """The CLDR plural form for ``n`` (ru: one/few/many); ``{n}`` in the locale's digits."""
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **values)

    @property
    def locale(self) -> str:
        return babel_locale(self.language)

    def date(self, value: date) -> str:
        """``28 ноября 2026 г.``, ``2026-ж., 28-ноябрь``, ``28-noyabr, 2026`` (CLDR "long")."""
        return self._gsm(_format_date(value, "long", self.locale))

    def short_date(self, value: date) -> str:
        """``28.11.2026``, ``28/11/26``: digits only, for SMS where every letter costs."""
        return self._gsm(_format_date(value, "short", self.locale))

    def number(self, value: float | Decimal) -> str:
        """``4 200`` (ru, ky, tg, uz), ``4,200`` (en); whole numbers without decimals."""
        return self._gsm(format_decimal(value, locale=self.locale))

    def money(self, amount: float | Decimal, currency: str, *, long: bool = False) -> str:
        """An amount in roubles (``RUB``) or tenge (``KZT``) as this language writes it.

        Short: the locale's pattern and symbol (``4 200 ₽`` in Russian, ``4 200 RUB`` where
        CLDR has no local symbol); whole amounts lose their ``,00``. Long: the currency's
        name in the language, with CLDR's plural (``4 200 российских рублей``,
        ``4 200 орус рублу``, ``4 200 Rossiya rubli``).
        """
        digits = None if amount != int(amount) else 0
        if long:
            text = format_currency(amount, currency, locale=self.locale, format_type="name",
                                   currency_digits=False, decimal_quantization=False)
        else:
            pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
            if digits == 0:
                pattern = pattern.split(";")[0].replace(".00", "")
            text = format_currency(amount, currency, format=pattern, locale=self.locale,
                                   currency_digits=digits is None)
        return self._gsm(text)

    def _gsm(self, text: str) -> str:
        """Uzbek Latin stays GSM-7 (one SMS holds 160 letters, not 70): CLDR's ‘ and
        no-break spaces become ' and plain spaces."""
        if self.language != "uz":
            return text
        return text.replace("‘", "'").replace("’", "'").replace("\u00a0", " ").replace(
            "\u202f", " ")


@lru_cache(maxsize=4096)
def _format_date(value: date, form: str, locale: str) -> str:
    """Babel parses the CLDR pattern on every call; a reply shows one of a few dozen
    review dates, so each is formatted once per language."""
    return format_date(value, form, locale=locale)


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
    name = Locale.parse(babel_locale(language)).get_language_name() or language
    return name.replace("‘", "'").replace("’", "'")
