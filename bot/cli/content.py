"""``python -m bot content check [DIR]`` and ``python -m bot content review-sheet [LANG]``:
the content commands for NGO editors and reviewers.

``check`` prints one ``file:line: error|warning: message`` line per problem (errors
first), the counts, and a coverage table (topics × languages); exit status 1 when there
is any error. ``review-sheet`` writes one sheet per language for a person to sign off.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from bot.config import ROOT
from bot.content.check import check_content, format_report
from bot.content.reviewsheet import write_sheets
from bot.types import CONTENT_LANGUAGES, LANGUAGES


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(name, help="check the content files; write review sheets")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="report errors as file:line: message; exit 1 on an error",
        description="Check the content folder: errors (exit 1), then warnings, then a "
                    "coverage table. See docs/content-guide.md.")
    check.add_argument("directory", nargs="?", type=Path,
                       help="content folder (default: $CONTENT_DIR or ./content)")
    check.add_argument("--errors-only", action="store_true",
                       help="print the errors only (the warnings are counted)")
    check.add_argument("--no-examples", action="store_true",
                       help="skip the check of the example questions (it trains the "
                            "classifier several times: a few seconds)")
    check.add_argument("--today", type=date.fromisoformat, default=None,
                       help=argparse.SUPPRESS)  # for tests of the date checks
    sheet = actions.add_parser(
        "review-sheet", help="write one sheet per language for a reviewer to sign off",
        description="Write review-<language>.csv (or .md): each line a reader reads, with "
                    "its file line, phone numbers, sites, and the sources with their dates, "
                    "and empty 'checked by / date / ok?' columns. See docs/content-guide.md.")
    sheet.add_argument("language", nargs="?", choices=LANGUAGES,
                       help="one language (default: ru, ky, tg and uz)")
    sheet.add_argument("--format", choices=("csv", "md"), default="csv",
                       help="csv for a spreadsheet (default), md to print or read")
    sheet.add_argument("--out", type=Path, default=Path("review-sheets"),
                       help="folder to write the sheets in (default: ./review-sheets)")
    sheet.add_argument("--content", type=Path, default=None,
                       help="content folder (default: $CONTENT_DIR or ./content)")


def _content_dir(given: Path | None) -> Path:
    # The content folder only: Settings.from_env would also create a secret key in data/.
    return given or Path(os.environ.get("CONTENT_DIR") or ROOT / "content")


def run(args: argparse.Namespace) -> int:
    if args.action == "review-sheet":
        return _review_sheet(args)
    directory = _content_dir(args.directory)
    if not directory.is_dir():
        print(f"{directory}: error: no such folder")
        return 1
    report = check_content(directory, today=args.today, examples=not args.no_examples)
    for line in format_report(report, base=Path.cwd(), warnings=not args.errors_only):
        print(line)
    return 1 if report.errors else 0


def _review_sheet(args: argparse.Namespace) -> int:
    directory = _content_dir(args.content)
    if not directory.is_dir():
        print(f"{directory}: error: no such folder")
        return 1
    languages = [args.language] if args.language else list(CONTENT_LANGUAGES)
    for path in write_sheets(directory, languages, args.out, args.format, base=Path.cwd()):
        print(f"wrote {path}")
    return 0
