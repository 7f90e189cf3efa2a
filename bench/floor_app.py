"""The benchmark's floor: a bare aiohttp app that does the least a webhook must do.

``POST /sms/twilio`` parses Twilio's form and answers one fixed TwiML message;
``POST /telegram/webhook`` parses the Update JSON and answers ``{"ok": true}``. No
signature check, no database, no engine: what is left is aiohttp's own cost, which the
real service is measured against (``bench/bench_webhooks.py`` starts this in its own
process, as it starts ``python -m bot serve``).

    python bench/floor_app.py --port 8090
"""

from __future__ import annotations

import argparse
import json

from aiohttp import web

TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Ассалому алейкум! '
         "Send 0 for the menu.</Message></Response>")


async def sms(request: web.Request) -> web.Response:
    form = await request.post()
    if not form.get("From") or "Body" not in form:
        return web.Response(status=400, text="no From")
    return web.Response(text=TWIML, content_type="text/xml", charset="utf-8")


async def telegram(request: web.Request) -> web.Response:
    update = json.loads(await request.read())
    if not isinstance(update, dict) or "update_id" not in update:
        return web.json_response({"error": "not an Update"}, status=400)
    return web.json_response({"ok": True})


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app.router.add_post("/sms/twilio", sms)
    app.router.add_post("/telegram/webhook", telegram)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    # No access log: the real service logs no line for an answered request either.
    web.run_app(create_app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
