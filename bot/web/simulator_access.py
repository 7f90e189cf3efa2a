"""Who may use ``POST /api/simulate``.

The simulator answers anyone who asks, in any language, with the whole content: on a
developer's machine that is the point, on a public service it is an open door to the bot
that costs nothing to flood and shows up in no channel's limits. So, unless ``SIMULATOR``
says otherwise:

- ``PUBLIC_URL`` not https (a developer's machine): open to anyone;
- ``PUBLIC_URL`` https (production): staff only — signed in on ``/stats`` (the dashboard's
  cookie) or sending ``Authorization: Bearer <ADMIN_TOKEN>``; without ``ADMIN_TOKEN`` off;
- ``SIMULATOR=1``: open to anyone, production too; ``SIMULATOR=0``: staff only everywhere.

Whoever gets in talks as the ``simulator`` channel: its sessions are keyed by
(``simulator``, user), never by a real channel's sender (``bot/web/simulate.py``).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings
from bot.stats import auth
from bot.stats.web import GUARD
from bot.stats.web import check_access as staff_access
from bot.web.errors import json_error
from bot.web.keys import SETTINGS

log = logging.getLogger(__name__)

Handler = web.RequestHandler


def open_to_anyone(settings: Settings) -> bool:
    if settings.simulator:
        return settings.simulator == "1"
    return not settings.public_url.startswith("https://")


async def _staff(request: web.Request) -> str:
    """"ok", "locked" (too many wrong tokens from this address) or "anonymous": the
    dashboard's own check (its per-address lock and its sign-out), when it is set up."""
    if GUARD in request.app:
        return await staff_access(request)
    given = auth.bearer(request.headers.get("Authorization", ""))
    token = request.app[SETTINGS].admin_token
    return "ok" if given is not None and auth.token_matches(token, given) else "anonymous"


async def refusal(request: web.Request) -> web.Response | None:
    """The answer that keeps this request out, or None when it may simulate."""
    settings = request.app[SETTINGS]
    if open_to_anyone(settings):
        return None
    why = ("SIMULATOR=0" if settings.simulator == "0"
           else "this is a public service: PUBLIC_URL is https")
    if not settings.admin_token:
        return json_error(403, f"The simulator is off ({why}). Set ADMIN_TOKEN and sign in "
                               "at /stats to open it to staff, or set SIMULATOR=1 to open it "
                               "to everyone.")
    access = await _staff(request)
    if access == "ok":
        return None
    if access == "locked":
        response = json_error(429, "Too many wrong tokens; try again in a minute.")
        response.headers["Retry-After"] = str(int(auth.WINDOW_SECONDS))
        return response
    response = json_error(401, f"The simulator is for staff only ({why}): sign in at "
                               "/stats, or send Authorization: Bearer <ADMIN_TOKEN>.")
    response.headers["WWW-Authenticate"] = 'Bearer realm="simulator"'
    return response


def guarded(handler: Handler) -> Handler:
    """``handler`` behind :func:`refusal`."""
    async def guarded_handler(request: web.Request) -> web.StreamResponse:
        return await refusal(request) or await handler(request)

    return guarded_handler
