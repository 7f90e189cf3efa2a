"""Training the topic classifier with scikit-learn: TF-IDF over our features, then
multinomial logistic regression, whose probabilities decide answer / choice / nothing.

This module is the only one that imports scikit-learn, and the service runs it as a
child process (``python -m bot.understanding.train``, samples in and the model out as
pickles on its pipes): the library and its working memory (about 100 MiB) stay out of
the serving process, which keeps only the learnt numbers (``ModelData``) and does the
arithmetic of a prediction with NumPy.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.understanding.features import features

#: The label of questions the bot does not cover ("какая погода", "купить билет").
UNRELATED = "-"


@dataclass(frozen=True)
class Params:
    #: Inverse regularisation strength of the logistic regression (chosen on the tune
    #: split by ``scripts/eval_matcher.py --grid``).
    c: float = 30.0
    max_iter: int = 3000
    #: Keep only the most frequent features (None: all). With hundreds of topics the
    #: weights grow as features × topics; a cap keeps them (and training) bounded.
    max_features: int | None = None
    #: Keep only features found in at least this many samples: one seen once (a typo's
    #: trigram, a rare word pair) teaches little and costs memory in every process. On
    #: the tune split 3 answers as many questions as 1 (751 and 745 of 785; 11 and 9
    #: wrong) with 39 thousand features instead of 99.
    min_df: int = 3
    #: "lbfgs" for the content's few dozen topics; "saga" needs far less memory when
    #: there are hundreds (lbfgs keeps ten copies of all the weights).
    solver: str = "lbfgs"
    #: The solver stops when its steps get this small (looser: faster, a little rougher).
    tol: float = 1e-4


DEFAULT_PARAMS = Params()


@dataclass(frozen=True)
class ModelData:
    """What a trained model is: plain arrays, picklable, no scikit-learn objects."""

    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (features,) float32
    weights: np.ndarray  # (features, classes) float32: one row per feature
    intercept: np.ndarray  # (classes,) float32


class TrainingError(ValueError):
    """The examples cannot make a model (none at all, or a single topic)."""


def train(samples: Sequence[tuple[str, str]], params: Params = DEFAULT_PARAMS) -> ModelData:
    """Fit the classifier on (text, label) pairs."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [text for text, _ in samples]
    labels = [label for _, label in samples]
    if len(set(labels) - {UNRELATED}) < 2:
        raise TrainingError("the classifier needs examples of at least two topics")
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, dtype=np.float32,
                                 max_features=params.max_features,
                                 min_df=params.min_df)
    matrix = vectorizer.fit_transform(texts)
    if matrix.shape[1] == 0:
        raise TrainingError("the examples have no words to learn from")
    model = LogisticRegression(C=params.c, max_iter=params.max_iter, solver=params.solver,
                               tol=params.tol)
    model.fit(matrix, labels)
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:
        # two classes: one logit for the second; a softmax over (0, logit) is the same
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return ModelData(
        classes=tuple(str(c) for c in model.classes_),
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        weights=np.ascontiguousarray(coef.T, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
    )


def main() -> int:
    """Child process: (samples, params, path) pickled on stdin → the model written to
    ``path``; None, or the TrainingError, pickled on stdout."""
    from bot.understanding.modelfile import save_model

    samples, params, path = pickle.load(sys.stdin.buffer)
    try:
        save_model(train(samples, params), Path(path))
        failure: TrainingError | None = None
    except TrainingError as exc:
        failure = exc
    pickle.dump(failure, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    # Run through the module's importable name, so that what is pickled names
    # ``bot.understanding.train.ModelData``, not ``__main__.ModelData``.
    from bot.understanding.train import main as _main

    raise SystemExit(_main())
