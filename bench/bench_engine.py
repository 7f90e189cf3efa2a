"""How long the conversation engine takes per message, with no web server or database:
``respond`` over short conversations (a question from ``tests/data/questions.tsv``, then
``0``, ``1``, ``1`` — the mix ``bench_webhooks.py`` sends), beside a baseline measured in
the same run (``normalize_command`` of the same messages: lower-casing and trimming).

    .venv/bin/python bench/bench_engine.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import ROOT
from bot.content.loader import load_content
from bot.engine import normalize_command, respond
from bot.i18n import catalogs
from bot.types import Incoming, Session
from bot.understanding.evaluate import load_questions
from bot.understanding.langdetect import detector_for
from bot.understanding.matcher import index_ready

FOLLOW_UPS = ("0", "1", "1")


async def conversations(questions: list[str]) -> float:
    """Seconds per message over one pass of all conversations."""
    content, languages = load_content(ROOT / "content"), catalogs(ROOT / "locales")
    detector_for(content)
    await index_ready(content)
    start = time.perf_counter()
    for n, question in enumerate(questions):
        session = Session(key=f"reader-{n}")
        for text in (question, *FOLLOW_UPS):
            _, session = await respond(Incoming("sms", session.key, text), session, content,
                                       languages)
    return (time.perf_counter() - start) / (len(questions) * (1 + len(FOLLOW_UPS)))


def baseline(questions: list[str]) -> float:
    start = time.perf_counter()
    for question in questions:
        for text in (question, *FOLLOW_UPS):
            normalize_command(text)
    return (time.perf_counter() - start) / (len(questions) * (1 + len(FOLLOW_UPS)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="the best round is shown")
    args = parser.parse_args()
    questions = [q.text for q in load_questions()]
    rounds = [asyncio.run(conversations(questions)) for _ in range(args.rounds)]
    first, engine = rounds[0], min(rounds)
    base = min(baseline(questions) for _ in range(args.rounds))
    messages = len(questions) * (1 + len(FOLLOW_UPS))
    print(f"{messages} messages ({len(questions)} conversations), best of {args.rounds} rounds")
    print(f"baseline (normalize_command): {base * 1e3:.4f} ms/message")
    # The first round meets every word for the first time (stems, language scores are
    # cached after); later rounds are what repeated questions cost.
    print(f"engine, first round:          {first * 1e3:.4f} ms/message"
          f"  = {first / base:.0f} × baseline")
    print(f"engine, best round:           {engine * 1e3:.4f} ms/message"
          f"  = {engine / base:.0f} × baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
