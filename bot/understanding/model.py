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
import tempfile
import threading
import weakref
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import ROOT
from bot.content.model import ContentTree
from bot.understanding.features import pair_features, word_features, words_of
from bot.understanding.modelfile import load_model
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
#: Words whose known features a model remembers: a word's feature strings are worth about
#: a kilobyte, its row numbers a tenth of that.
MAX_WORDS_KEPT = 20_000
_NONE = np.empty(0, dtype=np.int32)


@dataclass(frozen=True)
class Model:
    data: ModelData
    answers: dict[Hashable, Ranking] = field(default_factory=dict, compare=False, repr=False)
    _word_rows: dict[str, np.ndarray] = field(default_factory=dict, compare=False,
                                               repr=False)

    def _rows_of_word(self, word: str) -> np.ndarray:
        """The rows of the word's features that the model knows (repeats kept)."""
        rows = self._word_rows.get(word)
        if rows is None:
            vocabulary = self.data.vocabulary
            found = [i for f in word_features(word) if (i := vocabulary.get(f)) is not None]
            rows = np.array(found, dtype=np.int32) if found else _NONE
            if len(self._word_rows) >= MAX_WORDS_KEPT:
                del self._word_rows[next(iter(self._word_rows))]
            self._word_rows[word] = rows
        return rows

    def feature_counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the text's known features and how often each occurs."""
        words = words_of(text)
        vocabulary = self.data.vocabulary
        pairs = [i for f in pair_features(words) if (i := vocabulary.get(f)) is not None]
        rows = np.concatenate([*(self._rows_of_word(w) for w in words),
                               np.array(pairs, dtype=np.int32)])
        index, counts = np.unique(rows, return_counts=True)
        return index, counts

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    def probabilities(self, text: str) -> np.ndarray | None:
        """P(topic | question) for every class, as the trained model computes it; None
        when the question has nothing the model has seen (emoji, a stray letter)."""
        data = self.data
        index, counts = self.feature_counts(text)
        if not index.size:
            return None
        tf = 1.0 + np.log(counts.astype(np.float64))
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


def train_in_child(samples: list[tuple[str, str]], params: Params, path: Path) -> ModelData:
    """Train in a fresh Python process, which writes the model to ``path`` and exits,
    giving its memory back; the model is then read from there. Raises ``TrainingError``
    for examples that cannot make a model. Blocking: the service calls it from a thread
    of its own (``_start_training``)."""
    payload = pickle.dumps((samples, params, str(path)), protocol=pickle.HIGHEST_PROTOCOL)
    done = subprocess.run([sys.executable, "-m", "bot.understanding.train"], input=payload,
                          capture_output=True, cwd=str(ROOT), timeout=TRAINING_TIMEOUT,
                          check=False)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"training process exited with {done.returncode}: "
                           + " | ".join(tail))
    failure = pickle.loads(done.stdout)  # our own child's output, never anything received
    if isinstance(failure, TrainingError):
        raise failure
    data = load_model(path)
    if data is None:
        raise RuntimeError(f"the training process wrote no readable model to {path}")
    return data


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
#: How long a question waits for its content's first model: None, until it is trained
#: (scripts, tests); the service sets 0 once started, so that no message waits for a
#: training (a webhook that answers late is sent again) and the keyword matcher answers.
_first_model_wait: float | None = None


def wait_for_first_model(seconds: float | None) -> None:
    """How long ``model_ready`` keeps a question waiting when no model can answer yet."""
    global _first_model_wait
    _first_model_wait = seconds


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


def _train_blocking(samples: list[tuple[str, str]], params: Params,
                    key: str) -> Model | None:
    path = _cache_path(key)
    if path is not None and path.is_file():
        kept = load_model(path)
        if kept is not None:
            return Model(kept)
    try:
        data = (_train_into(samples, params, path) if path is not None
                else _train_in_scratch(samples, params))  # nowhere to keep it
    except TrainingError as exc:
        log.warning("topic classifier not trained (%s); the last good model or the "
                    "keyword matcher answers meanwhile", exc)
        return None
    except Exception:  # a crashed or hung child: the service keeps answering
        log.exception("topic classifier training failed; the last good model or the "
                      "keyword matcher answers meanwhile")
        return None
    return Model(data)


def _train_in_scratch(samples: list[tuple[str, str]], params: Params) -> ModelData:
    """Train into a file of the moment, read back and deleted."""
    with tempfile.TemporaryDirectory(prefix="classifier-") as scratch:
        return train_in_child(samples, params, Path(scratch) / "model.npz")


def _train_into(samples: list[tuple[str, str]], params: Params, path: Path) -> ModelData:
    """Train into the kept file, keeping the newest few; a directory that cannot be
    written (a full or read-only disk) gets a file of the moment, trained again next
    start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".probe-"):
            pass
    except OSError as exc:
        log.warning("the trained classifier cannot be kept in %s: %s", path.parent, exc)
        return _train_in_scratch(samples, params)
    data = train_in_child(samples, params, path)
    for old in sorted(path.parent.glob("classifier-*.npz"),
                      key=lambda p: p.stat().st_mtime)[:-_KEEP_FILES]:
        old.unlink(missing_ok=True)
    return data


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
    if wait is None and _first_model_wait is not None:
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)),
                                          _first_model_wait) or _usable(_last_good, tree)
        except TimeoutError:
            return None  # the keyword matcher answers; the training goes on
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
