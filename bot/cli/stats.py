"""``python -m bot stats``: the anonymized usage report."""

from __future__ import annotations

import argparse
import sys


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(name, help="anonymized usage report")
    parser.add_argument("--since", help="first day, YYYY-MM-DD")
    parser.add_argument("--until", help="last day, YYYY-MM-DD")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    print("statistics are not recorded yet in this version", file=sys.stderr)
    return 1
