"""``python -m bot content check [DIR]``: validate content files for NGO editors."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot.config import Settings
from bot.content.loader import scan_content


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(name, help="check the content files")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="report errors as file:line: message")
    check.add_argument("directory", nargs="?", type=Path,
                       help="content folder (default: $CONTENT_DIR or ./content)")


def run(args: argparse.Namespace) -> int:
    directory = args.directory or Settings.from_env(os.environ).content_dir
    _tree, problems = scan_content(directory)
    for problem in problems:
        print(problem)
    errors = sum(p.severity == "error" for p in problems)
    print(f"{errors} errors, {len(problems) - errors} warnings")
    return 1 if errors else 0
