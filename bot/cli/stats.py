"""``python -m bot stats``: the anonymized usage report.

Reads ``DATABASE_URL`` (SQLite under ``data/`` by default). Events still buffered in a
running service (a few seconds' worth) appear after its next flush.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.stats.formats import to_csv, to_json_text, to_table
from bot.stats.queries import load_report
from bot.storage.db import create_engine

FORMATS = {"table": to_table, "csv": to_csv, "json": to_json_text}


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-28") from None


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        name, help="anonymized usage report",
        description="Messages by day, topic, language and channel; the share not understood "
                    "per language; unique people per day. Counts under STATS_MIN_COUNT "
                    "(default 5) are hidden. Days are UTC.")
    parser.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="last day")
    parser.add_argument("--format", choices=tuple(FORMATS), default="table")


async def _report(settings: Settings, args: argparse.Namespace) -> str:
    engine = create_engine(settings.database_url)
    try:
        report = await load_report(engine, settings.stats_min_count, args.since, args.until)
    finally:
        await engine.dispose()
    return FORMATS[args.format](report)


def run(args: argparse.Namespace) -> int:
    if args.since and args.until and args.since > args.until:
        print("error: --since is after --until", file=sys.stderr)
        return 2
    settings = Settings.from_env(os.environ)
    try:
        text = asyncio.run(_report(settings, args))
    except SQLAlchemyError as exc:
        print(f"error: cannot read the statistics ({type(exc).__name__}).\n"
              "Hint: check DATABASE_URL, and run `python -m bot db upgrade` once.",
              file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0
