"""``python -m bot stats``: the anonymized usage report.

Reads ``DATABASE_URL`` (SQLite under ``data/`` by default). Counts carry the same noise as
the dashboard's (``STATS_EPSILON``, keyed with ``SECRET_KEY``), so a number printed here is
the number the dashboard shows; ``--exact`` prints the true counts, for whoever holds the
database anyway (they are not for publishing). With noise a report ends with yesterday;
without, events still buffered in a running service (a few seconds' worth) appear after
its next flush.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.content.loader import ContentError, load_content
from bot.stats.formats import content_titles, no_titles, to_csv, to_json_text, to_table
from bot.stats.noise import Noise
from bot.stats.queries import load_report
from bot.stats.report import ALL_CHANNELS, Titles
from bot.stats.words import LANGUAGES, words
from bot.storage.db import create_engine

FORMATS = {"table": to_table, "csv": to_csv, "json": to_json_text}
CHANNELS = ("telegram", "sms", "simulator", ALL_CHANNELS)


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-28") from None


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        name, help="anonymized usage report",
        description="Messages by day, topic, language and channel; the share not understood "
                    "and the share answered with \"did you mean\" per language; topics by "
                    "language; unique people per day. Every count has noise added "
                    "(STATS_EPSILON) and counts under STATS_MIN_COUNT (default 5) are "
                    "hidden. Days are UTC.")
    parser.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="last day")
    parser.add_argument("--format", choices=tuple(FORMATS), default="table")
    parser.add_argument("--channel", action="append", choices=CHANNELS, default=[],
                        help="only these channels (repeat for more); 'simulator' shows the "
                             "NGO previews, left out by default; 'all' is every channel")
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of the table's words and the topic titles (default en; "
                             "titles missing in it are in Russian)")
    parser.add_argument("--exact", action="store_true",
                        help="true counts, no noise, today included: to check the recording; "
                             "do not publish them")


def _titles(settings: Settings, language: str) -> Titles:
    try:
        return content_titles(load_content(settings.content_dir), language)
    except (ContentError, OSError) as exc:
        print(f"note: topic titles unavailable ({type(exc).__name__}); showing ids",
              file=sys.stderr)
        return no_titles


async def _report(settings: Settings, args: argparse.Namespace) -> str:
    noise = (Noise.none() if args.exact
             else Noise.keyed(settings.secret_key, settings.stats_epsilon))
    engine = create_engine(settings.database_url)
    try:
        report = await load_report(engine, settings.stats_min_count, args.since, args.until,
                                   noise=noise, channels=tuple(args.channel))
    finally:
        await engine.dispose()
    titles = _titles(settings, args.lang)
    return FORMATS[args.format](report, titles, words(args.lang, settings.locales_dir))


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
