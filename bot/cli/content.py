"""``python -m bot content check [DIR]``: validate content files for NGO editors.

Prints one ``file:line: error|warning: message`` line per problem, a summary, and a
coverage table (topics × languages). Exit status 1 when there is any error, 0 otherwise.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from bot.config import ROOT
from bot.content.check import check_content, format_report


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(name, help="check the content files")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="report errors as file:line: message; exit 1 on an error",
        description="Check the content folder: errors (exit 1) and warnings, then a "
                    "coverage table. See docs/content-guide.md.")
    check.add_argument("directory", nargs="?", type=Path,
                       help="content folder (default: $CONTENT_DIR or ./content)")
    check.add_argument("--today", type=date.fromisoformat, default=None,
                       help=argparse.SUPPRESS)  # for tests of the review-date warning


def run(args: argparse.Namespace) -> int:
    # The content folder only: Settings.from_env would also create a secret key in data/.
    directory: Path = args.directory or Path(os.environ.get("CONTENT_DIR") or ROOT / "content")
    if not directory.is_dir():
        print(f"{directory}: error: no such folder")
        return 1
    report = check_content(directory, today=args.today)
    for line in format_report(report, base=Path.cwd()):
        print(line)
    return 1 if report.errors else 0
