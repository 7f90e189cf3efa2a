"""A trained model on disk: plain NumPy arrays in one ``.npz`` file, no pickle (loading
never runs code), written whole or not at all.

The training process writes the file and the service reads it, so the service never
holds a second copy of the model in transit. The vocabulary is kept as one UTF-8 text,
a word a line, rather than an array of fixed-width strings (four bytes a letter, padded
to the longest word: several times the size).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from bot.understanding.train import ModelData

log = logging.getLogger(__name__)


def save_model(data: ModelData, path: Path) -> None:
    words = sorted(data.vocabulary, key=data.vocabulary.__getitem__)
    text = "\n".join(words).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    # a name of its own: two processes training the same content write side by side
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npz")
    np.savez(partial, classes=np.array(data.classes),
             words=np.frombuffer(text, dtype=np.uint8),
             idf=data.idf, weights=data.weights, intercept=data.intercept)
    partial.replace(path)


def load_model(path: Path) -> ModelData | None:
    """The model kept in ``path``; None (logged) when it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            if "words" in stored:
                words = stored["words"].tobytes().decode("utf-8").split("\n")
            else:  # a file kept by an earlier version
                words = [str(w) for w in stored["vocabulary"]]
            return ModelData(classes=tuple(str(c) for c in stored["classes"]),
                             vocabulary={w: i for i, w in enumerate(words)},
                             idf=stored["idf"], weights=stored["weights"],
                             intercept=stored["intercept"])
    except (OSError, KeyError, ValueError, UnicodeDecodeError) as exc:
        log.warning("a kept classifier could not be read (%s); training anew", exc)
        return None
