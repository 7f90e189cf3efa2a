"""Character n-gram profiles: a small naive Bayes model of how each language is spelled.

A profile is kept per (language family, script): ``("ky", "Cyrl")``, ``("ru", "Latn")``
(Russian typed in Latin letters) and so on. A word is scored only against the profiles of
its own script, so a message that mixes scripts ("patent канча турат") still adds up per
family. Everything is plain dicts of floats: building takes a fraction of a second,
scoring a message well under a millisecond.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ORDERS: tuple[int, ...] = (1, 2, 3, 4)
#: How much each n-gram order counts; longer n-grams say more about a language.
ORDER_WEIGHTS: Mapping[int, float] = {1: 0.3, 2: 0.6, 3: 1.0, 4: 1.0}
#: Whole known words (the frequent words of the seed texts, catalogs and content).
WORD_WEIGHT = 1.5
SMOOTHING = 0.3
_WORD_KEY = "#"

_APOSTROPHES = str.maketrans({c: "'" for c in "ʻ‘’`ʼ´"})
_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|')*")


def normalize(text: str) -> str:
    """Lower case, one apostrophe (``'``) for all its variants."""
    return text.lower().translate(_APOSTROPHES)


def words(text: str) -> list[str]:
    """The words of a normalised text; a trailing apostrophe stays only after o/g (o', g')."""
    found = []
    for token in _TOKEN.findall(text):
        while token.endswith("'") and not token.endswith(("o'", "g'")):
            token = token[:-1]
        if token:
            found.append(token)
    return found


def script_of(word: str) -> str:
    """``"Cyrl"`` or ``"Latn"``, by the majority of the word's letters."""
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in word)
    return "Cyrl" if cyrillic * 2 >= len(word.replace("'", "")) else "Latn"


def grams(word: str) -> list[str]:
    """The character n-grams of a word padded with spaces, so edges count (" ка", "ип ")."""
    padded = f" {word} "
    out = [ch for ch in word]
    for n in ORDERS[1:]:
        out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(frozen=True)
class Profile:
    """Log probabilities of n-grams (and whole words) for one language in one script."""

    logp: Mapping[str, float]
    floor: Mapping[int, float]  # log probability of an n-gram never seen, per order (0: words)

    def score(self, word: str) -> float:
        total = 0.0
        get, floor = self.logp.get, self.floor
        for gram in grams(word):
            n = len(gram)
            total += ORDER_WEIGHTS[n] * get(gram, floor[n])
        return total + WORD_WEIGHT * get(_WORD_KEY + word, floor[0])


def _count(texts: Iterable[tuple[str, float]]) -> Counter[str]:
    weights: Counter[str] = Counter()  # words first: most repeat, so n-grams are cut once
    for text, weight in texts:
        for word in words(normalize(text)):
            weights[word] += weight
    counts: Counter[str] = Counter()
    for word, weight in weights.items():
        for gram in grams(word):
            counts[gram] += weight
        counts[_WORD_KEY + word] += weight
    return counts


def _order(key: str) -> int:
    return 0 if key.startswith(_WORD_KEY) else len(key)


def build_profiles(
    corpus: Mapping[tuple[str, str], Iterable[tuple[str, float]]],
) -> dict[tuple[str, str], Profile]:
    """One profile per (family, script) from weighted texts.

    The vocabulary size used for smoothing is shared by all profiles of a script, so an
    n-gram unseen in two languages costs them the same and only seen n-grams decide.
    """
    counts = {key: _count(texts) for key, texts in corpus.items()}
    vocabulary: dict[tuple[str, int], set[str]] = {}
    for (_, script), counter in counts.items():
        for gram in counter:
            vocabulary.setdefault((script, _order(gram)), set()).add(gram)
    profiles: dict[tuple[str, str], Profile] = {}
    for (family, script), counter in counts.items():
        totals: Counter[int] = Counter()
        for gram, count in counter.items():
            totals[_order(gram)] += count
        denominators = {
            n: totals[n] + SMOOTHING * (len(vocabulary.get((script, n), ())) + 1)
            for n in (0, *ORDERS)
        }
        logp = {
            gram: math.log((count + SMOOTHING) / denominators[_order(gram)])
            for gram, count in counter.items()
        }
        floor = {n: math.log(SMOOTHING / denominators[n]) for n in denominators}
        profiles[(family, script)] = Profile(logp, floor)
    return profiles
