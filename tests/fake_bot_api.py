"""A Telegram Bot API server on loopback, for tests and benchmarks.

A real aiohttp server on 127.0.0.1 (a free port) that answers the Bot API methods the bot
uses, the way Telegram does, and records every call. Point python-telegram-bot at it with
``base_url`` (``TELEGRAM_API_BASE_URL``)::

    async with FakeBotApi() as api:
        settings = make_settings(..., telegram_bot_token=api.token,
                                 telegram_api_base_url=api.base_url)
        ...
        assert api.calls_to("sendMessage")[0].params["chat_id"] == 42

Faults are queued per method (``api.fail("sendMessage", 403, "Forbidden: bot was blocked
by the user")``), latency is ``api.delay`` seconds a call, and ``api.push(update)`` feeds
``getUpdates`` (polling). ``updates`` builds Update JSON as Telegram sends it.

Standalone, for a benchmark against a running service::

    python tests/fake_bot_api.py --port 8081   # then TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_TOKEN = "123456789:TEST-token_for-the-loopback-api"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Migrant Rights Test Bot",
            "username": "migrant_rights_test_bot", "can_join_groups": False,
            "can_read_all_group_messages": False, "supports_inline_queries": False}

# python-telegram-bot sends strings as they are and JSON-encodes everything else; these
# parameters are strings even when they look like numbers or JSON.
STRING_PARAMS = frozenset({
    "text", "caption", "callback_query_id", "inline_message_id", "parse_mode", "url",
    "secret_token", "language_code", "description", "short_description", "name", "query",
    "ip_address",
})


@dataclass(frozen=True)
class Call:
    """One request to the API: the method, its decoded parameters, what it returned."""

    method: str
    params: dict[str, Any]
    result: Any = None  # the ``result`` answered (a Message dict for sendMessage), or None
    error_code: int | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    error_code: int
    description: str
    retry_after: int | None = None


def decode_params(raw: dict[str, str]) -> dict[str, Any]:
    """Form values back to what the bot meant: numbers, lists and objects decoded."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if name in STRING_PARAMS:
            params[name] = value
            continue
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


