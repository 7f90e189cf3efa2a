"""``python -m bot serve``: take the port, migrate, then run the web service."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket

from bot.config import ConfigError, Settings
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


def listen(host: str, port: int) -> socket.socket:
    """The service's socket, bound before anything else starts.

    A port that is taken is then one plain line (``ConfigError``), before the migrations
    run or Telegram is told where to call — not a traceback from a half-started service.
    """
    other = port + 1 if 0 < port < 65535 else 8081
    how = f"choose another with --port {other} or PORT={other}"
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)[0][0]
        return socket.create_server((host, port), family=family, backlog=128)
    except OverflowError:
        raise ConfigError(f"port {port} does not exist: ports go from 1 to 65535") from None
    except socket.gaierror:
        raise ConfigError(f"--host {host} is not an address of this machine "
                          "(0.0.0.0 listens on all of them)") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} is already in use (another `python -m bot serve`, "
                              f"or another program): {how}") from None
        if exc.errno == errno.EACCES:
            raise ConfigError(f"this user may not listen on port {port} (ports below 1024 "
                              f"need root): {how}") from None
        raise ConfigError(f"cannot listen on {host} port {port} ({exc.strerror}): "
                          f"{how}") from None


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.polling:
        env["TELEGRAM_POLLING"] = "1"
    settings = Settings.from_env(env)
    sock = listen(args.host, settings.port if args.port is None else args.port)
    port = sock.getsockname()[1]
    for warning in startup_warnings(settings):
        log.warning("%s", warning)
    upgrade(settings.database_url)  # before the loop starts: Alembic runs its own loop
    app = create_app(settings)
    # "Serving on" once the socket accepts requests, never before
    server.run(app, settings, args.host, port, sock=sock, shutdown_timeout=10,
               on_start=lambda: print(f"Serving on http://localhost:{port} (simulator at /)",
                                      flush=True))
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
