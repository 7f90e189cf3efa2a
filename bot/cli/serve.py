"""``python -m bot serve``: migrate, then run the web service."""

from __future__ import annotations

import argparse
import logging
import os

from bot.config import Settings
from bot.storage.migrate import upgrade
from bot.web import server
from bot.web.app import create_app

log = logging.getLogger(__name__)


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
    for warning in startup_warnings(settings):
        log.warning("%s", warning)
    upgrade(settings.database_url)  # before the loop starts: Alembic runs its own loop
    app = create_app(settings)
    port = args.port or settings.port
    server.run(app, settings, args.host, port, shutdown_timeout=10, on_start=lambda: print(
        f"Serving on http://localhost:{port} (simulator at /)", flush=True))
    return 0


def startup_warnings(settings: Settings) -> list[str]:
    """Settings that work but are unsafe in production."""
    warnings = []
    if settings.twilio_auth_token and not settings.public_url:
        warnings.append(
            "TWILIO_AUTH_TOKEN is set without PUBLIC_URL: Twilio's signatures are checked "
            "against the address this process is reached at"
            + (" (or the one trusted proxies in FORWARDED_ALLOW_IPS name)"
               if settings.forwarded_allow_ips else "")
            + ", which does not bind them to this service. Hint: set PUBLIC_URL to the "
            "https address Twilio calls, e.g. https://my-bot.herokuapp.com")
    return warnings
