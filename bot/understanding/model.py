"""The topic classifier as the service holds it: learnt numbers and a NumPy prediction.

    content (examples, titles, keywords) ──> train.py in a child process ──> ModelData
    question ──> features ──> TF-IDF weights ──> · weights + intercept ──> softmax

A model is trained for each content tree, off the request path: at start, and again
after every reload, while the last good model goes on answering. Training that fails
(no examples, a single topic) is logged and the last good model, or the BM25 matcher
when there has never been one, keeps serving: a broken example list never stops
``serve``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import math
import pickle
import subprocess
import sys
import threading
import weakref
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from bot.config import ROOT
from bot.content.model import ContentTree
from bot.understanding.features import features
from bot.understanding.train import (
    DEFAULT_PARAMS,
    UNRELATED,
    ModelData,
    Params,
    TrainingError,
    train,
)

log = logging.getLogger(__name__)

#: Questions about nothing the bot covers, in every language, so that the model has a
#: class to put them in rather than spreading them over the topics.
UNRELATED_FILE = Path(__file__).resolve().parent / "langdata" / "unrelated.txt"
#: How many answered questions a model remembers (the same ones come again and again).
MAX_ANSWERS = 4096

Ranking = tuple[tuple[str, float], ...]
#: Classes kept in a ranking: with probabilities summing to 1, a class at 0.1 or more is
#: always among the ten likeliest.
KEEP_RANKED = 10


@dataclass(frozen=True)
class Model:
    data: ModelData
    answers: dict[Hashable, Ranking] = field(default_factory=dict, compare=False, repr=False)

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    def probabilities(self, text: str) -> np.ndarray | None:
        """P(topic | question) for every class, as the trained model computes it; None
        when the question has nothing the model has seen (emoji, a stray letter)."""
        data = self.data
        counts = Counter(i for f in features(text)
                         if (i := data.vocabulary.get(f)) is not None)
        if not counts:
            return None
        index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        weight = tf * data.idf[index]
        weight /= math.sqrt(float(weight @ weight))
        logits = data.intercept + weight @ data.weights[index]
        logits = logits - logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def rank(self, text: str) -> Ranking:
        """The likeliest classes with their probabilities, best first (remembered per
        text)."""
        found = self.answers.get(text)
        if found is None:
            p = self.probabilities(text)
            if p is None:
                found = ()
            else:
                # the likeliest few: any class at the decision's thresholds (0.1 and up)
                # is among them, and the memory of answers stays small
                order = np.argsort(-p, kind="stable")[:KEEP_RANKED]
                found = tuple((self.data.classes[i], float(p[i])) for i in order)
            if len(self.answers) >= MAX_ANSWERS:
                del self.answers[next(iter(self.answers))]
            self.answers[text] = found
        return found


def unrelated_questions() -> list[str]:
    if not UNRELATED_FILE.is_file():
        return []
    lines = UNRELATED_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def samples_of(tree: ContentTree, *, leave_out: frozenset[tuple[str, str]] = frozenset(),
               ) -> list[tuple[str, str]]:
    """(text, topic id) pairs to learn from: every example, title and keyword of every
    topic in the menu, in every language; ``leave_out`` skips (topic, example) pairs."""
    menu = set(tree.topic_ids)
    out: list[tuple[str, str]] = []
    for (topic_id, _language), text in tree.texts.items():
        if topic_id not in menu:
            continue
        out.append((text.title, topic_id))
        out.extend((keyword, topic_id) for keyword in text.keywords)
        out.extend((example, topic_id) for example in text.examples
                   if (topic_id, example) not in leave_out)
    out.extend((question, UNRELATED) for question in unrelated_questions())
    out.sort()  # the same content gives the same model, whatever order files were read
    return out


def fingerprint(samples: Iterable[tuple[str, str]], params: Params) -> str:
    digest = hashlib.sha256(repr(params).encode())
    for text, label in samples:
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()


# -- training off the request path ---------------------------------------------------

#: A training that takes longer than this is given up (and logged).
TRAINING_TIMEOUT = 300.0


def train_in_child(samples: list[tuple[str, str]], params: Params) -> ModelData:
    """Train in a fresh Python process, which exits afterwards and gives its memory
    back. Raises ``TrainingError`` for examples that cannot make a model. Blocking: the
    service calls it from a thread of its own (``_start_training``)."""
    payload = pickle.dumps((samples, params), protocol=pickle.HIGHEST_PROTOCOL)
    done = subprocess.run([sys.executable, "-m", "bot.understanding.train"], input=payload,
                          capture_output=True, cwd=str(ROOT), timeout=TRAINING_TIMEOUT,
                          check=False)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"training process exited with {done.returncode}: "
                           + " | ".join(tail))
    result = pickle.loads(done.stdout)  # our own child's output, never anything received
    if isinstance(result, TrainingError):
        raise result
    return cast(ModelData, result)


# Models by the fingerprint of what they were trained on (a reload that changes no
# example reuses the model), and by the tree they serve.
_trained: dict[str, Model] = {}
#: Trainings under way: plain (thread-safe) futures, so that any event loop can wait for
#: one, and a loop that closes (a test's, a restarting server's) does not cancel it.
_training: dict[str, concurrent.futures.Future[Model | None]] = {}
_lock = threading.Lock()
_by_tree: dict[int, tuple[weakref.ref[ContentTree], Model | None]] = {}
_last_good: Model | None = None
_KEEP_TRAINED = 4


def cached_model(tree: ContentTree) -> Model | None:
    entry = _by_tree.get(id(tree))
    return entry[1] if entry is not None and entry[0]() is tree else None


def _bind(tree: ContentTree, model: Model | None) -> None:
    key = id(tree)
    _by_tree[key] = (weakref.ref(tree, lambda _ref, key=key: _by_tree.pop(key, None)), model)


# -- a trained model kept on disk, so that a restart with unchanged content is instant --

_cache_dir: Path | None = None
_KEEP_FILES = 3


def keep_models_in(directory: Path | None) -> None:
    """Where trained models are kept between runs (the service's DATA_DIR)."""
    global _cache_dir
    _cache_dir = directory


def _cache_path(key: str) -> Path | None:
    return _cache_dir / f"classifier-{key[:24]}.npz" if _cache_dir is not None else None


def save_model(data: ModelData, path: Path) -> None:
    """Plain arrays (no pickle: loading never runs code), written whole or not at all."""
    words = sorted(data.vocabulary, key=data.vocabulary.__getitem__)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, classes=np.array(data.classes), vocabulary=np.array(words),
             idf=data.idf, weights=data.weights, intercept=data.intercept)
    partial.replace(path)
    for old in sorted(path.parent.glob("classifier-*.npz"),
                      key=lambda p: p.stat().st_mtime)[:-_KEEP_FILES]:
        old.unlink(missing_ok=True)


