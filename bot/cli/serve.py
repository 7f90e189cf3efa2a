"""``python -m bot serve``: migrate, then run the web service."""

from __future__ import annotations

import argparse
import os

from aiohttp import web

from bot.config import Settings
from bot.storage.migrate import upgrade
from bot.web.accesslog import AccessLogger
from bot.web.app import create_app


def add_parser(commands: argparse._SubParsersAction, name: str) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(name, help="run the web service (simulator at /)")
    parser.add_argument("--port", type=int, help="port to listen on (default: $PORT or 8080)")
    parser.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    parser.add_argument("--polling", action="store_true",
                        help="fetch Telegram updates by polling instead of a webhook")


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.polling:
        env["TELEGRAM_POLLING"] = "1"
    settings = Settings.from_env(env)
    upgrade(settings.database_url)  # before the loop starts: Alembic runs its own loop
    app = create_app(settings)
    print(f"Serving on http://localhost:{args.port or settings.port} (simulator at /)",
          flush=True)
    web.run_app(app, host=args.host, port=args.port or settings.port, print=None,
                shutdown_timeout=10, access_log_class=AccessLogger)
    return 0
