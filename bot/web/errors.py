"""One place that turns failures into clear HTTP answers; nothing escapes as a bare 500."""

from __future__ import annotations

import logging
import traceback

from aiohttp import web

log = logging.getLogger(__name__)


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status == 413:
            return json_error(413, "the request body is too large")
        raise
    except Exception as exc:
        # Log the type and place only: exception messages can carry user text, and some
        # libraries quote their configuration (python-telegram-bot quotes a rejected token).
        log.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method, request.path,
                  "".join(traceback.format_tb(exc.__traceback__)).rstrip())
        return json_error(500, "internal error; the message was not lost, please retry")
