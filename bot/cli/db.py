"""``python -m bot db upgrade``: apply the database migrations."""

from __future__ import annotations

import argparse
import os

from bot.config import Settings
from bot.storage.migrate import upgrade


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(name, help="database migrations")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="apply pending migrations ($DATABASE_URL or SQLite)")


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env(os.environ)
    upgrade(settings.database_url)
    print("database is up to date")
    return 0
