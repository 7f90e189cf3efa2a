"""The country of a phone number's calling code — a hint for the language, never stored.

The SMS channel calls :func:`country_from_phone` on the sender's number while the request
lasts and puts the result in ``Incoming.country_hint``; only the two-letter country goes
further, never the number.
"""

from __future__ import annotations

import re

# Calling codes of the countries migrants write from. +7 is shared: Kazakhstan's numbers
# start +7 6 or +7 7, the rest of +7 is Russia.
_CALLING_CODES: tuple[tuple[str, str], ...] = (
    ("996", "KG"),
    ("992", "TJ"),
    ("998", "UZ"),
    ("76", "KZ"),
    ("77", "KZ"),
    ("7", "RU"),
    ("90", "TR"),
    ("82", "KR"),
    ("44", "GB"),
)

#: The language a country's calling code suggests. Russian and Kazakh numbers suggest
#: none: most migrants use a local SIM, whatever their language.
COUNTRY_LANGUAGE: dict[str, str] = {"KG": "ky", "TJ": "tg", "UZ": "uz"}

_SEPARATORS = re.compile(r"[\s\-().]")


def country_from_phone(number: str | None) -> str | None:
    """``"+996 555 123 456"`` → ``"KG"``; ``None`` for a number without an international prefix.

    Accepts E.164 (Twilio's ``From``), spaces, dashes, brackets and a ``00`` prefix. A
    number written without ``+``/``00`` is a local one and says nothing about the country.
    """
    if not number:
        return None
    digits = _SEPARATORS.sub("", number.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    else:
        return None
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        return None
    for prefix, country in _CALLING_CODES:
        if digits.startswith(prefix):
            return country
    return None


def language_for_country(country: str | None) -> str | None:
    """The language a country hint suggests (``"KG"`` → ``"ky"``), if any."""
    return COUNTRY_LANGUAGE.get((country or "").upper())
