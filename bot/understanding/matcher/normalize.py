"""Text → comparable word skeletons, whatever script, keyboard or spelling was used.

Migrants type on whatever phone they have: Russian letters for Kyrgyz and Tajik ones
(к for қ, у for ү), Latin letters for Russian ("patent oplatit"), Uzbek in either
script with any apostrophe (o'/oʻ/o`/o), Latin letters mixed into Cyrillic words. Every
word is therefore folded to one Latin *skeleton* in which all those spellings coincide:

    "Қайд", "кайд", "qayd", "kayd"            → "kayd"
    "Ўзбекистон", "o'zbekiston", "ozbekiston" → "ozbekiston"
    "пaспорт" (Latin a), "pasport", "паспорт" → "pasport"
    "ҷарима", "чарима"                        → "charima"

The skeleton is lossy on purpose (doubled letters collapse, ъ and ь vanish): it is a key
for matching, never shown to anyone. Pure functions, no state.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

APOSTROPHES = "ʻ‘’`ʼ´′'"

# Latin letters that look like Cyrillic ones and back: "пaспорт" with a Latin "a" is a
# Cyrillic word, "pаsport" with a Cyrillic "а" a Latin one. Upper case counts (В, Н, Т).
_LATIN_LOOKALIKES = str.maketrans("AaBCcEeHKkMOoPpTXxYy", "АаВСсЕеНКкМОоРрТХхУу")
_CYRILLIC_LOOKALIKES = str.maketrans("АаВСсЕеНКкМОоРрТХхУу", "AaBCcEeHKkMOoPpTXxYy")

# Cyrillic (Russian, Kyrgyz, Tajik, Uzbek) → Latin skeleton. The letters a Russian
# keyboard lacks fold onto the ones people type instead (қ→к, ү/ӯ→у, ө→о, ҳ→х, ҷ→ч, ӣ→и,
# ң→н, ғ→г); Uzbek ў is written o' in Latin, so it folds with o.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo",
    "э": "e", "ж": "j", "з": "z", "и": "i", "ӣ": "i", "й": "y", "к": "k", "қ": "k",
    "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ү": "u", "ӯ": "u", "ў": "o", "ф": "f", "х": "h",
    "ҳ": "h", "ц": "ts", "ч": "ch", "ҷ": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y",
    "ь": "", "ю": "yu", "я": "ya", "і": "i", "ә": "a", "ұ": "u", "һ": "h",
}
_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)

# Latin spellings of the same sounds, longest first: Uzbek (o' g' sh ch x q), Russian
# typed in Latin letters (zh kh shch c w), and Uzbek Cyrillic е = Latin "ye".
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    ("o'", "o"), ("g'", "g"), ("shch", "sh"), ("sch", "sh"), ("zh", "j"), ("kh", "h"),
    ("ck", "k"), ("x", "h"), ("q", "k"), ("w", "v"), ("ye", "e"), ("'", ""),
)
_C_NOT_CH = re.compile(r"c(?!h)")
_REPEATS = re.compile(r"(ch|sh|ts|.)\1+")

_WORD = re.compile(r"[^\W_]+(?:['’ʻ‘`ʼ´′][^\W_]*)*")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[a-zA-Z]")


def unify_apostrophes(text: str) -> str:
    """Every apostrophe people type for Uzbek o' and g' becomes the ASCII one."""
    return text.translate({ord(a): "'" for a in APOSTROPHES})


def fix_lookalikes(word: str) -> str:
    """A word mixing scripts is rewritten in the script most of its letters use."""
    cyrillic = len(_CYRILLIC_LETTER.findall(word))
    latin = len(_LATIN_LETTER.findall(word))
    if cyrillic and latin:
        table = _LATIN_LOOKALIKES if cyrillic >= latin else _CYRILLIC_LOOKALIKES
        return word.translate(table)
    return word


@lru_cache(maxsize=200_000)
def skeleton(word: str, *, yo_as_e: bool = False) -> str:
    """One word (any script, any case) → its Latin matching key.

    ``yo_as_e`` folds ё into е, as Russian writers do ("учёт" = "учет"); in Tajik and
    Uzbek ё is "yo" (ёрдам = yordam) and stays so.
    """
    word = fix_lookalikes(unify_apostrophes(unicodedata.normalize("NFC", word))).lower()
    if yo_as_e:
        word = word.replace("ё", "е")
    word = word.translate(_CYRILLIC_TABLE)
    word = _C_NOT_CH.sub("ts", word)
    for old, new in _LATIN_RULES:
        word = word.replace(old, new)
    word = unicodedata.normalize("NFKD", word)
    word = "".join(ch for ch in word if ch.isalnum())  # drops accents, emoji, marks
    return _REPEATS.sub(r"\1", word)


def words(text: str) -> list[str]:
    """The words of a text as typed: letters and digits, apostrophes kept inside words."""
    return _WORD.findall(unify_apostrophes(text))


def skeletons(text: str, language: str | None = None) -> list[str]:
    """Every word of ``text`` as a skeleton, empty ones dropped (emoji, punctuation)."""
    yo_as_e = language == "ru"
    out = []
    for word in words(text):
        key = skeleton(word, yo_as_e=yo_as_e)
        if key:
            out.append(key)
    return out
