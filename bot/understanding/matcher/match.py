"""A question → the topic it asks about, a short list to choose from, or nothing.

    question ─ skeletons ─┬─ terms ─┬─ known term ─────────────────── weight 1
                          │         └─ unknown: nearest content word ── weight similarity²
                          └─ character trigrams ──────────────────────── a 0.2 share
            ─ BM25F over the reader's language (then Russian, which many also type in)
            ─ decision: answer │ did you mean (top 3) │ nothing
              (the conversation's last topic wins a short follow-up question)

Pure functions over an immutable index; the handler turns the decision into a reply.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from bot.types import FALLBACK_LANGUAGE
from bot.understanding.matcher import bm25
from bot.understanding.matcher.index import LanguageIndex, MatcherIndex
from bot.understanding.matcher.normalize import skeletons
from bot.understanding.matcher.stem import ngrams, term
from bot.understanding.matcher.stopwords import follow_up_words, stop_words

Decision = Literal["answer", "didyoumean", "none"]


@dataclass(frozen=True)
class Thresholds:
    """When to answer, when to offer a choice, when to admit not understanding.

    Derived on the tune split of tests/data/questions.tsv by
    ``scripts/eval_matcher.py --grid``: a grid search for the best utility (a right answer
    +1, a "did you mean" holding the right topic +0.5, not understanding -0.5, a wrong
    answer -3), then, by the one-standard-error rule, the most cautious setting within
    one standard error of the best. Checked on the holdout split. Scores are in units of
    one rare word (see ``bm25.Index.unit``), so the values hold as the content grows:

    - ``floor``: a best score under it is "nothing" — one common word of a body, or one
      far-fetched typo correction, is not an answer — unless a word of the question names
      topics (is in titles or keywords): then it is "did you mean";
    - ``answer``: a best score at least this high may be answered directly …
    - ``gap``: … when the runner-up scores at least this much less (an absolute gap, not
      a ratio: the n-gram ranking gives every topic some background score, which
      squeezes ratios towards 1 but leaves differences alone);
    - ``coverage``: … and at least this share of the question's words are known to the
      content ("купить билет на самолёт" shares one word of three with a topic: a
      choice, not an answer);
    - ``context``: after a topic, a short question goes to that topic when it scores at
      least this share of the best ("где оплатить?" after the payment topic);
    - ``typo``: the least rapidfuzz ratio for a typo correction of an unknown word;
    - ``ngrams``: how much the character n-gram ranking adds to the word ranking.
    """

    floor: float = 1.5
    answer: float = 2.5
    gap: float = 0.3
    context: float = 0.7
    coverage: float = 2 / 3
    typo: float = 84.0
    ngrams: float = 0.2


DEFAULT = Thresholds()
#: A follow-up question is short: a longer one names its own subject.
SHORT_QUESTION = 3
_MIN_TYPO_WORD = 5  # shorter words have too many one-letter neighbours
# A question is a few words; a pasted page or an emoji storm must not cost seconds.
_MAX_WORDS = 40
_MAX_TYPO_LOOKUPS = 8


@dataclass(frozen=True)
class Match:
    decision: Decision
    ranked: tuple[tuple[str, float], ...]  # (topic id, score), best first, at most 3
    language: str  # the index that answered: the reader's, or Russian
    follow_up: bool = False  # answered from the conversation's last topic

    @property
    def topic(self) -> str | None:
        return self.ranked[0][0] if self.decision == "answer" and self.ranked else None

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(topic_id for topic_id, _ in self.ranked)


@dataclass(frozen=True)
class Query:
    terms: Mapping[str, float]  # term → weight
    grams: Mapping[str, float]  # character n-gram → weight
    content_words: int  # words left after stop words
    follow_up: bool  # had a "how much / where / when" word
    names_topic: bool = False  # a word, typed right, of some topic's title or keywords
    known_words: int = 0  # words the content knows, typed right or corrected

    @property
    def coverage(self) -> float:
        return self.known_words / self.content_words if self.content_words else 0.0


def closest_term(index: LanguageIndex, word: str, cutoff: float) -> tuple[str, float] | None:
    """The term of the content word nearest to a mistyped one (rapidfuzz's normalised
    Indel similarity), among words one letter longer or shorter, and that similarity."""
    if len(word) < _MIN_TYPO_WORD:
        return None
    best: tuple[str, float] | None = None
    for length in (len(word), len(word) - 1, len(word) + 1):
        found = process.extractOne(word, index.words.get(length, ()),
                                   scorer=fuzz.ratio, score_cutoff=cutoff)
        if found is not None and (best is None or found[1] > best[1]):
            best = (found[0], found[1])
    if best is None:
        return None
    return index.word_terms[best[0]], best[1]


def parse(index: LanguageIndex, text: str, thresholds: Thresholds = DEFAULT) -> Query:
    language = index.language
    stops, follow = stop_words(language), follow_up_words(language)
    weights: dict[str, float] = {}
    grams: dict[str, float] = {}
    content_words = 0
    follow_up = False
    lookups = 0
    names_topic = False
    known = 0
    for word in skeletons(text, language)[:_MAX_WORDS]:
        word_term = term(word, language)
        if word_term in follow:
            follow_up = True
        if word_term in stops:
            continue
        content_words += 1
        for gram in ngrams(word, language):
            grams[gram] = 1.0
        if index.knows(word_term):
            weights[word_term] = max(weights.get(word_term, 0.0), 1.0)
            names_topic = names_topic or word_term in index.headline
            known += 1
            continue
        lookups += 1
        if lookups <= _MAX_TYPO_LOOKUPS and (
            near := closest_term(index, word, thresholds.typo)
        ) is not None:
            # a corrected word is weaker evidence than one typed right: 85 → 0.72
            weights[near[0]] = max(weights.get(near[0], 0.0), (near[1] / 100.0) ** 2)
            known += 1
    return Query(weights, grams, content_words, follow_up, names_topic, known)


def rank(index: LanguageIndex, query: Query, thresholds: Thresholds = DEFAULT,
         top: int = 3, keep: str | None = None) -> tuple[tuple[str, float], ...]:
    """Word-term BM25F plus a share of character n-gram BM25F, best first; the topic
    ``keep`` (the conversation's last) is appended when it scored but is not in the top."""
    scores = bm25.score(index.ranking, query.terms)
    if query.terms and thresholds.ngrams:
        # n-grams only reinforce a question that has at least one word the content knows;
        # alone they would find a "topic" in any sequence of letters
        for topic_id, value in bm25.score(index.grams, query.grams).items():
            scores[topic_id] = scores.get(topic_id, 0.0) + thresholds.ngrams * value
    best = heapq.nsmallest(top, scores.items(), key=lambda item: (-item[1], item[0]))
    if keep in scores and all(topic_id != keep for topic_id, _ in best):
        best.append((keep, scores[keep]))
    return tuple(best)


def decide(ranked: tuple[tuple[str, float], ...], query: Query, last_topic: str | None,
           thresholds: Thresholds) -> tuple[Decision, tuple[tuple[str, float], ...], bool]:
    """The decision for ranked scores; a short question may lean on the last topic.

    ``ranked`` may hold the last topic after the top three; what is returned holds three."""
    scores = dict(ranked)
    top = ranked[:3]
    others = tuple(item for item in ranked if item[0] != last_topic)[:2]
    leaning = ((last_topic, scores.get(last_topic, 0.0)), *others) if last_topic else top
    best = ranked[0][1] if ranked else 0.0
    # the topic just shown holds its own against the best for this question
    holds = bool(last_topic) and scores.get(last_topic or "", 0.0) >= thresholds.context * best
    if not ranked or best < thresholds.floor:
        if last_topic and query.follow_up and query.content_words <= 1 and (
            not query.names_topic or holds
        ):
            # "сколько стоит?", "а дней?" — nothing but a question word, or a word of
            # the topic just shown; "элчихона қаерда?" after another topic is not that
            return "answer", leaning, True
        if ranked and query.names_topic:
            # "патент" alone is in many topics, so it scores low, yet it is no stranger
            return "didyoumean", top, False
        return "none", top, False
    if last_topic and query.content_words <= SHORT_QUESTION and holds:
        return "answer", leaning, last_topic != ranked[0][0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if (best >= thresholds.answer and best - runner_up >= thresholds.gap
            and query.coverage >= thresholds.coverage - 1e-9):
        return "answer", top, False
    return "didyoumean", top, False


Candidate = tuple[str, Query, tuple[tuple[str, float], ...]]  # language, query, ranking


def candidates(index: MatcherIndex, text: str, language: str,
               thresholds: Thresholds = DEFAULT,
               last_topic: str | None = None) -> list[Candidate]:
    """The question ranked in the reader's language, then in Russian (which many type in)."""
    out = []
    for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        lang_index = index.get(lang)
        query = parse(lang_index, text, thresholds)
        out.append((lang, query, rank(lang_index, query, thresholds, keep=last_topic)))
    return out


def choose(ranked_by_language: list[Candidate], last_topic: str | None,
           thresholds: Thresholds = DEFAULT) -> Match:
    """The first language whose ranking understands the question decides."""
    first: Match | None = None
    for lang, query, ranked in ranked_by_language:
        decision, ranked, follow_up = decide(ranked, query, last_topic, thresholds)
        found = Match(decision, ranked, lang, follow_up)
        if decision != "none":
            return found
        first = first or found
    assert first is not None
    return first


def match(index: MatcherIndex, text: str, language: str, last_topic: str | None = None,
          thresholds: Thresholds = DEFAULT) -> Match:
    """Understand a typed question in the reader's language, or else in Russian.

    The same as ``choose(candidates(…))``, but Russian is ranked only when needed. A
    question asked before is answered from ``index.answers``."""
    key = (text, language, last_topic, thresholds)
    found = index.answers.get(key)
    if found is None:
        found = _match(index, text, language, last_topic, thresholds)
        index.remember(key, found)
    return found


def _match(index: MatcherIndex, text: str, language: str, last_topic: str | None,
           thresholds: Thresholds) -> Match:
    first: Match | None = None
    for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        lang_index = index.get(lang)
        query = parse(lang_index, text, thresholds)
        ranked = rank(lang_index, query, thresholds, keep=last_topic)
        found = choose([(lang, query, ranked)], last_topic, thresholds)
        if found.decision != "none":
            return found
        first = first or found
    assert first is not None
    return first
