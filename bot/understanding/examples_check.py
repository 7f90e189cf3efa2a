"""What ``content check`` says about the ``examples:`` of the topics.

- a topic with too few examples in a language (the classifier learns each topic from
  them: with a handful it answers that language's questions by chance);
- examples that cannot make a model at all (none, or a single topic);
- an example that a model trained *without it* gives to another topic: the usual sign
  of two topics that overlap, or of an example written in the wrong file. Each example
  is left out once (k-fold), so no example vouches for itself.

All of these are warnings: the service still answers, with the keyword matcher where no
model can be trained.
"""

from __future__ import annotations

import random
from collections import defaultdict

from bot.content.loader import Problem
from bot.content.model import ContentTree
from bot.understanding.model import Model, samples_of
from bot.understanding.train import TrainingError, train

#: Fewest examples of a topic per language before the check warns.
MIN_EXAMPLES = {"ru": 30, "ky": 30, "tg": 30, "uz": 30, "uz-Cyrl": 10}
FOLDS = 4
#: A left-out example given to another topic with at least this probability is listed.
CONFUSED = 0.5


def too_few(tree: ContentTree) -> list[Problem]:
    problems = []
    for topic_id in tree.topic_ids:
        for language, least in MIN_EXAMPLES.items():
            text = tree.texts.get((topic_id, language))
            if text is None or text.path is None:
                continue  # a missing translation is reported elsewhere
            if len(text.examples) < least:
                source = "the Uzbek Latin file (transliterated)" if text.derived else "this file"
                problems.append(Problem(
                    text.path, text.line_of("examples") if text.examples else 2,
                    f"{len(text.examples)} example questions in {language} (at least {least} "
                    f"help the bot understand this topic): add questions as people type "
                    f"them to 'examples:' in {source}",
                    severity="warning", code="examples-few", language=language))
    return problems


def confused(tree: ContentTree, folds: int = FOLDS, seed: int = 7) -> list[Problem]:
    """Examples that a model trained without them gives to another topic; raises
    ``TrainingError`` when the examples cannot make a model at all."""
    written = [(topic_id, language, i, example)
               for (topic_id, language), text in tree.texts.items()
               if not text.derived and topic_id in tree.topic_ids
               for i, example in enumerate(text.examples)]
    if not written:
        train(samples_of(tree))  # no examples: can titles and keywords make a model?
        return []
    order = list(range(len(written)))
    random.Random(seed).shuffle(order)
    fold_of = {position: n % folds for n, position in enumerate(order)}
    by_fold: dict[int, list[tuple[str, str, int, str]]] = defaultdict(list)
    for position, item in enumerate(written):
        by_fold[fold_of[position]].append(item)
    problems = []
    for held in by_fold.values():
        leave_out = frozenset((topic_id, example) for topic_id, _, _, example in held)
        model = Model(train(samples_of(tree, leave_out=leave_out)))
        for topic_id, language, i, example in held:
            ranked = model.rank(example)
            if not ranked:
                continue
            given, probability = ranked[0]
            if given != topic_id and probability >= CONFUSED:
                text = tree.texts[(topic_id, language)]
                assert text.path is not None
                problems.append(Problem(
                    text.path, text.line_of(f"examples.{i}"),
                    f"the example {example!r} reads like the topic {given} "
                    f"({probability:.0%}), not this one: move it to that file, rewrite it, "
                    f"or make the two topics' examples tell them apart",
                    severity="warning", code="examples-overlap", language=language))
    return problems


def check_examples(tree: ContentTree, *, cross_validate: bool = True) -> list[Problem]:
    problems = too_few(tree)
    try:
        if cross_validate:
            problems.extend(confused(tree))
        else:
            train(samples_of(tree))
    except TrainingError as exc:
        menu = tree.topic_ids[0] if tree.topic_ids else None
        text = tree.texts.get((menu, "ru")) if menu else None
        if text is not None and text.path is not None:
            problems.append(Problem(text.path, 1, f"the topic classifier cannot be trained: "
                                    f"{exc}; the keyword matcher answers meanwhile",
                                    severity="warning", code="examples-model"))
    return problems
