"""BM25F ranking (Robertson & Zaragoza, "The Probabilistic Relevance Framework", 2009).

Each document has fields (title, keywords, body); a term's frequency in each field is
length-normalised, weighted by the field's weight, summed into one pseudo-frequency and
saturated once with ``k1``. Everything that does not depend on the question is computed
when the index is built, so ranking a question is a few dictionary lookups per word.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Document:
    key: str
    fields: Mapping[str, Sequence[str]]  # field name → its terms, in order


@dataclass(frozen=True)
class Params:
    """The textbook defaults (k1 = 1.2, b = 0.75) and field weights from the tune split:
    a word of the title or of the NGO's keywords says more about the topic than one of
    the body, which also mentions neighbouring topics (scripts/eval_matcher.py --grid)."""

    k1: float = 1.2
    b: float = 0.75
    weights: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"title": 3.0, "keywords": 3.0, "body": 1.0})
    )


@dataclass(frozen=True)
class Index:
    keys: tuple[str, ...]
    # term → ((document number, that term's whole BM25F contribution), …)
    postings: Mapping[str, tuple[tuple[int, float], ...]]
    # the idf of a term found in one document only: scores divided by it read "about so
    # many rare words' worth", the same whether the content has 4 topics or 1,000
    unit: float = 1.0


def idf(documents: int, containing: int) -> float:
    """BM25's inverse document frequency, kept positive (the Lucene form)."""
    return math.log(1.0 + (documents - containing + 0.5) / (containing + 0.5))


def build(documents: Sequence[Document], params: Params | None = None) -> Index:
    params = params or Params()
    names = sorted({name for doc in documents for name in doc.fields})
    average = {
        name: (sum(len(doc.fields.get(name, ())) for doc in documents) / len(documents)) or 1.0
        for name in names
    } if documents else {}
    pseudo: dict[str, dict[int, float]] = defaultdict(dict)
    for number, doc in enumerate(documents):
        for name, terms in doc.fields.items():
            weight = params.weights.get(name, 1.0)
            norm = 1.0 - params.b + params.b * len(terms) / average[name]
            for term, count in Counter(terms).items():
                by_doc = pseudo[term]
                by_doc[number] = by_doc.get(number, 0.0) + weight * count / norm
    postings: dict[str, tuple[tuple[int, float], ...]] = {}
    for term, by_doc in pseudo.items():
        term_idf = idf(len(documents), len(by_doc))
        postings[term] = tuple(
            (number, term_idf * tf * (params.k1 + 1.0) / (params.k1 + tf))
            for number, tf in by_doc.items()
        )
    return Index(keys=tuple(doc.key for doc in documents), postings=MappingProxyType(postings),
                 unit=idf(len(documents), 1) if documents else 1.0)


def score(index: Index, terms: Mapping[str, float]) -> dict[str, float]:
    """Each document's score for weighted query terms (weight 1 = the word as typed), in
    units of ``index.unit``."""
    totals: dict[int, float] = defaultdict(float)
    for term, weight in terms.items():
        for number, contribution in index.postings.get(term, ()):
            totals[number] += weight * contribution
    return {index.keys[number]: total / index.unit for number, total in totals.items()}
