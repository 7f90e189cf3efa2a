"""How well typed questions are understood, per language and style, tune and holdout apart.

    .venv/bin/python scripts/eval_matcher.py               # the table per language
    .venv/bin/python scripts/eval_matcher.py --styles      # … and per style
    .venv/bin/python scripts/eval_matcher.py --misses      # every question not answered
    .venv/bin/python scripts/eval_matcher.py --keywords    # the keyword matcher alone
    .venv/bin/python scripts/eval_matcher.py --grid        # search settings (tune split)

Settings are searched on the tune split only; the holdout split is printed apart so that
tuning cannot flatter it. The classifier is trained here, in this process, on the
content's examples, titles and keywords, as the service trains it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.understanding.evaluate import (
    QUESTIONS,
    confusions,
    content_tree,
    evaluate,
    load_questions,
    rows,
    utility,
)
from bot.understanding.matcher import build_index
from bot.understanding.model import Model, samples_of
from bot.understanding.train import DEFAULT_PARAMS, Params, train
from bot.understanding.understand import DEFAULT, Thresholds


def print_rows(outcomes, by_style: bool) -> None:
    print(f"{'split':8} {'language':9} {'style':12} {'n':>4} {'at once':>8} {'offered':>8} "
          f"{'wrong':>6} {'none':>5}")
    for r in rows(outcomes, by_style):
        print(f"{r.split:8} {r.language:9} {r.style:12} {r.n:4d} {r.answered:8.1%} "
              f"{r.offered:8.1%} {r.wrong:6d} {r.not_understood:5d}")


def grid(tree, index, questions, c_values: tuple[float, ...]) -> None:
    """Settings for the best utility on the tune split: the model's regularisation, then
    the decision's probabilities; among equals, the one answering the most questions at
    once, then sounding the alarm earliest, then the more cautious.

    Until December 2026 the rule took the most answering setting within one standard
    error of the best; the error, about 9 points over 785 questions, is wider than the
    gaps between settings, so that rule always took the boldest setting and the utility,
    with its threefold price of a wrong answer, decided nothing. The emergency threshold
    is not raised above 0.15: a missed emergency costs more than any utility measures."""
    tune = [q for q in questions if q.split == "tune"]
    samples = samples_of(tree)
    results = []
    for c in c_values:
        model = Model(train(samples, Params(c=c)))
        for answer, margin, offer, emergency, unrelated in itertools.product(
            (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7),
            (0.0, 0.1, 0.2, 0.3),
            (0.05, 0.1, 0.15),
            (0.1, 0.15),
            (0.3, 0.4, 0.5),
        ):
            thresholds = Thresholds(answer, offer, emergency, unrelated, margin)
            outcomes = evaluate(index, model, tune, thresholds)
            each = [utility([o]) for o in outcomes]
            answered = sum(o.answered for o in outcomes)
            results.append((sum(each), each, c, thresholds, answered))
        print(f"C={c}: best so far {max(r[0] for r in results):.1f}", flush=True)
    best_total, best_each, _, _, _ = max(results, key=lambda r: r[0])
    n = len(best_each)
    mean = best_total / n
    error = (sum((u - mean) ** 2 for u in best_each) / (n - 1)) ** 0.5 * n ** 0.5
    chosen = max(results, key=lambda r: (round(r[0], 6), r[4], -r[3].emergency, r[3].answer))
    for total, _, c, thresholds, answered in sorted(results, key=lambda r: -r[0])[:8]:
        print(f"  {total:.1f} ({answered} at once): C={c}, {thresholds}")
    print(f"best utility {best_total:.1f} ± {error:.1f} over {n} questions; chosen "
          f"{chosen[0]:.1f} ({chosen[4]} answered at once): C={chosen[2]}, {chosen[3]}")
    print(f"now in code: C={DEFAULT_PARAMS.c}, {DEFAULT}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=None, help="content folder")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--styles", action="store_true", help="a row per style too")
    parser.add_argument("--misses", action="store_true", help="list what was not answered")
    parser.add_argument("--keywords", action="store_true",
                        help="the keyword matcher alone (the service before the classifier)")
    parser.add_argument("--grid", action="store_true", help="search settings (tune split)")
    parser.add_argument("--c", type=float, nargs="*", default=[DEFAULT_PARAMS.c],
                        help="with --grid: the regularisation values to try")
    args = parser.parse_args()
    tree = content_tree(args.content)
    questions = load_questions(args.questions)
    index = build_index(tree)
    if args.grid:
        grid(tree, index, questions, tuple(args.c))
        return 0
    model = None
    if not args.keywords:
        start = time.perf_counter()
        model = Model(train(samples_of(tree)))
        print(f"classifier trained in {time.perf_counter() - start:.1f} s on "
              f"{len(samples_of(tree))} samples, {len(model.data.vocabulary)} features")
    outcomes = evaluate(index, model, questions)
    print_rows(outcomes, args.styles)
    print("\nwrong answers (expected → given), holdout:")
    for (expected, got), n in confusions(
            o for o in outcomes if o.question.split == "holdout").most_common(15):
        print(f"  {n:3d}  {expected} → {got}")
    if args.misses:
        print()
        for o in outcomes:
            if not o.answered:
                q = o.question
                print(f"[{q.split}] {q.language:7} {q.style:11} {q.text!r}: expected "
                      f"{q.expected}, got {o.decision} {list(o.shown)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
