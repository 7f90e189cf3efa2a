"""Text that stays inside GSM-7: Uzbek Latin as written, Cyrillic in Latin letters (LAT).

A Cyrillic SMS is UCS-2 (70 characters a part); the same words in Latin letters are GSM-7
(160), about 2.3 times cheaper. Each language gets the scheme its readers know:

- Russian: passport-style (ICAO-like) — ж zh, х kh, ц ts, ч ch, ш sh, щ shch, ы y,
  ю yu, я ya; ё e, й y; ь and ъ dropped (``деньги`` → ``dengi``);
- Kyrgyz: the Russian scheme with ж j (as in Jogorku Kenesh, Jalal-Abad), ң ng, ө o, ү u,
  ё yo;
- Tajik: the Russian scheme with ҷ j, ҳ h, қ q, ғ gh, ӣ i, ӯ u, ё yo and ъ as ``'``
  (a sound in Tajik: ``таъмин`` → ``ta'min``);
- Uzbek Cyrillic: the official Uzbek Latin alphabet (``bot.understanding.translit``), ``'`` for ʻ.

Addresses with a Cyrillic domain (``мвд.рф``) are written in their ASCII form
(``xn--b1aew.xn--p1ai``), which browsers open: a transliterated ``mvd.rf`` would lead
nowhere. Whatever is still outside GSM-7 afterwards loses its accents (NFKD) or is
replaced by a plain equivalent (« » → ", — → -, … → ...), or dropped (emoji).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from bot.sms.segments import GSM7
from bot.understanding.translit import normalize_apostrophes, uz_cyrillic_to_latin

CYRILLIC_LANGUAGES = frozenset({"ru", "ky", "tg", "uz-Cyrl"})

_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # letters of the other languages, for a word of theirs quoted in Russian text
    "ң": "ng", "ө": "o", "ү": "u", "ҷ": "j", "ҳ": "h", "қ": "q", "ғ": "gh", "ӣ": "i",
    "ӯ": "u", "ў": "o'", "і": "i", "ә": "a", "ұ": "u", "һ": "h",
}
_SCHEMES: dict[str, dict[str, str]] = {
    "ru": _RU,
    "ky": {**_RU, "ж": "j", "ң": "ng", "ө": "o", "ү": "u", "ё": "yo"},
    "tg": {**_RU, "ҷ": "j", "ҳ": "h", "қ": "q", "ғ": "gh", "ӣ": "i", "ӯ": "u", "ё": "yo",
           "ъ": "'"},
    # Cyrillic inside an Uzbek Latin text is most often a Russian name: Russian scheme,
    # Uzbek letters as Uzbek Latin writes them.
    "uz": {**_RU, "ў": "o'", "қ": "q", "ғ": "g'", "ҳ": "h"},
}

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04FF]+")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
#: A web address whose host has Cyrillic letters: мвд.рф, https://мвд.рф/services.
_CYRILLIC_ADDRESS = re.compile(
    r"(?:https?://)?(?:[\w-]+\.)+(?:рф|рус|москва|онлайн|сайт|орг|ком|дети|бел|укр|қаз|срб)"
    r"(?![\w-])(?:/[^\s,;!?)»\"]*[^\s.,;:!?)»\"'])?",
    re.IGNORECASE,
)
_PLAIN = {
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "‹": '"', "›": '"',
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
    "…": "...", "•": "-", "·": "-", "№": "No", "₽": "RUB", "×": "x", "→": "->",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u200a": " ", "\t": " ",
    "ı": "i", "ə": "e", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "œ": "oe", "ŋ": "ng",
}


def _cased(source: str, target: str, all_caps: bool) -> str:
    if not target or not source[:1].isupper():
        return target
    return target.upper() if all_caps else target[:1].upper() + target[1:]


def _word_to_latin(word: str, scheme: dict[str, str]) -> str:
    all_caps = len(word) > 1 and word.isupper()
    return "".join(_cased(ch, scheme.get(ch.lower(), ch), all_caps) for ch in word)


def _ascii_address(match: re.Match[str]) -> str:
    """``мвд.рф/путь`` → ``xn--b1aew.xn--p1ai/%D0%BF…``: the same address, in ASCII."""
    text = match.group()
    scheme, _, rest = text.rpartition("://")
    host, slash, path = rest.partition("/")
    try:
        ascii_host = host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        return text
    address = ascii_host + (slash + quote(path, safe="/?=&%#-_.~") if slash else "")
    return f"{scheme}://{address}" if scheme else address


def cyrillic_to_latin(text: str, language: str) -> str:
    """Cyrillic letters in Latin ones, by ``language``'s scheme; other text unchanged."""
    text = _CYRILLIC_ADDRESS.sub(_ascii_address, text)
    if not _CYRILLIC.search(text):
        return text
    if language == "uz-Cyrl":
        text = uz_cyrillic_to_latin(text)  # the official alphabet; leaves other letters
    scheme = _SCHEMES.get(language, _RU)
    return _CYRILLIC_WORD.sub(lambda m: _word_to_latin(m.group(), scheme), text)


def _gsm_char(ch: str) -> str:
    if ch in GSM7:
        return ch
    if ch in _PLAIN:
        return _PLAIN[ch]
    if unicodedata.category(ch).startswith("Z"):
        return " "  # any other space
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch)
                       if not unicodedata.combining(c))
    if stripped and all(c in GSM7 for c in stripped):
        return stripped
    return ""  # emoji, symbols, scripts with no Latin form here


def to_gsm7(text: str, language: str = "ru") -> str:
    """``text`` with every character inside GSM-7: apostrophes plain, Cyrillic in Latin."""
    text = normalize_apostrophes(text)
    text = cyrillic_to_latin(text, language)
    return "".join(_gsm_char(ch) for ch in text)
