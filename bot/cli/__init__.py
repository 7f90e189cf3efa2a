"""The command line: one sub-command a module, each with ``add_parser`` and ``run``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from bot import logs
from bot.cli import chat, content, db, serve, stats
from bot.config import ConfigError

COMMANDS: dict[str, ModuleType] = {
    "serve": serve,
    "chat": chat,
    "content": content,
    "stats": stats,
    "db": db,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A chatbot on labour migrants' rights (Telegram, SMS, simulator).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in COMMANDS.items():
        module.add_parser(commands, name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(os.environ.get("LOG_LEVEL", "INFO"))
    try:
        return int(COMMANDS[args.command].run(args) or 0)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
