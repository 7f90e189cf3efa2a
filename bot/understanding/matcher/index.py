"""The search index of one content tree: one BM25F index per language, built once.

Topic texts missing in a language are indexed from their Russian text, as the reader
would be shown. The tree is immutable and replaced as a whole when NGOs edit files, so
the index is cached by the tree's identity and dropped with it.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.content.model import ContentTree, TopicText
from bot.types import FALLBACK_LANGUAGE, LANGUAGES
from bot.understanding.matcher import bm25
from bot.understanding.matcher.normalize import skeletons
from bot.understanding.matcher.stem import ngrams, term
from bot.understanding.matcher.stopwords import stop_words


@dataclass(frozen=True)
class LanguageIndex:
    language: str
    ranking: bm25.Index  # over word terms
    grams: bm25.Index  # over character n-grams of the same words
    # every word of the content (as a skeleton) by its length, and the term it gives:
    # typos are looked up among whole words of similar length, where one wrong letter
    # weighs less than in a five-letter term
    words: Mapping[int, tuple[str, ...]]
    word_terms: Mapping[str, str]
    # terms of titles and keywords: the words that name topics ("патент", "каттоо")
    headline: frozenset[str] = frozenset()

    def knows(self, word_term: str) -> bool:
        return word_term in self.ranking.postings


#: How many answered questions an index remembers (see ``MatcherIndex.answers``).
MAX_ANSWERS = 4096


@dataclass(frozen=True)
class MatcherIndex:
    languages: Mapping[str, LanguageIndex]
    #: Questions already matched against this index, and what they matched: the same
    #: words come again and again (most of all when a post with a question goes round),
    #: and a match is a pure function of the index and its arguments. It lives and dies
    #: with the index, so an edit of the content starts it afresh.
    answers: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def get(self, language: str) -> LanguageIndex:
        return self.languages.get(language) or self.languages[FALLBACK_LANGUAGE]

    def remember(self, key: Hashable, answer: Any) -> None:
        if len(self.answers) >= MAX_ANSWERS:
            del self.answers[next(iter(self.answers))]  # the oldest
        self.answers[key] = answer


def terms_of(text: str, language: str, words: dict[str, str] | None = None) -> list[str]:
    """The index terms of a text, stop words left out; ``words`` collects word → term."""
    stops = stop_words(language)
    out = []
    for word in skeletons(text, language):
        word_term = term(word, language)
        if word_term not in stops:
            out.append(word_term)
            if words is not None:
                words[word] = word_term
    return out


def grams_of(text: str, language: str) -> list[str]:
    """The character n-grams of a text's words, stop words left out."""
    stops = stop_words(language)
    return [g for word in skeletons(text, language) if term(word, language) not in stops
            for g in ngrams(word, language)]


def document_of(text: TopicText, language: str,
                words: dict[str, str] | None = None) -> bm25.Document:
    return bm25.Document(
        key=text.topic_id,
        fields={
            "title": terms_of(text.title, language, words),
            "keywords": terms_of(" ".join(text.keywords), language, words),
            "body": terms_of(text.body, language, words),
        },
    )


def texts_for(tree: ContentTree, language: str) -> Iterable[TopicText]:
    """Each topic's text in ``language``, or in Russian when it is not translated yet."""
    for topic_id in dict.fromkeys((*tree.topic_ids, *(key[0] for key in tree.texts))):
        found = tree.lookup(topic_id, language)
        if found is not None:
            yield found.text


def build_language(tree: ContentTree, language: str,
                   params: bm25.Params | None = None) -> LanguageIndex:
    word_terms: dict[str, str] = {}
    documents = [document_of(text, language, word_terms)
                 for text in texts_for(tree, language)]
    ranking = bm25.build(documents, params)
    grams = bm25.build([
        bm25.Document(text.topic_id, {
            "title": grams_of(text.title, language),
            "keywords": grams_of(" ".join(text.keywords), language),
            "body": grams_of(text.body, language),
        }) for text in texts_for(tree, language)
    ], params)
    by_length: dict[int, list[str]] = defaultdict(list)
    for word in word_terms:
        by_length[len(word)].append(word)
    words = {length: tuple(sorted(found)) for length, found in by_length.items()}
    headline = frozenset(t for doc in documents
                         for name in ("title", "keywords") for t in doc.fields[name])
    return LanguageIndex(language, ranking, grams, MappingProxyType(words),
                         MappingProxyType(word_terms), headline)


def build_index(tree: ContentTree, params: bm25.Params | None = None) -> MatcherIndex:
    return MatcherIndex(MappingProxyType(
        {language: build_language(tree, language, params) for language in LANGUAGES}
    ))


# One entry per live tree: a reload builds a new tree, the old entry goes with the old one.
_cache: dict[int, tuple[weakref.ref[ContentTree], MatcherIndex]] = {}
_lock = threading.Lock()


def cached_index(tree: ContentTree) -> MatcherIndex | None:
    """The index of ``tree`` if it has been built, without building it."""
    entry = _cache.get(id(tree))
    return entry[1] if entry is not None and entry[0]() is tree else None


async def index_ready(tree: ContentTree) -> MatcherIndex:
    """The index of ``tree``; a first build (half a second after each content reload)
    runs in a worker thread so that other conversations are not kept waiting."""
    return cached_index(tree) or await asyncio.to_thread(index_for, tree)


def index_for(tree: ContentTree) -> MatcherIndex:
    """The index of ``tree``, built on first use and kept while the tree lives."""
    key = id(tree)
    entry = _cache.get(key)
    if entry is not None and entry[0]() is tree:
        return entry[1]
    with _lock:
        entry = _cache.get(key)
        if entry is not None and entry[0]() is tree:
            return entry[1]
        index = build_index(tree)
        _cache[key] = (weakref.ref(tree, lambda _ref, key=key: _cache.pop(key, None)), index)
        return index
