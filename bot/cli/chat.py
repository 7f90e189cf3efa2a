"""``python -m bot chat``: talk to the bot in a terminal, one line a message.

The same engine as every channel, with the session kept in memory: no network, no
database. Works in a pipe (``echo "патент" | python -m bot chat``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.config import Settings
from bot.content.loader import load_content
from bot.engine import respond
from bot.i18n import catalogs
from bot.render.plain import render_plain
from bot.render.sms import render_sms
from bot.types import Incoming, Session
from bot.understanding.model import keep_models_in


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(name, help="talk to the bot in the terminal")
    parser.add_argument("--sms", action="store_true", help="show replies as SMS would")
    parser.add_argument("--language", help="a language hint: ru, ky, tg, uz, uz-Cyrl")


async def _conversation(args: argparse.Namespace) -> int:
    settings = Settings.from_env(os.environ)
    content = load_content(settings.content_dir)
    keep_models_in(settings.data_dir / "models")  # a second chat does not train again
    languages = catalogs(settings.locales_dir)
    session = Session(key="terminal")
    render = render_sms if args.sms else render_plain
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        if not line.strip():
            continue
        incoming = Incoming(channel="simulator", sender_key="terminal", text=line.strip(),
                            language_hint=args.language)
        reply, session = await respond(incoming, session, content, languages)
        if session.forget:
            session = Session(key="terminal")
        print(render(reply), end="\n\n", flush=True)


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_conversation(args))
    except KeyboardInterrupt:
        return 0
