"""A simple keyword matcher from a free-text question to a topic (a placeholder for the
ranked matcher): words that share a stem of four letters with a topic's title or keywords."""

from __future__ import annotations

import re

from bot.content.model import ContentTree
from bot.types import FALLBACK_LANGUAGE

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def _words(text: str) -> list[str]:
    text = text.lower().replace("ё", "е").replace("ʻ", "'").replace("’", "'")
    return [w for w in _WORD.findall(text) if len(w) >= 3]


def _related(a: str, b: str) -> bool:
    stem = min(len(a), len(b), 5)
    return (stem >= 4 and a[:stem] == b[:stem]) or a == b


def best_topic(content: ContentTree, question: str, language: str) -> str | None:
    """The topic whose title and keywords share the most words with the question."""
    asked = _words(question)
    if not asked:
        return None
    scores: dict[str, int] = {}
    for lang in {language, FALLBACK_LANGUAGE}:
        for text in content.texts_in(lang):
            vocabulary = _words(" ".join((text.title, *text.keywords)))
            score = sum(any(_related(a, v) for v in vocabulary) for a in asked)
            if score > scores.get(text.topic_id, 0):
                scores[text.topic_id] = score
    if not scores or max(scores.values()) == 0:
        return None
    return max(scores, key=lambda topic_id: scores[topic_id])
