"""Word skeletons → index terms: inflection stripped, then cut to a fixed prefix.

Kyrgyz and Uzbek glue case, plural and possessive suffixes onto a word ("паспортумду" =
passport-my-ACC, "pasportimni" the same in Uzbek), Tajik adds -ро, -ҳо and the izofa -и
("шиносномаамро"), Russian inflects. A light suffix stripper per language family, then a
cut to the first ``PREFIX_LENGTH`` letters (truncation stemming, the usual baseline for
agglutinative languages) reduce all those forms to one term. Both the content and the
question go through the same function, so an over-eager cut is made on both sides alike.

The suffixes are written as skeletons (see ``normalize.skeleton``): ө→o, ү→u, ы→y, ң→n.
"""

from __future__ import annotations

from functools import lru_cache

from bot.understanding.matcher.normalize import skeleton

#: Letters a term keeps. Chosen on the tune split (scripts/eval_matcher.py --grid): 5
#: keeps "oplat|a|it|il|u" and "pasport|umdu|imni" together yet "regis" apart from "regio".
PREFIX_LENGTH = 5
#: A stem never gets shorter than this by stripping ("ishga" → "ish", not "is").
MIN_STEM = 3
# Russian words carry one ending (two with -ся, which the list holds whole); Tajik stacks
# two (шиноснома-ам-ро), Kyrgyz and Uzbek more.
_MAX_STRIPS = {"ru": 1, "tg": 2}

_TURKIC_CASES = (
    # plural
    "lar", "ler", "lor", "dar", "der", "dor", "tar", "ter", "tor",
    # genitive, accusative
    "ning", "nyn", "nin", "nun", "dyn", "din", "dun", "tyn", "tin", "tun",
    "ny", "ni", "nu", "dy", "di", "du", "ty", "ti", "tu",
    # dative, locative, ablative, "the one in"
    "ga", "ge", "go", "ka", "ke", "ko", "na", "ne",
    "dagi", "tagi", "da", "de", "do", "ta", "te", "to",
    "dan", "den", "don", "tan", "ten", "ton", "nan", "nen", "non",
    # possessive
    "imiz", "ingiz", "ybyz", "ibiz", "ubuz", "yngyz", "ungyz",
    "ym", "im", "um", "yn", "in", "un", "ing", "sy", "si", "su",
    # question and politeness particles
    "by", "bi", "bu", "py", "pi", "pu", "mi", "chy", "chi",
    # common verb endings: negation, continuous, past, participle, converb, verbal noun
    "bay", "bey", "boy", "pay", "pey", "poy", "ba", "be", "bo", "pa", "pe", "po",
    "may", "mas", "ma", "yapti", "yapman", "yapmiz", "moqda", "yotgan",
    "yman", "aman", "man",
    "gan", "gen", "gon", "kan", "ken", "kon", "dim", "dik", "yt", "ysh", "ish", "sh",
    "yp", "ip", "up",
)
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "ky": _TURKIC_CASES,
    "uz": _TURKIC_CASES,
    "tg": ("hoi", "ho", "ro", "yon", "gon", "on", "amon", "aton", "ashon", "am", "at", "ash",
           "i", "yi", "e"),
    "ru": ("yami", "ami", "yah", "ah", "ogo", "ego", "omu", "emu", "ymi", "imi", "yh", "ih",
           "aya", "oy", "ey", "ay", "om", "em", "ov", "ev", "iy", "yy", "oe", "ee", "ie",
           "tsya", "sya", "it", "at", "yat", "et", "ut", "yut", "il", "ila", "ili", "ilo",
           "al", "ala", "ali", "esh", "ish", "yu", "ya", "a", "u", "y", "i", "e", "o"),
}
_SUFFIXES["uz-Cyrl"] = _SUFFIXES["uz"]
# language → ((length, suffixes of that length), …), longest first: a few set look-ups
# per strip instead of a scan of the whole list
_BY_LENGTH = {
    language: tuple(
        (length, frozenset(s for s in suffixes if len(s) == length))
        for length in sorted({len(s) for s in suffixes}, reverse=True)
    )
    for language, suffixes in _SUFFIXES.items()
}


# Kyrgyz and Uzbek voice a final k/q, p before a vowel suffix: айлык → айлыгы,
# китеп → китеби. A stem left ending in the voiced letter gets the dictionary form back.
_TURKIC = frozenset({"ky", "uz", "uz-Cyrl"})
_DEVOICE = {"g": "k", "b": "p"}


@lru_cache(maxsize=200_000)
def strip_suffixes(word: str, language: str, min_stem: int = MIN_STEM) -> str:
    """Remove inflectional suffixes, longest first, keeping ``min_stem`` letters."""
    if word.isdigit():
        return word
    suffixes = _BY_LENGTH.get(language, ())
    stripped = False
    for _ in range(_MAX_STRIPS.get(language, 3)):
        for length, endings in suffixes:
            if len(word) - length >= min_stem and word[-length:] in endings:
                word = word[:-length]
                stripped = True
                break
        else:
            break
    if stripped and language in _TURKIC and word[-1] in _DEVOICE:
        word = word[:-1] + _DEVOICE[word[-1]]
    return word


def term(word_skeleton: str, language: str, prefix: int = PREFIX_LENGTH,
         min_stem: int = MIN_STEM) -> str:
    """The index term of one word skeleton."""
    return strip_suffixes(word_skeleton, language, min_stem)[:prefix]


def stop_terms(words: str, language: str) -> frozenset[str]:
    """A space-separated word list (in any script) as the terms it produces."""
    return frozenset(
        term(skeleton(w, yo_as_e=language == "ru"), language) for w in words.split()
    )


#: Character n-grams back the word terms up where stems differ ("платить", "платёж",
#: "оплата") or a typo falls in the first letters: trigrams of the stripped word, the
#: first marked with "^" so that beginnings, where the meaning sits, count apart.
NGRAM = 3


def ngrams(word_skeleton: str, language: str, n: int = NGRAM) -> list[str]:
    marked = "^" + strip_suffixes(word_skeleton, language)
    return [marked[i : i + n] for i in range(max(1, len(marked) - n + 1))]
