"""Accuracy of first-message language detection on the labelled set, per language and split.

    python scripts/eval_langdetect.py [--split dev|heldout|all] [--errors] [--bench]

Reads ``tests/data/first_messages.tsv`` (language, split, hint, country, text). A message
labelled ``none`` is right when the detector declines (the bot then shows the language
menu). ``--bench`` times detection against a baseline measured in the same run (a scan
for distinctive letters only), and prints the ratio.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.understanding.langdetect import Detector, default_detector  # noqa: E402

DATA = ROOT / "tests" / "data" / "first_messages.tsv"
LABELS = ("ru", "ky", "tg", "uz", "uz-Cyrl", "none")


@dataclass(frozen=True)
class Example:
    language: str
    split: str
    hint: str | None
    country: str | None
    text: str


def load_examples(path: Path = DATA) -> list[Example]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Example(r["language"], r["split"], None if r["hint"] == "-" else r["hint"],
                None if r["country"] == "-" else r["country"], r["text"])
        for r in rows
    ]


def predict(detector: Detector, example: Example) -> str:
    found = detector.detect(example.text, hint=example.hint, country=example.country)
    return found.language or "none"


@dataclass(frozen=True)
class Report:
    right: Counter[str]
    total: Counter[str]
    errors: tuple[tuple[Example, str], ...]

    @property
    def accuracy(self) -> float:
        return sum(self.right.values()) / max(1, sum(self.total.values()))

    def of(self, language: str) -> float:
        return self.right[language] / max(1, self.total[language])


def evaluate(detector: Detector, examples: Iterable[Example]) -> Report:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    errors = []
    for example in examples:
        got = predict(detector, example)
        total[example.language] += 1
        if got == example.language:
            right[example.language] += 1
        else:
            errors.append((example, got))
    return Report(right, total, tuple(errors))


def _print(name: str, report: Report) -> None:
    print(f"{name}: {sum(report.right.values())}/{sum(report.total.values())} "
          f"= {report.accuracy:.1%}")
    for language in LABELS:
        if report.total[language]:
            print(f"  {language:8} {report.right[language]:3}/{report.total[language]:<3} "
                  f"{report.of(language):6.1%}")


def _letters_only(text: str) -> str | None:
    """The baseline for timing: the cheapest useful rule, a scan for distinctive letters."""
    lower = text.lower()
    for letters, language in (("ӣӯҷ", "tg"), ("ў", "uz-Cyrl"), ("ңөү", "ky")):
        if any(ch in lower for ch in letters):
            return language
    return None


def bench(detector: Detector, examples: list[Example], rounds: int = 20) -> None:
    texts = [e.text for e in examples]
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            _letters_only(text)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            detector.detect(text)
    ours = time.perf_counter() - start
    n = rounds * len(texts)
    print(f"detection: {ours / n * 1e6:.0f} µs a message; letters-only baseline: "
          f"{baseline / n * 1e6:.1f} µs; ratio {ours / baseline:.0f}×")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="list the misdetected messages")
    parser.add_argument("--bench", action="store_true", help="time detection")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    detector = default_detector()
    built = time.perf_counter() - start
    examples = load_examples()
    splits = ("dev", "heldout") if args.split == "all" else (args.split,)
    for split in splits:
        report = evaluate(detector, [e for e in examples if e.split == split])
        _print(split, report)
        if args.errors:
            for example, got in report.errors:
                print(f"    {example.language} → {got}: {example.text!r} "
                      f"(hint={example.hint}, country={example.country})")
    if args.split == "all":
        _print("overall", evaluate(detector, examples))
    if args.bench:
        print(f"profiles built in {built * 1000:.0f} ms")
        bench(detector, examples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
