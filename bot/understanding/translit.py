"""Uzbek Latin ⇄ Cyrillic transliteration (the 1995 Latin alphabet and its Cyrillic).

Uzbek Latin text is the source the NGOs write; ``uz-Cyrl`` readers get it transliterated.
Every apostrophe variant people type (ʻ ‘ ’ ` ʼ ´) is accepted as the plain ``'``.

Rules (Latin → Cyrillic), beyond one letter for one letter:

- ``o'`` ў, ``g'`` ғ, ``sh`` ш, ``ch`` ч; ``ng`` stays н + г;
- ``yo`` ё, ``yu`` ю, ``ya`` я (``dunyo`` дунё, ``ayol`` аёл), but ``yo'`` is й + ў (йўл);
- ``ye`` is е at the start of a word and after a vowel (Европа, поезд); after a consonant
  it is ъе, the Russian loanword spelling (obyekt → объект);
- ``e`` is э at the start of a word and after a, e, o, u (экин, аэропорт), else е;
- the apostrophe (tutuq belgisi) after a letter is ъ (маълумот, эълон), except between
  s and h, where it only keeps them apart (Is'hoq → Исҳоқ, not Ишоқ);
- ``ts`` is ц only where Russian loanwords have it: at the start of a word, before e, and
  in -tsi + vowel (politsiya полиция, litsenziya лицензия). Elsewhere it is т + с,
  because Uzbek suffixes put them side by side all the time: ketsa кетса, ruxsatsiz
  рухсатсиз, patentsiz патентсиз;
- sentabr → сентябр, oktabr → октябр, kompyuter → компьютер (also with suffixes:
  sentabrdan → сентябрдан). Month
  names follow CLDR's Uzbek Cyrillic (январ … декабр, no soft sign), the same spelling as
  the date line under every answer, so one answer never spells a month two ways.

Left alone: web and e-mail addresses (gov.uz/migration, https://…), codes such as E-9,
and foreign names the Uzbek alphabet cannot spell (letters c or w, or a capital inside a
word: WhatsApp, TikTok, RuID, Facebook).

Known limits (Russian loanwords whose Cyrillic spelling the Latin does not show): the
soft sign of other loanwords (Latin ``pyesa``, ``Ulyanovsk`` do not show ь), ц written as s
(``sirk`` → сирк, not цирк; ``konsert`` → консерт), ``ўъ`` (``mo'jiza`` → мўжиза, not
мўъжиза). A hand-written ``content/uz-Cyrl/<id>.md`` replaces the transliteration when
such words matter. Cyrillic → Latin is exact for these cases (цирк → sirk, мўъжиза →
mo'jiza, сентябрь → sentabr).
"""

from __future__ import annotations

import itertools
import re

APOSTROPHES = "ʻ‘’`ʼ´"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
#: Web and e-mail addresses and codes such as E-9: kept as written in either script.
_END = r"[^\s.,;:!?)\]»\"']"  # an address does not end with punctuation
_TLDS = "uz|ru|kg|tj|kz|org|com|net|int|eu|info|gov|io|kr|tr|uk|de|рф"
ADDRESS_RE = re.compile(
    rf"(?:https?://|www\.)\S*{_END}"  # web addresses
    rf"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    rf"|\b[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})\b(?:/\S*{_END}|/)?"  # gov.uz/migration
    r"|(?-i:\b[A-Z]{1,4}-?\d+\b)",  # codes: E-9, B2
    re.IGNORECASE,
)
_LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z']*")
_VOWELS_LAT = frozenset("aeiou")
_E_AFTER = frozenset("aeou")  # poeziya → поэзия, but dieta → диета
_VOWELS_CYR = frozenset("аеёиоуэюяў")


def normalize_apostrophes(text: str) -> str:
    """Replace every apostrophe variant with the plain ASCII ``'`` (GSM-7 safe)."""
    return _APOSTROPHE_RE.sub("'", text)


_LAT_DIGRAPHS = {"o'": "ў", "g'": "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я"}
_LAT_SINGLE = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с",
    "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з",
}
#: Loanword stems the letters alone get wrong, Latin → Cyrillic (suffixes may follow).
_LAT_STEMS = {"sentabr": "сентябр", "oktabr": "октябр", "kompyuter": "компьютер"}
#: And Cyrillic → Latin, with or without the soft sign.
_CYR_STEMS = {"сентябрь": "sentabr", "сентябр": "sentabr", "октябрь": "oktabr",
              "октябр": "oktabr"}


def _is_foreign(word: str) -> bool:
    """A name the Uzbek alphabet cannot spell: keep it in Latin letters."""
    low = word.lower()
    if "w" in low or re.search(r"c(?!h)", low):
        return True
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))


def _ts_is_tse(low: str, i: int) -> bool:
    """Whether ``ts`` at ``i`` is the Russian ц rather than t + s of an Uzbek suffix."""
    after = low[i + 2 : i + 4]
    return i == 0 or after[:1] == "e" or (after[:1] == "i" and after[1:2] in set("aeouy"))


