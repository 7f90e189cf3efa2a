"""Accuracy of the matcher on a labelled set of questions (tests/data/questions.tsv).

Each question goes the way a message goes: danger words first (``bot.understanding.danger``),
then the matcher with the conversation's last topic. Used by scripts/eval_matcher.py,
which prints the table and searches thresholds, and by tests/test_matcher.py, which
guards the accuracy.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import ROOT
from bot.content.model import ContentTree
from bot.understanding.matcher.index import MatcherIndex
from bot.understanding.matcher.match import DEFAULT, Candidate, Thresholds, candidates, choose

QUESTIONS = ROOT / "tests" / "data" / "questions.tsv"
NOT_COVERED = "-"  # the expected "topic" of a question the bot should not pretend to know
EMERGENCY_TOPIC = "help.emergency"


@dataclass(frozen=True)
class Question:
    text: str
    language: str
    expected: str
    split: str  # "tune" or "holdout"
    context: str | None  # the topic shown just before, if any


@dataclass(frozen=True)
class Outcome:
    question: Question
    decision: str  # "emergency", "answer", "didyoumean" or "none"
    shown: tuple[str, ...]  # the topics offered, best first

    @property
    def top1(self) -> bool:
        if self.question.expected == NOT_COVERED:
            return self.decision == "none"
        return bool(self.shown) and self.decision != "none" \
            and self.shown[0] == self.question.expected

    @property
    def top3(self) -> bool:
        if self.question.expected == NOT_COVERED:
            return self.decision == "none"
        return self.decision != "none" and self.question.expected in self.shown[:3]

    @property
    def answered(self) -> bool:
        """Answered at once with the right topic (no "did you mean" step)."""
        return self.top1 and self.decision in ("answer", "emergency", "none")

    @property
    def wrong_answer(self) -> bool:
        return self.decision in ("answer", "emergency") and not self.top1


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Question(r["question"], r["language"], r["expected"], r["split"],
                         r.get("context") or None) for r in rows]


@dataclass(frozen=True)
class Prepared:
    """A question ranked once; thresholds can then be tried on it cheaply."""

    question: Question
    emergency: bool
    ranked: list[Candidate]


def prepare(index: MatcherIndex, questions: Iterable[Question],
            thresholds: Thresholds = DEFAULT) -> list[Prepared]:
    from bot.understanding.danger import is_emergency

    return [Prepared(q, is_emergency(q.text),
                     candidates(index, q.text, q.language, thresholds, q.context))
            for q in questions]


def outcome(item: Prepared, thresholds: Thresholds = DEFAULT) -> Outcome:
    found = choose(item.ranked, item.question.context, thresholds)
    if item.emergency:
        # what the emergency reply shows: the numbers, then the related topic as a button
        related = next((t for t in found.choices if t != EMERGENCY_TOPIC), None)
        shown = (EMERGENCY_TOPIC, *((related,) if related else ()))
        return Outcome(item.question, "emergency", shown)
    return Outcome(item.question, found.decision, found.choices)


def evaluate(index: MatcherIndex, questions: Sequence[Question],
             thresholds: Thresholds = DEFAULT) -> list[Outcome]:
    return [outcome(p, thresholds) for p in prepare(index, questions, thresholds)]


def utility(outcomes: Iterable[Outcome]) -> float:
    """What the thresholds are tuned for: a right answer is worth most, a wrong answer
    costs three times that (the reader may act on it, and stops trusting the bot), a "did
    you mean" that holds the right topic is worth half (one more tap), not understanding
    a real question costs half."""
    total = 0.0
    for o in outcomes:
        if o.question.expected == NOT_COVERED:
            total += {"none": 1.0, "didyoumean": -0.5}.get(o.decision, -1.0)
        elif o.decision in ("answer", "emergency"):
            total += 1.0 if o.top1 else -3.0
        elif o.decision == "didyoumean":
            total += 0.5 if o.top3 else -0.5
        else:
            total -= 0.5
    return total


def table(outcomes: Sequence[Outcome]) -> list[tuple[str, str, int, float, float, float, int]]:
    """Rows of (split, language, n, top-1, top-3, answered at once, wrong answers)."""
    rows = []
    for split in ("tune", "holdout", "all"):
        chosen = [o for o in outcomes if split in ("all", o.question.split)]
        languages = sorted({o.question.language for o in chosen})
        for language in (*languages, "all"):
            part = [o for o in chosen if language in ("all", o.question.language)]
            if not part:
                continue
            n = len(part)
            rows.append((split, language, n, sum(o.top1 for o in part) / n,
                         sum(o.top3 for o in part) / n, sum(o.answered for o in part) / n,
                         sum(o.wrong_answer for o in part)))
    return rows


def content_tree(directory: Path | None = None) -> ContentTree:
    from bot.content.loader import load_content

    return load_content(directory or ROOT / "content")
