"""``POST /api/simulate``: talk to the bot as a channel would, for NGOs and tests."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.privacy import sender_key
from bot.render.plain import body_text, render_plain
from bot.render.sms import render_sms, render_sms_messages
from bot.render.telegram import render_html
from bot.sms.segments import count_segments
from bot.types import Incoming, Reply
from bot.web.errors import json_error
from bot.web.keys import SERVICE, SETTINGS

MAX_TEXT = 4000
RENDERERS = {"telegram": render_html, "sms": render_sms, "simulator": render_plain}


def sms_messages(reply: Reply, latin: bool) -> list[dict[str, Any]]:
    """Each SMS as a handset receives it, with what it costs (the simulator's SMS view)."""
    found = []
    for text in render_sms_messages(reply, latin=latin):
        counted = count_segments(text)
        found.append({"text": text, "segments": counted.segments,
                      "encoding": counted.encoding, "characters": counted.units})
    return found


def reply_json(reply: Reply, channel: str, latin: bool = False) -> dict[str, Any]:
    """``latin``: the reader sent LAT, so the SMS view is in Latin letters, as a handset
    would get it."""
    messages = sms_messages(reply, latin)
    sms = "\n\n".join(m["text"] for m in messages)  # as render_sms() joins them
    return {
        "language": reply.language,
        "topic": reply.topic,
        "kind": reply.kind,
        "text": sms if channel == "sms" else RENDERERS[channel](reply),
        "options": [{"id": o.id, "label": o.label} for o in reply.options],
        "views": {
            "telegram": {"html": render_html(reply),
                         "buttons": [o.label for o in reply.options]},
            "sms": sms,
            "sms_messages": messages,
            "latin": latin,
            "plain": body_text(reply),
        },
    }


async def simulate(request: web.Request) -> web.Response:
    try:
        # json.loads on the bytes (UTF-8, -16 or -32), not request.json(): that decodes with
        # whatever charset the Content-Type names, and an unknown one was a 500.
        payload = json.loads(await request.read())
    except (ValueError, RecursionError):  # not JSON, not text, nested absurdly deep, or an
        # integer past Python's 4,300 digits
        return json_error(400, "the body must be JSON like {\"user\": \"a\", \"text\": \"/start\"}")
    if not isinstance(payload, dict):
        return json_error(400, "the body must be a JSON object")
    user, text = payload.get("user"), payload.get("text", "")
    option = payload.get("option")
    channel = payload.get("channel") or "simulator"
    if not isinstance(user, str | int) or isinstance(user, bool) or str(user) == "":
        return json_error(400, "'user' must be a non-empty string")
    if not isinstance(text, str) or (option is not None and not isinstance(option, str)):
        return json_error(400, "'text' and 'option' must be strings")
    if not isinstance(channel, str) or channel not in RENDERERS:
        return json_error(400, "'channel' must be 'telegram', 'sms' or 'simulator'")
    if not text.strip() and not option:
        return json_error(400, "'text' is empty")
    hint = payload.get("language")
    incoming = Incoming(
        channel="simulator",
        sender_key=sender_key(request.app[SETTINGS].secret_key, "simulator", str(user)),
        text=text[:MAX_TEXT],
        option=option,
        language_hint=hint if isinstance(hint, str) else None,
    )
    reply, session = await request.app[SERVICE].handle(incoming)
    return web.json_response(reply_json(reply, channel, latin=session.latin))
