"""How long the emergency check takes per question: ``is_emergency`` (phrases looked up by
their first word) beside the plain algorithm it replaced (every phrase tried at every
word, kept in ``tests/test_emergency.py`` as the reference), and beside folding the words
alone (``skeletons`` twice, which both must do), all measured in the same run.

    .venv/bin/python bench/bench_emergency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.understanding.danger import is_emergency
from bot.understanding.evaluate import load_questions
from bot.understanding.matcher.normalize import skeletons
from tests.test_emergency import _reference


def per_question(function: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """The best of ``rounds`` passes over all texts, in seconds per text."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, time.perf_counter() - start)
    return best / len(texts)


def fold_only(text: str) -> None:
    skeletons(text, "ru")
    skeletons(text, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    texts = [q.text for q in load_questions()]
    assert [is_emergency(t) for t in texts] == [_reference(t) for t in texts]
    is_emergency(texts[0])  # build the phrase index before timing
    reference = per_question(_reference, texts, args.rounds)
    indexed = per_question(is_emergency, texts, args.rounds)
    folding = per_question(fold_only, texts, args.rounds)
    print(f"{len(texts)} questions of tests/data/questions.tsv, best of {args.rounds} rounds")
    print(f"reference (every phrase at every word): {reference * 1000:.4f} ms/question")
    print(f"is_emergency (phrase index):            {indexed * 1000:.4f} ms/question"
          f"  ({reference / indexed:.1f}x faster)")
    print(f"of which folding the words (skeletons): {folding * 1000:.4f} ms/question")


if __name__ == "__main__":
    main()
