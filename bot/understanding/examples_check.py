"""What ``content check`` says about the ``examples:`` of the topics.

- a topic with too few examples in a language (the classifier learns each topic from
  them: with a handful it answers that language's questions by chance);
- examples that cannot make a model at all (none, or a single topic);
- an example that a model trained *without it* gives to another topic: the usual sign
  of two topics that overlap, or of an example written in the wrong file. Each example
  is left out once (k-fold), so no example vouches for itself. Each example's fold comes
  from its own text, not from a shuffle of all of them: adding or rewriting one example
  moves no other example to another fold, so one edit does not make warnings come and go
  elsewhere.

All of these are warnings: the service still answers, with the keyword matcher where no
model can be trained.
"""

from __future__ import annotations

import json
import os
import zlib
from collections import defaultdict
from pathlib import Path

from bot.config import DEFAULT_DATA_DIR
from bot.content.loader import Problem
from bot.content.model import ContentTree
from bot.understanding.model import Model, fingerprint, samples_of
from bot.understanding.train import DEFAULT_PARAMS, UNRELATED, TrainingError, train

#: Fewest examples of a topic per language before the check warns.
MIN_EXAMPLES = {"ru": 30, "ky": 30, "tg": 30, "uz": 30, "uz-Cyrl": 10}
FOLDS = 3
#: A left-out example given to another topic with at least this probability is listed.
CONFUSED = 0.5
#: The cross-validation's models stop where the service's do. A looser stop (1e-3) was
#: twice as fast, but its models moved with any edit: rewriting five examples turned 105
#: warnings into 140, while at 1e-4 the same edit moved a handful near the 50 % line.
_PARAMS = DEFAULT_PARAMS

# (topic, language, example index, given topic, probability) by what was trained on:
# an unchanged set of examples is not cross-validated again (in this process, or in the
# next run when DATA_DIR/models can be written).
Finding = tuple[str, str, int, str, float]
_FOLDS_BY = "crc32(topic, language, example)"

_FOUND: dict[str, list[Finding]] = {}


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


def _cache_file(key: str) -> Path:
    data = Path(os.environ.get("DATA_DIR") or DEFAULT_DATA_DIR)
    return data / "models" / f"examples-{key[:24]}.json"


def fold_of(topic_id: str, language: str, example: str, folds: int = FOLDS) -> int:
    """The fold an example is left out in: the same on every run and machine."""
    return zlib.crc32(f"{topic_id}\t{language}\t{example}".encode()) % folds


def cross_validate(tree: ContentTree, folds: int = FOLDS) -> list[Finding]:
    """Examples that a model trained without them gives to another topic; raises
    ``TrainingError`` when the examples cannot make a model at all."""
    # the folds are part of what was found: a cache of another fold scheme is not reused
    key = fingerprint([*samples_of(tree), (_FOLDS_BY, str(folds))], _PARAMS)
    if key in _FOUND:
        return _FOUND[key]
    path = _cache_file(key)
    try:
        found = [tuple(item) for item in json.loads(path.read_text(encoding="utf-8"))]
        _FOUND[key] = found  # type: ignore[assignment]
        return _FOUND[key]
    except (OSError, ValueError):
        pass
    written = [(topic_id, language, i, example)
               for (topic_id, language), text in sorted(tree.texts.items())
               if not text.derived and topic_id in tree.topic_ids
               for i, example in enumerate(text.examples)]
    if not written:
        train(samples_of(tree), _PARAMS)  # no examples: can titles and keywords make one?
        return []
    by_fold: dict[int, list[tuple[str, str, int, str]]] = defaultdict(list)
    for item in written:
        topic_id, language, _, example = item
        by_fold[fold_of(topic_id, language, example, folds)].append(item)
    found = []
    for held in by_fold.values():
        leave_out = frozenset((topic_id, example) for topic_id, _, _, example in held)
        # the Uzbek Cyrillic made from a left-out Latin example reads the same to the model
        # (features fold both alphabets alike): leave it out too
        leave_out |= {(topic_id, tree.texts[(topic_id, "uz-Cyrl")].examples[i])
                      for topic_id, language, i, _ in held
                      if language == "uz" and _derived(tree, topic_id)}
        model = Model(train(samples_of(tree, leave_out=leave_out), _PARAMS))
        for topic_id, language, i, example in held:
            ranked = model.rank(example)
            if ranked and ranked[0][0] != topic_id and ranked[0][1] >= CONFUSED:
                found.append((topic_id, language, i, ranked[0][0], ranked[0][1]))
    _FOUND[key] = found
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(found), encoding="utf-8")
    except OSError:
        pass  # a read-only checkout: the next run works it out again
    return found


def _derived(tree: ContentTree, topic_id: str) -> bool:
    text = tree.texts.get((topic_id, "uz-Cyrl"))
    return text is not None and text.derived


def confused(tree: ContentTree) -> list[Problem]:
    problems = []
    for topic_id, language, i, given, probability in cross_validate(tree):
        text = tree.texts[(topic_id, language)]
        assert text.path is not None
        reads_like = ("a question the bot does not cover" if given == UNRELATED
                      else f"the topic {given}")
        problems.append(Problem(
            text.path, text.line_of(f"examples.{i}"),
            f"the example {text.examples[i]!r} reads like {reads_like} "
            f"({probability:.0%}), not this one: move it to that file, rewrite it, or make "
            f"the two topics' examples tell them apart",
            severity="warning", code="examples-overlap", language=language))
    return problems


def check_examples(tree: ContentTree, *, cross_validated: bool = True) -> list[Problem]:
    problems = too_few(tree)
    try:
        if cross_validated:
            problems.extend(confused(tree))
        else:
            train(samples_of(tree), _PARAMS)
    except TrainingError as exc:
        menu = tree.topic_ids[0] if tree.topic_ids else None
        text = tree.texts.get((menu, "ru")) if menu else None
        if text is not None and text.path is not None:
            problems.append(Problem(text.path, 1, f"the topic classifier cannot be trained: "
                                    f"{exc}; the keyword matcher answers meanwhile",
                                    severity="warning", code="examples-model"))
    return problems
