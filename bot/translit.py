"""Uzbek Latin ⇄ Cyrillic transliteration (the 1995 Latin alphabet and its Cyrillic).

Uzbek Latin text is the source the NGOs write; ``uz-Cyrl`` readers get it transliterated.
Every apostrophe variant people type (ʻ ‘ ’ ` ʼ) is accepted as the plain ``'``.
"""

from __future__ import annotations

import re

APOSTROPHES = "ʻ‘’`ʼ´"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_URL_RE = re.compile(r"(https?://\S+|www\.\S+|\b[\w.-]+\.(?:uz|ru|kg|tj|kz|org|com|рф)\b\S*)")
_VOWELS_LAT = set("aeiouAEIOU")
_VOWELS_CYR = set("аеёиоуэюяўАЕЁИОУЭЮЯЎ")


def normalize_apostrophes(text: str) -> str:
    """Replace every apostrophe variant with the plain ASCII ``'`` (GSM-7 safe)."""
    return _APOSTROPHE_RE.sub("'", text)


# Longest first: the scanner tries these before single letters.
_LAT_DIGRAPHS = {
    "o'": "ў", "g'": "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я", "ts": "ц",
}
_LAT_SINGLE = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с",
    "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з", "c": "ц", "w": "в",
}


def _case_like(source: str, target: str) -> str:
    if source[:1].isupper():
        return target.upper() if len(source) > 1 and source[1:].isupper() else target.capitalize()
    return target


def _latin_word(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        low_pair = pair.lower()
        prev = word[i - 1] if i else ""
        at_start = not prev.isalpha()
        if low_pair == "ye" and (at_start or prev in _VOWELS_LAT):
            out.append(_case_like(pair, "е"))
            i += 2
            continue
        if low_pair == "yo" and word[i + 2 : i + 3] == "'":
            out.append(_case_like(pair[0], "й"))  # yo'l is й + ў, not ё + ъ
            i += 1
            continue
        if low_pair in _LAT_DIGRAPHS:
            out.append(_case_like(pair, _LAT_DIGRAPHS[low_pair]))
            i += 2
            continue
        ch = word[i]
        low = ch.lower()
        if low == "e" and at_start:
            out.append(_case_like(ch, "э"))
        elif ch == "'":
            # a bare apostrophe (tutuq belgisi) after a letter is the hard sign
            out.append("ъ" if prev.isalpha() else ch)
        elif low in _LAT_SINGLE:
            out.append(_case_like(ch, _LAT_SINGLE[low]))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def uz_latin_to_cyrillic(text: str, keep_urls: bool = False) -> str:
    """Uzbek Latin → Cyrillic: ``o'zbek`` → ``ўзбек``, ``ishchi`` → ``ишчи``."""
    text = normalize_apostrophes(text)
    if not keep_urls:
        return _latin_word(text)
    parts = _URL_RE.split(text)
    return "".join(part if i % 2 else _latin_word(part) for i, part in enumerate(parts))


_CYR_TO_LAT = {
    "ў": "o'", "ғ": "g'", "ш": "sh", "ч": "ch", "ё": "yo", "ю": "yu", "я": "ya", "ц": "ts",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ж": "j", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ҳ": "h", "қ": "q", "э": "e", "ъ": "'", "ь": "", "ы": "i",
    "щ": "sh",
}


def uz_cyrillic_to_latin(text: str) -> str:
    """Uzbek Cyrillic → Latin with the plain apostrophe: ``ўзбек`` → ``o'zbek``."""
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        prev = text[i - 1] if i else ""
        if low == "е":
            latin = "ye" if (not prev.isalpha() or prev in _VOWELS_CYR) else "e"
        elif low in _CYR_TO_LAT:
            latin = _CYR_TO_LAT[low]
        else:
            out.append(ch)
            continue
        if ch.isupper() and latin:
            nxt = text[i + 1] if i + 1 < len(text) else ""
            latin = latin.upper() if nxt.isupper() else latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)
