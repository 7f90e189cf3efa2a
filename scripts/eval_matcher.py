"""Top-1 and top-3 accuracy of the free-text matcher, per language, tune and holdout apart.

    .venv/bin/python scripts/eval_matcher.py              # the table
    .venv/bin/python scripts/eval_matcher.py --misses     # and every question it got wrong
    .venv/bin/python scripts/eval_matcher.py --grid       # search thresholds on the tune split

Thresholds are searched on the tune split only; the holdout split is printed apart so
that tuning cannot flatter it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.understanding.matcher import DEFAULT, bm25, build_index
from bot.understanding.matcher.evaluate import (
    QUESTIONS,
    content_tree,
    evaluate,
    load_questions,
    outcome,
    prepare,
    table,
    utility,
)


def print_table(outcomes: list) -> None:
    print(f"{'split':8} {'language':9} {'n':>4} {'top-1':>7} {'top-3':>7} "
          f"{'at once':>8} {'wrong':>6}")
    for split, language, n, top1, top3, answered, wrong in table(outcomes):
        print(f"{split:8} {language:9} {n:4d} {top1:7.1%} {top3:7.1%} {answered:8.1%} "
              f"{wrong:6d}")


def grid(tree, questions) -> None:
    """Two steps on the tune split: the ranking's knobs (field weights, n-gram share, typo
    cut-off) by top-1 accuracy, then the decision thresholds by utility."""
    tune = [q for q in questions if q.split == "tune"]
    ranking_best = None
    for weights, ngram_share, typo in itertools.product(
        ((2.0, 2.0), (3.0, 3.0), (5.0, 5.0), (3.0, 5.0), (8.0, 8.0)),
        (0.0, 0.1, 0.2, 0.3),
        (80.0, 84.0, 88.0),
    ):
        params = bm25.Params(weights=MappingProxyType(
            {"title": weights[0], "keywords": weights[1], "body": 1.0}))
        index = built(tree, params)
        knobs = replace(DEFAULT, ngrams=ngram_share, typo=typo)
        # ranking quality alone: no floor, so every question counts by its first topic
        outcomes = [outcome(p, replace(knobs, floor=0.0)) for p in prepare(index, tune, knobs)]
        top1 = sum(o.top1 for o in outcomes if o.question.expected != "-")
        key = (top1, -abs(ngram_share - DEFAULT.ngrams), -abs(typo - DEFAULT.typo))
        if ranking_best is None or key > ranking_best[0]:
            ranking_best = (key, params, knobs)
    assert ranking_best is not None
    _, params, knobs = ranking_best
    print(f"ranking: {dict(params.weights)}, ngrams={knobs.ngrams}, typo={knobs.typo} "
          f"(top-1 {ranking_best[0][0]} of {sum(q.expected != '-' for q in tune)})")
    prepared = prepare(built(tree, params), tune, knobs)
    results = []
    for floor, answer, gap, context, coverage in itertools.product(
        (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0),
        (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0),
        (0.1, 0.2, 0.3, 0.5, 0.75, 1.0),
        (0.2, 0.4, 0.7),
        (0.0, 1 / 3, 0.5, 2 / 3, 0.75),
    ):
        if answer < floor:
            continue
        thresholds = replace(knobs, floor=floor, answer=answer, gap=gap, context=context,
                             coverage=coverage)
        each = [utility([outcome(p, thresholds)]) for p in prepared]
        results.append((sum(each), each, thresholds))
    # The one-standard-error rule (Breiman et al., 1984): among settings whose utility is
    # within one standard error of the best, take the most cautious (largest gap, then
    # answer threshold, coverage, context share; then utility). The tune split is the data the
    # stems and stop words were shaped on, so its best is optimistic about new questions.
    best_total, best_each, _ = max(results, key=lambda r: r[0])
    n = len(best_each)
    mean = best_total / n
    error = (sum((u - mean) ** 2 for u in best_each) / (n - 1)) ** 0.5 * n ** 0.5
    eligible = [r for r in results if r[0] >= best_total - error]
    chosen = max(eligible, key=lambda r: (r[2].gap, r[2].answer, r[2].coverage,
                                          r[2].context, r[0]))
    print(f"best utility {best_total:.1f} ± {error:.1f} over {n} questions; chosen "
          f"{chosen[0]:.1f}: {chosen[2]}")
    print(f"now in code: {DEFAULT}, {dict(bm25.Params().weights)}")


_built: dict = {}


def built(tree, params):
    key = tuple(sorted(params.weights.items()))
    if key not in _built:
        _built[key] = build_index(tree, params)
    return _built[key]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=None, help="content folder")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--misses", action="store_true", help="list the questions missed")
    parser.add_argument("--grid", action="store_true", help="search thresholds (tune split)")
    args = parser.parse_args()
    tree = content_tree(args.content)
    questions = load_questions(args.questions)
    if args.grid:
        grid(tree, questions)
        return 0
    index = build_index(tree)
    outcomes = evaluate(index, questions)
    print_table(outcomes)
    if args.misses:
        print()
        for o in outcomes:
            if not o.top1:
                q = o.question
                print(f"[{q.split}] {q.language:7} {q.text!r}: expected {q.expected}, "
                      f"got {o.decision} {list(o.shown)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