def load_model(path: Path) -> ModelData | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            words = [str(w) for w in stored["vocabulary"]]
            return ModelData(classes=tuple(str(c) for c in stored["classes"]),
                             vocabulary={w: i for i, w in enumerate(words)},
                             idf=stored["idf"], weights=stored["weights"],
                             intercept=stored["intercept"])
    except (OSError, KeyError, ValueError) as exc:
        log.warning("a kept classifier could not be read (%s); training anew", exc)
        return None


def _train_blocking(samples: list[tuple[str, str]], params: Params,
                    key: str) -> Model | None:
    path = _cache_path(key)
    if path is not None and path.is_file():
        kept = load_model(path)
        if kept is not None:
            return Model(kept)
    try:
        data = train_in_child(samples, params)
    except TrainingError as exc:
        log.warning("topic classifier not trained (%s); the last good model or the "
                    "keyword matcher answers meanwhile", exc)
        return None
    except Exception:  # a crashed or hung child: the service keeps answering
        log.exception("topic classifier training failed; the last good model or the "
                      "keyword matcher answers meanwhile")
        return None
    if path is not None:
        try:
            save_model(data, path)
        except OSError as exc:  # a full or read-only disk: train again next start
            log.warning("the trained classifier could not be kept on disk: %s", exc)
    return Model(data)


def _start_training(samples: list[tuple[str, str]], params: Params, key: str,
                    tree: ContentTree) -> concurrent.futures.Future[Model | None]:
    """Train in a thread of its own (which waits for the child process)."""
    future: concurrent.futures.Future[Model | None] = concurrent.futures.Future()
    # running from now on: a waiter that gives up (its loop closing) cannot cancel it for
    # the others
    future.set_running_or_notify_cancel()
    tree_ref = weakref.ref(tree)

    def work() -> None:
        try:
            model = _train_blocking(samples, params, key)
        except BaseException as exc:  # never leave a waiter hanging
            future.set_exception(exc)
            return
        _trained_done(key, model, tree_ref)
        future.set_result(model)

    threading.Thread(target=work, name="classifier-training", daemon=True).start()
    return future


async def model_ready(tree: ContentTree, params: Params = DEFAULT_PARAMS, *,
                      wait: bool | None = None) -> Model | None:
    """The model for ``tree``: trained already, or trained now in a child process.

    While a new tree's model trains, the last good model answers (``wait=False``); with
    no model yet at all (the first start) the caller waits for it (``wait=None``)."""
    global _last_good
    found = _by_tree.get(id(tree))
    if found is not None and found[0]() is tree:
        return found[1] if found[1] is not None else _usable(_last_good, tree)
    samples = samples_of(tree)
    key = fingerprint(samples, params)
    with _lock:
        if key in _trained:
            _bind(tree, _trained[key])
            _last_good = _trained[key]
            return _trained[key]
        future = _training.get(key)
        if future is None:
            future = _training[key] = _start_training(samples, params, key, tree)
    last_good = _usable(_last_good, tree)
    if wait is False or (wait is None and last_good is not None):
        return last_good
    return await asyncio.wrap_future(future) or _usable(_last_good, tree)


def _usable(model: Model | None, tree: ContentTree) -> Model | None:
    """The last good model answers for a new version of its content (most topics the
    same), never for another content altogether."""
    if model is None:
        return None
    topics = set(tree.topic_ids)
    return model if len(topics & set(model.classes)) * 2 >= len(topics) else None


def _trained_done(key: str, model: Model | None,
                  tree_ref: weakref.ref[ContentTree]) -> None:
    global _last_good
    with _lock:
        _training.pop(key, None)
        if model is not None:
            _trained[key] = model
            while len(_trained) > _KEEP_TRAINED:
                del _trained[next(iter(_trained))]
            _last_good = model
        tree = tree_ref()
        if tree is not None:
            _bind(tree, model)


def train_now(tree: ContentTree, params: Params = DEFAULT_PARAMS, **kwargs: Any) -> Model:
    """Train in this process (scripts, ``content check``): raises ``TrainingError``."""
    return Model(train(samples_of(tree, **kwargs), params))
