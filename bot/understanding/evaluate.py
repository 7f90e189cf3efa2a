"""How well questions are understood, on a labelled set (tests/data/questions.tsv).

Each question goes the way a message goes: danger words first (``danger``), then the
decision of ``understand`` with the conversation's last topic. Used by
scripts/eval_matcher.py, which prints the tables and searches thresholds on the tune
split, and by tests/test_matcher.py, which guards the figures on the holdout split.

What a person gets, by outcome:

- *answered*: the right topic at once (or, for a question the bot does not cover,
  "not understood"; for an emergency, the emergency answer);
- *offered*: the right topic among the choices of a "did you mean", or as the button
  under an emergency answer — one more tap (one more paid SMS);
- *wrong*: another topic's answer at once — the reader may act on it;
- *not understood*: the menu.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import ROOT
from bot.content.model import ContentTree
from bot.understanding.danger import is_emergency
from bot.understanding.matcher.index import MatcherIndex
from bot.understanding.model import Model
from bot.understanding.understand import DEFAULT, Thresholds, decide

QUESTIONS = ROOT / "tests" / "data" / "questions.tsv"
NOT_COVERED = "-"  # the expected "topic" of a question the bot should not pretend to know
EMERGENCY_TOPIC = "help.emergency"
STYLES = ("clean", "typo", "latin-typed", "mixed", "sms", "long", "emergency")


@dataclass(frozen=True)
class Question:
    text: str
    language: str
    expected: str
    split: str  # "tune" or "holdout"
    context: str | None  # the topic shown just before, if any
    style: str = "clean"


@dataclass(frozen=True)
class Outcome:
    question: Question
    decision: str  # "emergency", "answer", "didyoumean" or "none"
    shown: tuple[str, ...]  # the topics offered, best first

    @property
    def answered(self) -> bool:
        """Answered at once with the right thing."""
        expected = self.question.expected
        if expected == NOT_COVERED:
            return self.decision == "none"
        if expected == EMERGENCY_TOPIC:
            return self.decision == "emergency"
        return self.decision == "answer" and self.shown[:1] == (expected,)

    @property
    def offered(self) -> bool:
        """The right topic at least among what was shown (answered counts too)."""
        if self.answered:
            return True
        if self.question.expected == NOT_COVERED or self.decision == "none":
            return False
        if self.decision == "answer":
            return False
        return self.question.expected in self.shown[:3]

    @property
    def wrong(self) -> bool:
        """Another topic's answer at once: the costly mistake."""
        if self.answered:
            return False
        if self.decision == "answer":
            return True
        # an emergency answer shows the numbers and the related topic as a button: for a
        # question about that topic it is a choice, otherwise a wrong answer
        return self.decision == "emergency" and not self.offered

    @property
    def not_understood(self) -> bool:
        return self.decision == "none" and not self.answered

    @property
    def got(self) -> str:
        if self.decision == "emergency":
            return EMERGENCY_TOPIC
        if self.decision == "none" or not self.shown:
            return NOT_COVERED
        return self.shown[0]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Question(r["question"], r["language"], r["expected"], r["split"],
                         r.get("context") or None, r.get("style") or "clean") for r in rows]


def outcome(question: Question, index: MatcherIndex, model: Model | None,
            thresholds: Thresholds = DEFAULT) -> Outcome:
    found = decide(index, model, question.text, question.language, question.context,
                   thresholds)
    if is_emergency(question.text) or found.topic == EMERGENCY_TOPIC:
        # what the emergency reply shows: the numbers, then the related topic as a button
        related = next((t for t in found.choices if t != EMERGENCY_TOPIC), None)
        return Outcome(question, "emergency", (EMERGENCY_TOPIC, *((related,) if related
                                                                  else ())))
    return Outcome(question, found.decision, found.choices)


def evaluate(index: MatcherIndex, model: Model | None, questions: Iterable[Question],
             thresholds: Thresholds = DEFAULT) -> list[Outcome]:
    return [outcome(q, index, model, thresholds) for q in questions]


def utility(outcomes: Iterable[Outcome]) -> float:
    """What the thresholds are tuned for: a right answer is worth most, a wrong answer
    costs three times that (the reader may act on it, and stops trusting the bot), a
    choice that holds the right topic is worth half (one more tap, one more paid SMS),
    not understanding a real question costs half. A missed emergency costs as much as
    three wrong answers."""
    total = 0.0
    for o in outcomes:
        if o.answered:
            total += 1.0
        elif o.question.expected == EMERGENCY_TOPIC:
            total -= 9.0 if not o.offered else 3.0
        elif o.wrong:
            total -= 3.0
        elif o.offered:
            total += 0.5
        else:
            total -= 0.5
    return total


@dataclass(frozen=True)
class Row:
    split: str
    language: str
    style: str
    n: int
    answered: float
    offered: float
    wrong: int
    not_understood: int


def rows(outcomes: Sequence[Outcome], by_style: bool = False) -> list[Row]:
    """Figures per split and language (and style): the share answered at once, the
    share with the right topic at least offered, wrong answers, not understood."""
    out = []
    for split in ("tune", "holdout", "all"):
        chosen = [o for o in outcomes if split in ("all", o.question.split)]
        languages = sorted({o.question.language for o in chosen})
        styles = [s for s in STYLES if any(o.question.style == s for o in chosen)]
        for language in (*languages, "all"):
            for style in ((*styles, "all") if by_style else ("all",)):
                part = [o for o in chosen if language in ("all", o.question.language)
                        and style in ("all", o.question.style)]
                if not part:
                    continue
                n = len(part)
                out.append(Row(split, language, style, n,
                               sum(o.answered for o in part) / n,
                               sum(o.offered for o in part) / n,
                               sum(o.wrong for o in part),
                               sum(o.not_understood for o in part)))
    return out


def confusions(outcomes: Iterable[Outcome]) -> Counter[tuple[str, str]]:
    """(expected, given) for every wrong answer, most frequent first."""
    return Counter((o.question.expected, o.got) for o in outcomes if o.wrong)


def content_tree(directory: Path | None = None) -> ContentTree:
    from bot.content.loader import load_content

    return load_content(directory or ROOT / "content")