class FakeBotApi:
    """The loopback Bot API. ``async with`` starts and stops it."""

    def __init__(self, token: str = DEFAULT_TOKEN, delay: float = 0.0) -> None:
        self.token = token
        self.delay = delay
        self.calls: list[Call] = []
        self.port = 0
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._updates: deque[dict[str, Any]] = deque()
        self._new_update = asyncio.Event()
        self._message_ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """python-telegram-bot's ``base_url`` form: the token is appended to it."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- what a test arranges --------------------------------------------------------------
    def fail(self, method: str, error_code: int, description: str, times: int = 1,
             retry_after: int | None = None) -> None:
        """The next ``times`` calls of ``method`` answer with this error."""
        for _ in range(times):
            self._faults[method].append(Fault(error_code, description, retry_after))

    def push(self, update: dict[str, Any]) -> None:
        """An update for the next ``getUpdates`` (polling)."""
        self._updates.append(update)
        self._new_update.set()

    # -- what a test checks -----------------------------------------------------------------
    def calls_to(self, *methods: str) -> list[Call]:
        return [call for call in self.calls if call.method in methods]

    def replies(self) -> list[Call]:
        """Calls that show the person something: sent or edited messages."""
        return self.calls_to("sendMessage", "editMessageText")

    def clear(self) -> None:
        self.calls.clear()

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` has been called ``count`` times (polling is asynchronous)."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{method} called {len(self.calls_to(method))} times, "
                                   f"expected {count}")
            await asyncio.sleep(0.02)
        return self.calls_to(method)

    # -- the server -----------------------------------------------------------------------------
    async def _serve(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = decode_params({k: v for k, v in (await request.post()).items()
                                    if isinstance(v, str)})
        arrived = time.monotonic()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._faults[method]:
            fault = self._faults[method].popleft()
            self.calls.append(Call(method, params, error_code=fault.error_code, at=arrived))
            extra = {"parameters": {"retry_after": fault.retry_after}} \
                if fault.retry_after is not None else {}
            return _error(fault.error_code, fault.description, **extra)
        answer = getattr(self, "_" + method, None)
        if answer is None:
            self.calls.append(Call(method, params, error_code=404, at=arrived))
            return _error(404, "Not Found: method not found")
        result = await answer(params)
        self.calls.append(Call(method, params, result=result, at=arrived))
        return web.json_response({"ok": True, "result": result})

    async def _getMe(self, _params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        return self._message(params, next(self._message_ids))

    async def _editMessageText(self, params: dict[str, Any]) -> Any:
        if "inline_message_id" in params:
            return True
        return self._message(params, int(params.get("message_id", 0)), edited=True)

    async def _getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed by the offset, as Telegram does
        if not self._updates:
            self._new_update.clear()
            timeout = float(params.get("timeout") or 0)
            with contextlib.suppress(TimeoutError):  # a long poll that found nothing
                await asyncio.wait_for(self._new_update.wait(), timeout=min(timeout, 1.0))
        return [u for u in self._updates if u["update_id"] >= offset]

    async def _true(self, _params: dict[str, Any]) -> Any:
        return True

    _answerCallbackQuery = _setWebhook = _deleteWebhook = _setMyCommands = _true
    _deleteMyCommands = _deleteMessage = _sendChatAction = _close = _logOut = _true

    async def _getWebhookInfo(self, _params: dict[str, Any]) -> Any:
        url = next((c.params.get("url", "") for c in reversed(self.calls_to("setWebhook"))), "")
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    def _message(self, params: dict[str, Any], message_id: int, edited: bool = False) -> dict:
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": params.get("chat_id"), "type": "private"},
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "text": params.get("text", ""),
        }
        if edited:
            message["edit_date"] = int(time.time())
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        return message


def _error(code: int, description: str, **extra: Any) -> web.Response:
    body = {"ok": False, "error_code": code, "description": description, **extra}
    return web.json_response(body, status=code)


class UpdateFactory:
    """Update JSON as Telegram sends it, with increasing update ids."""

    def __init__(self, first_update_id: int = 500_000) -> None:
        self._ids = itertools.count(first_update_id)
        self._message_ids = itertools.count(1)

    @staticmethod
    def user(user_id: int, language_code: str | None = None, first_name: str = "Test",
             username: str | None = None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        if username:
            user["username"] = username
        return user

    def message(self, chat_id: int, text: str | None = None, *, chat_type: str = "private",
                key: str = "message", user: dict[str, Any] | None = None,
                **content: Any) -> dict[str, Any]:
        """A message update (``key="edited_message"``, ``"channel_post"`` … for others)."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = (user or {}).get("first_name", "Test")
        else:
            chat["title"] = "A group"
        message: dict[str, Any] = {"message_id": next(self._message_ids),
                                   "date": int(time.time()), "chat": chat, **content}
        if key != "channel_post":
            message["from"] = user or self.user(chat_id)
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split(" ", 1)[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if key == "edited_message":
            message["edit_date"] = int(time.time())
        return {"update_id": next(self._ids), key: message}

    def button(self, chat_id: int, data: str, message: dict[str, Any] | None = None,
               user: dict[str, Any] | None = None) -> dict[str, Any]:
        """A pressed inline button under ``message`` (a Message dict the bot sent)."""
        query: dict[str, Any] = {
            "id": str(next(self._ids)),
            "from": user or self.user(chat_id),
            "chat_instance": "ci-1",
            "data": data,
        }
        if message is not None:
            query["message"] = message
        return {"update_id": next(self._ids), "callback_query": query}

    def blocked(self, chat_id: int, user: dict[str, Any] | None = None) -> dict[str, Any]:
        """The person blocked the bot (``my_chat_member``: member → kicked)."""
        person = user or self.user(chat_id)
        bot = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}
        return {"update_id": next(self._ids), "my_chat_member": {
            "chat": {"id": chat_id, "type": "private", "first_name": person["first_name"]},
            "from": person,
            "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "member"},
            "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
        }}


async def _main() -> None:
    parser = argparse.ArgumentParser(description="A loopback Telegram Bot API for benchmarks.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds a call takes")
    args = parser.parse_args()
    api = FakeBotApi(token=args.token, delay=args.delay)
    await api.start(args.port)
    print(f"Bot API on {api.base_url} (token {api.token})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.close()


if __name__ == "__main__":
    asyncio.run(_main())
