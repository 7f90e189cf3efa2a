"""The store's hot path on SQLite: the event loop's CPU per answer, driver vs Core.

Usage:
    .venv/bin/python bench/bench_store.py [--clients 32] [--conversations 40]

32 clients talk at once, as the webhook benchmark's connections do: each conversation is
four messages of one person (the first loads the session, the others find it cached) and
each message keeps its answer, claims its id and saves the session in the group commit.
Between messages each client burns 250 µs of CPU, standing in for the rest of a request,
so that batches form as they do under load; that time is subtracted again.

The same run measures the store twice, on two fresh SQLite files: each batch one trip to
the store's thread, on sqlite3's own connection (what ``bot serve`` does on SQLite,
``bot/storage/batch.py``), and each statement through SQLAlchemy Core and aiosqlite
(what it did before, and still does on PostgreSQL). The ratio is the number to compare
across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage.db import create_engine  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from bot.storage.store import Store  # noqa: E402

WORK_SECONDS = 250e-6
ANSWER = "<Response><Message>" + "x" * 400 + "</Message></Response>"


def _busy(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


async def _measure(url: str, through_driver: bool, clients: int, conversations: int
                   ) -> tuple[float, float]:
    """(µs of event-loop CPU per answer beyond the stand-in work, answers per second)."""
    store = Store(create_engine(url), through_driver=through_driver)
    answered = 0

    async def client(number: int) -> None:
        nonlocal answered
        for talk in range(conversations):
            key = f"{number:04d}{talk:060d}"
            for message in range(4):
                cached = store.cached(key)
                session, epoch = cached if cached else (await store.load(key), None)
                _busy(WORK_SECONDS)
                await asyncio.sleep(0)
                kept = await store.keep_answer(
                    session.evolve(page=message, shown=("permits.patent", "nav:back"),
                                   updated_at=datetime.now(UTC)),
                    ANSWER, "sms", f"SM{number}-{talk}-{message}", epoch)
                assert kept.new
                answered += 1

    try:
        await asyncio.gather(*(client(n) for n in range(clients)))  # warm-up
        began, cpu = time.perf_counter(), time.thread_time()
        answered = 0
        await asyncio.gather(*(client(n + clients) for n in range(clients)))
        seconds, cpu = time.perf_counter() - began, time.thread_time() - cpu
    finally:
        await store.engine.dispose()
    return (cpu / answered - WORK_SECONDS) * 1e6, answered / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3, help="the median is shown")
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"driver": [], "core": []}
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(args.rounds):
            for label in results:
                url = f"sqlite+aiosqlite:///{tmp}/{label}-{round_number}.sqlite3"
                upgrade(url)
                results[label].append(asyncio.run(_measure(
                    url, label == "driver", args.clients, args.conversations)))
    medians = {label: sorted(runs)[len(runs) // 2] for label, runs in results.items()}
    print(f"{args.clients} clients, {4 * args.conversations} answers each a round, "
          f"median of {args.rounds}\n")
    print(f"{'':<34}{'µs/answer':>10}{'answers/s':>11}")
    names = {"driver": "one trip a batch (bot serve)", "core": "through SQLAlchemy Core"}
    for label, (micros, rate) in medians.items():
        print(f"{names[label]:<34}{micros:>10.1f}{rate:>11.0f}")
    ratio = medians["driver"][0] / medians["core"][0]
    print(f"\nevent-loop CPU per answer, driver / Core: {ratio:.2f}")


if __name__ == "__main__":
    main()