def _cased(source: str, target: str, all_caps: bool) -> str:
    if not source[:1].isupper():
        return target
    return target.upper() if all_caps else target[:1].upper() + target[1:]


def _latin_word(word: str) -> str:
    """One Latin word (letters and apostrophes) in Cyrillic letters."""
    if _is_foreign(word):
        return word
    low = word.lower()
    letters = [c for c in word if c.isalpha()]
    all_caps = len(letters) > 1 and all(c.isupper() for c in letters)
    out: list[str] = []
    i = 0
    for stem, cyrillic in _LAT_STEMS.items():
        if low.startswith(stem):
            out.append(_cased(word, cyrillic, all_caps))
            i = len(stem)
    while i < len(word):
        ch, pair = word[i], low[i : i + 2]
        prev = low[i - 1] if i else ""
        if ch == "'":
            if prev == "s" and low[i + 1 : i + 2] == "h":
                i += 1  # s'h: the apostrophe only keeps s and h apart
                continue
            out.append("Ъ" if all_caps else "ъ")
            i += 1
            continue
        if pair == "yo" and low[i + 2 : i + 3] == "'":
            target, step = "й", 1  # yo'l is й + ў, not ё + ъ
        elif pair == "ye":
            if i == 0 or prev in _VOWELS_LAT or prev in {"'", "y"}:
                target = "е"
            else:
                target = "ъе"  # obyekt → объект
            step = 2
        elif pair in _LAT_DIGRAPHS:
            target, step = _LAT_DIGRAPHS[pair], 2
        elif pair == "ts" and _ts_is_tse(low, i):
            target, step = "ц", 2
        elif pair[0] == "e" and (i == 0 or prev in _E_AFTER):
            target, step = "э", 1
        elif pair[0] in _LAT_SINGLE:
            target, step = _LAT_SINGLE[pair[0]], 1
        else:
            target, step = ch, 1
        out.append(_cased(word[i : i + step], target, all_caps))
        i += step
    return "".join(out)


def _latin_words(text: str) -> str:
    def convert(match: re.Match[str]) -> str:
        word = match.group()
        tail = ""
        # a closing quote, not a hard sign: 'Xorijda ish' (but tog' keeps its g')
        while word.endswith("'") and not word[:-1].lower().endswith(("o", "g")):
            word, tail = word[:-1], tail + "'"
        return _latin_word(word) + tail

    return _LATIN_WORD_RE.sub(convert, text)


def uz_latin_to_cyrillic(text: str, keep_urls: bool = True) -> str:
    """Uzbek Latin → Cyrillic: ``o'zbek`` → ``ўзбек``, ``yo'l`` → ``йўл``.

    Addresses (``gov.uz/migration``) and codes (``E-9``) stay as they are unless
    ``keep_urls`` is false.
    """
    text = normalize_apostrophes(text)
    if not keep_urls:
        return _latin_words(text)
    out: list[str] = []
    last = 0
    for match in ADDRESS_RE.finditer(text):
        out.append(_latin_words(text[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(_latin_words(text[last:]))
    return "".join(out)


_CYR_TO_LAT = {
    "ў": "o'", "ғ": "g'", "ш": "sh", "ч": "ch", "ё": "yo", "ю": "yu", "я": "ya",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ж": "j", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ҳ": "h", "қ": "q", "э": "e", "ъ": "'", "ь": "", "ы": "i",
    "щ": "sh",
}
_CYR_WORD_RE = re.compile(r"[А-Яа-яЁёЎўҚқҒғҲҳ]+")


def _cyrillic_word(word: str) -> str:
    low = word.lower()
    all_caps = len(word) > 1 and word.isupper()
    out: list[str] = []
    i = 0
    for stem, latin in sorted(_CYR_STEMS.items(), key=lambda kv: -len(kv[0])):
        if low.startswith(stem):
            out.append(_cased(word, latin, all_caps))
            i = len(stem)
            break
    while i < len(word):
        ch, c = word[i], low[i]
        prev = low[i - 1] if i else ""
        nxt = low[i + 1 : i + 2]
        if c in "ъь" and nxt == "е":
            latin = ""  # объект → obyekt: the е says ye
        elif c == "ъ" and prev == "ў":
            latin = ""  # мўъжиза → mo'jiza
        elif c == "е":
            latin = "ye" if (i == 0 or prev in _VOWELS_CYR or prev in "ъь") else "e"
        elif c == "ц":
            latin = "ts" if prev in _VOWELS_CYR else "s"  # полиция politsiya, цирк sirk
        elif c == "с" and nxt == "ҳ":
            latin = "s'"  # Исҳоқ → Is'hoq, not Ishoq
        else:
            latin = _CYR_TO_LAT.get(c, ch)
        out.append(_cased(ch, latin, all_caps) if latin else "")
        i += 1
    return "".join(out)


def uz_cyrillic_to_latin(text: str) -> str:
    """Uzbek Cyrillic → Latin with the plain apostrophe: ``ўзбек`` → ``o'zbek``."""
    return _CYR_WORD_RE.sub(lambda m: _cyrillic_word(m.group()), text)
