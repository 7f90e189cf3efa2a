"""A question → the features the topic classifier reads (pure functions, no state).

Every word is first folded to its skeleton (``matcher.normalize``), so Kyrgyz typed with
Russian letters, Tajik in Latin letters and Uzbek with any apostrophe give the same
features as the careful spelling. From each skeleton:

- the word itself (``w:``) and its first four and six letters (``p:``): Kyrgyz and
  Uzbek stack suffixes (каттоодон, каттоого, каттоосуз), and a prefix holds the meaning;
- character n-grams of 3 to 5 letters inside the word, marked at its edges (``<pat``),
  which carry typos and inflections that no prefix catches;
- pairs of neighbouring words (``b:``), for phrases whose words mean little alone
  ("не платят", "ish haqi").

Training calls :func:`features`; the serving process builds the same features from the
same functions (``word_features``, ``pair_features``), so a model always reads questions
exactly as it was trained on them.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from bot.understanding.matcher.normalize import skeletons

#: A question is a few words; a pasted page must not cost seconds.
MAX_WORDS = 60
_GRAM_SIZES = (3, 4, 5)
_PREFIXES = (4, 6)


def words_of(text: str) -> list[str]:
    """The skeletons of a text's words, at most ``MAX_WORDS`` of them."""
    return skeletons(text)[:MAX_WORDS]


def word_features(word: str) -> tuple[str, ...]:
    """The features of one skeleton: the word, its prefixes and its n-grams."""
    out = [f"w:{word}"]
    out.extend(f"p:{word[:n]}" for n in _PREFIXES if len(word) > n)
    marked = f"<{word}>"
    for n in _GRAM_SIZES:
        out.extend(marked[i : i + n] for i in range(len(marked) - n + 1))
    return tuple(out)


def pair_features(words: list[str]) -> list[str]:
    return [f"b:{a}_{b}" for a, b in itertools.pairwise(words)]


# Training reads every example's words again and again (titles, keywords, the k-fold
# check); the serving process keeps its own, smaller memory per model (``model.py``).
_cached_word_features = lru_cache(maxsize=20_000)(word_features)


def features(text: str) -> list[str]:
    """The features of a text, repeated as often as they occur (the vectoriser counts)."""
    words = words_of(text)
    out: list[str] = []
    for word in words:
        out.extend(_cached_word_features(word))
    out.extend(pair_features(words))
    return out
