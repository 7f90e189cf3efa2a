"""Summarise a py-spy ``--format raw`` profile of the bot: where its busy time goes.

    .venv/bin/python bench/profile_summary.py PROFILE.txt [--top 25] [--match bot/]

Each line of the raw format is ``thread (id): frame;frame;…;leaf COUNT``. Two views:

- layers: each main-thread sample is charged to the innermost frame that belongs to a
  known layer (the database, the engine's parts, rendering, aiohttp …). Samples waiting
  in ``epoll`` and empty stacks (py-spy could not read one) are left out.
- functions: for the busiest threads, the functions with the largest inclusive share of
  samples (each function counted once a sample, however deep it recurses).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

LAYERS = (
    ("emergency check (bot/understanding/danger.py)", ("bot/understanding/danger",)),
    ("language detection", ("bot/understanding/langdetect", "bot/understanding/langmodel",
                             "bot/understanding/langcorpus")),
    ("matcher (bot/understanding/matcher, handlers/search)",
     ("bot/understanding/matcher", "handlers/search")),
    ("SMS pages, segments and TwiML", ("bot/render/", "bot/sms/", "twilio/twiml")),
    ("database: SQLAlchemy + aiosqlite + asyncpg", ("sqlalchemy/", "aiosqlite/", "asyncpg/",
                                                    "bot/storage/", "greenlet")),
    ("Twilio signature check", ("twilio/request_validator",)),
    ("python-telegram-bot + httpx", ("telegram/", "httpx/", "httpcore/", "anyio/")),
    ("statistics recorder", ("bot/stats/",)),
    ("rest of the bot (engine, handlers, channels, service)", ("bot/", "handlers/")),
    ("aiohttp (HTTP parsing, routing, responses)", ("aiohttp/", "multidict", "yarl")),
    ("logging", ("logging/",)),
    ("start-up imports", ("importlib",)),
    ("event loop (wake-ups, sockets)", ("asyncio/",)),
)
WAITING = re.compile(r"select \(selectors|epoll|_wait_for_tstate_lock|wait \(threading"
                     r"|SimpleQueue.get|tx.get|core.py:59\)")
THREAD = re.compile(r"^thread \(\w+\)(?:: ([^;]+))?")


def samples(path: Path) -> list[tuple[str, list[str], int]]:
    """(thread name, frames root first, count) for every line of the profile."""
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        head, *frames = stack.split(";")
        found = THREAD.match(head)
        thread = re.sub(r"\d+", "N", (found.group(1) if found else None) or "?")
        rows.append((thread, frames, int(count)))
    return rows


def layers(rows: list[tuple[str, list[str], int]]) -> str:
    charged: Counter[str] = Counter()
    for thread, frames, count in rows:
        if thread != "MainThread" or not frames or WAITING.search(frames[-1]):
            continue
        for frame in reversed(frames):
            layer = next((name for name, parts in LAYERS if any(p in frame for p in parts)),
                         None)
            if layer is not None:
                charged[layer] += count
                break
        else:
            charged["other"] += count
    total = sum(charged.values()) or 1
    lines = [f"main thread, {total} busy samples, by layer:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in charged.most_common()]
    return "\n".join(lines)


def functions(rows: list[tuple[str, list[str], int]], top: int, match: str) -> str:
    busy: Counter[str] = Counter()
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    for thread, frames, count in rows:
        if not frames or WAITING.search(frames[-1]):
            continue
        busy[thread] += count
        for frame in set(frames):
            if match in frame:
                inclusive[thread][frame] += count
    lines = []
    for thread, total in busy.most_common(3):
        lines.append(f"\n{thread}: {total} busy samples")
        lines += [f"  {100 * n / total:5.1f}%  {frame}"
                  for frame, n in inclusive[thread].most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="bot/", help="only functions whose frame has this")
    args = parser.parse_args()
    rows = samples(args.profile)
    print(layers(rows))
    print(functions(rows, args.top, args.match))


if __name__ == "__main__":
    main()
