"""How long understanding a question takes: the keyword matcher and the classifier's
whole decision (``understand.decide``), with the shipped content and with 1,000
generated topics. Each is quoted beside a baseline measured in the same run
(lower-casing the question and one dictionary look-up), so machines of different speed
compare. Every question is asked once per round, and the models' memory of answered
questions is emptied before each round: what is timed is the work, not the memory.

    .venv/bin/python bench/bench_matcher.py [--rounds 5] [--topics 1000]

Targets (issue 14): under 2 ms per question, with the shipped content and with 1,000
topics; the classifier trains in seconds for the shipped content.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from pathlib import Path
from types import MappingProxyType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content.model import ContentTree, Module, TopicText
from bot.types import LANGUAGES
from bot.understanding.evaluate import content_tree, load_questions
from bot.understanding.matcher import build_index, match
from bot.understanding.matcher.index import MatcherIndex
from bot.understanding.model import Model, samples_of
from bot.understanding.train import DEFAULT_PARAMS, Params, train
from bot.understanding.understand import decide


def generated_tree(base: ContentTree, topics: int, seed: int = 7,
                   languages: tuple[str, ...] = LANGUAGES) -> ContentTree:
    """``topics`` topics per language whose words are drawn from the real content (so the
    questions find plenty of partial matches) plus made-up words (a larger vocabulary)."""
    rng = random.Random(seed)
    texts: dict[tuple[str, str], TopicText] = {}
    ids = [f"gen.topic-{n}" for n in range(topics)]
    for language in languages:
        real = [w for t in base.texts_in(language) for w in f"{t.title} {t.body}".split()]
        real = real or ["patent"]
        made_up = ["".join(rng.choice("abdefgiklmnoprstuvyz") for _ in range(rng.randint(4, 10)))
                   for _ in range(5000)]

        def words(n: int, real: list[str] = real, made_up: list[str] = made_up) -> str:
            return " ".join(rng.choice(real) if rng.random() < 0.5 else rng.choice(made_up)
                            for _ in range(n))

        for topic_id in ids:
            texts[(topic_id, language)] = TopicText(
                topic_id=topic_id, language=language, title=words(5), body=words(250),
                sms="", keywords=tuple(words(2) for _ in range(12)), sources=(),
                reviewed=None)
    modules = (Module("gen", MappingProxyType({"ru": "gen"}), tuple(ids)),)
    return ContentTree(modules=modules, texts=MappingProxyType(texts))


def per_question(function, questions: list[tuple[str, str]], rounds: int,
                 forget=lambda: None) -> float:
    """The best of ``rounds`` passes over all questions, in seconds per question."""
    best = float("inf")
    for _ in range(rounds):
        forget()
        start = time.perf_counter()
        for text, language in questions:
            function(text, language)
        best = min(best, (time.perf_counter() - start) / len(questions))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--topics", type=int, default=1000)
    args = parser.parse_args()
    questions = [(q.text, q.language) for q in load_questions()]
    lookup = {text.lower(): language for text, language in questions}

    def baseline(text: str, language: str) -> object:
        return lookup.get(text.lower())

    base_time = per_question(baseline, questions, args.rounds)
    print(f"{len(questions)} questions, best of {args.rounds} rounds")
    print(f"baseline (str.lower + dict lookup): {base_time * 1e6:8.2f} µs/question")

    shipped = content_tree()
    cases = (
        ("shipped content", shipped, DEFAULT_PARAMS),
        # the classifier learns the generated topics in Russian only, with its features
        # capped and the low-memory solver (Params' docstring): 1,000 topics × 5
        # languages would need gigabytes to train and tells nothing more about matching
        (f"{args.topics} generated topics", generated_tree(shipped, args.topics),
         Params(max_features=20_000, solver="saga", max_iter=15)),
    )
    for label, tree, params in cases:
        start = time.perf_counter()
        index: MatcherIndex = build_index(tree)
        built = time.perf_counter() - start

        def keywords(text: str, language: str, index: MatcherIndex = index) -> object:
            return match(index, text, language)

        spent = per_question(keywords, questions, args.rounds, index.answers.clear)
        topics = len({key[0] for key in tree.texts})
        print(f"{label:24} ({topics:4d} topics) keyword matcher: {spent * 1e3:7.3f} "
              f"ms/question = {spent / base_time:8.0f} × baseline; index built in "
              f"{built:.2f} s")
        learn = tree if label == "shipped content" else generated_tree(
            shipped, args.topics, languages=("ru",))
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # saga's few passes "do not converge": fine here
            model = Model(train(samples_of(learn), params))
        trained = time.perf_counter() - start

        def understood(text: str, language: str, index: MatcherIndex = index,
                       model: Model = model) -> object:
            return decide(index, model, text, language)

        spent = per_question(understood, questions, args.rounds,
                             lambda index=index, model=model: (index.answers.clear(),
                                                               model.answers.clear()))
        print(f"{label:24} ({topics:4d} topics) classifier:      {spent * 1e3:7.3f} "
              f"ms/question = {spent / base_time:8.0f} × baseline; trained in "
              f"{trained:.1f} s, weights {model.data.weights.nbytes / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
