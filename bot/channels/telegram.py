"""Telegram: python-telegram-bot carries updates in and replies out; the engine decides.

    POST /telegram/webhook ─ secret? ─ JSON? ─ Update.de_json ─ application.process_update
    (or getUpdates polling) ─> on_update: claim update_id ─> private text or button?
        ─> BotService.handle ─> send_reply (new message, or the menu edited in place)

The route awaits ``process_update`` instead of putting the update on PTB's queue: Telegram
gets its 200 only once the reply went out, so a crash loses nothing (Telegram redelivers),
and requests run concurrently. De-duplication on ``update_id`` is ours, in the database,
so a redelivered update is answered once whichever process receives it. If the Bot API
was unreachable the claim is released and the webhook answers 503: Telegram tries again.

Privacy: the chat id is used only while the update is handled and as the input of the
keyed pseudonym; ids, names, usernames and texts are never logged (python-telegram-bot's
DEBUG log and httpx's request log are capped for that reason: they hold parameters and the
token).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import traceback
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, CallbackQuery, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType, UpdateType
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.telegram_send import is_transient, send_reply
from bot.config import ConfigError, Settings
from bot.privacy import sender_key
from bot.service import BotService
from bot.types import FALLBACK_LANGUAGE, LANGUAGES, Incoming, Option, Reply
from bot.understanding.langdetect import detect_language
from bot.web.errors import json_error
from bot.web.keys import SERVICE, SETTINGS

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
_SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")



def N_(message: str) -> str:  # gettext's name for "extract now, translate later"
    """Marks a string for ``pybabel extract`` (a default keyword); translated when sent."""
    return message


#: The command menu Telegram shows, per client language (``uz-Cyrl`` has no code there).
COMMANDS = (
    ("start", N_("Start again")),
    ("menu", N_("Main menu")),
    ("language", N_("Change language")),
    ("help", N_("How to use the bot")),
    ("stop", N_("Delete our conversation")),
)
COMMAND_LANGUAGES = ("ru", "ky", "tg", "uz")

NOT_TEXT = N_("I can only read text messages. Please type your question or choose a topic "
              "with the buttons.")
EDITED = N_("I only read new messages, not edited ones. Please send your question again as "
            "a new message.")


class TelegramChannel:
    """The python-telegram-bot Application and what it does with each update."""

    def __init__(self, settings: Settings, service: BotService) -> None:
        self.settings = settings
        self.service = service
        builder = Application.builder().token(settings.telegram_bot_token)
        if settings.telegram_api_base_url:
            builder = builder.base_url(settings.telegram_api_base_url)
        timeout = settings.telegram_timeout_seconds  # explicit: never wait on Telegram unbounded
        builder = (builder.connect_timeout(timeout).read_timeout(timeout)
                   .write_timeout(timeout).pool_timeout(timeout))
        if not settings.telegram_polling:
            builder = builder.updater(None)  # updates come through our own aiohttp route
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self.on_update))
        self.application.add_error_handler(self._on_error)
        self._redeliver: set[int] = set()  # update ids whose webhook call should get 503

    # -- start and stop --------------------------------------------------------------------
    async def lifecycle(self, _app: web.Application) -> AsyncIterator[None]:
        """aiohttp cleanup_ctx: initialize (getMe), register, start … stop, shutdown.

        A Bot API that cannot be reached at start must not take SMS and the simulator
        down with it: the channel keeps trying in the background, and until it is up the
        webhook answers 503 so that Telegram delivers the updates again later.
        """
        application = self.application
        retry: asyncio.Task[None] | None = None
        try:
            try:
                await self._start()
            except NetworkError as exc:
                log.error("telegram: Bot API unreachable at start (%s); retrying in the "
                          "background", type(exc).__name__)
                retry = asyncio.create_task(self._start_later())
            yield
        finally:
            if retry is not None:
                retry.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await retry
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()

    @property
    def ready(self) -> bool:
        return self.application.running

    async def _start(self) -> None:
        application = self.application
        try:
            await application.initialize()
        except InvalidToken:  # its message quotes the token, so it must not reach a log
            where = " at TELEGRAM_API_BASE_URL" if self.settings.telegram_api_base_url else ""
            raise ConfigError(
                f"TELEGRAM_BOT_TOKEN was rejected by the Bot API{where}. Hint: copy the token "
                "again from @BotFather, or unset TELEGRAM_BOT_TOKEN to serve without Telegram."
            ) from None
        if application.updater is not None:
            await application.updater.start_polling(allowed_updates=list(ALLOWED_UPDATES))
            log.info("telegram: polling for updates")
        elif self.settings.public_url:
            await self._register_webhook()
        await self._register_commands()
        await application.start()

    async def _start_later(self, first_delay: float = 2.0, longest: float = 60.0) -> None:
        delay = first_delay
        while True:
            await asyncio.sleep(delay)
            try:
                await self._start()
            except NetworkError:
                delay = min(delay * 2, longest)
                continue
            except ConfigError as exc:
                log.error("telegram: %s", exc)
                return
            log.warning("telegram: Bot API reachable, the channel is up")
            return

    async def _register_webhook(self) -> None:
        url = self.settings.public_url + WEBHOOK_PATH
        try:
            await self.application.bot.set_webhook(
                url, secret_token=self.settings.telegram_webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            log.info("telegram: webhook registered at %s", url)
        except TelegramError as exc:  # keep serving: an earlier registration may stand
            log.error("telegram: could not register the webhook: %s", type(exc).__name__)

    async def _register_commands(self) -> None:
        bot = self.application.bot
        for language in (None, *COMMAND_LANGUAGES):  # None: clients in any other language
            t = self.service.catalogs.translator(language or FALLBACK_LANGUAGE)
            commands = [BotCommand(name, t(description)) for name, description in COMMANDS]
            try:
                await bot.set_my_commands(commands, language_code=language)
            except TelegramError as exc:
                log.warning("telegram: could not set the %s commands: %s", language or "default",
                            type(exc).__name__)

    # -- the webhook -------------------------------------------------------------------------
    def secret_matches(self, given: str) -> bool:
        expected = self.settings.telegram_webhook_secret.encode()
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected)

    def parse(self, data: Any) -> Update | None:
        """An Update from decoded JSON, or None when it is not one."""
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        try:
            return Update.de_json(data, self.application.bot)
        except Exception:  # any shape python-telegram-bot cannot read is a bad request
            return None

    async def deliver(self, update: Update) -> bool:
        """Handle one webhook update; False when Telegram should deliver it again."""
        await self.application.process_update(update)
        if update.update_id in self._redeliver:
            self._redeliver.discard(update.update_id)
            return False
        return True

    # -- one update ----------------------------------------------------------------------------
    async def on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """De-duplicate, answer, and log the update's type and the outcome only."""
        kind = update_kind(update)
        claim = f"{self.application.bot.id}:{update.update_id}"
        if not await self._claim(claim):
            log.debug("telegram %s: already handled", kind)
            return
        chat = update.effective_chat
        key = sender_key(self.settings.secret_key, "telegram", str(chat.id)) if chat else None
        try:
            outcome = await self._dispatch(update, key)
        except Forbidden:  # the person blocked the bot: forget them
            if key is not None:
                await self.service.forget(key)
            outcome = "blocked, session deleted"
        except TelegramError as exc:
            if not is_transient(exc):
                raise
            await self._release(claim)
            if self.application.updater is None:
                self._redeliver.add(update.update_id)
            log.warning("telegram %s: %s, to be redelivered", kind, type(exc).__name__)
            return
        log.debug("telegram %s: %s", kind, outcome)

    async def _dispatch(self, update: Update, key: str | None) -> str:
        if update.callback_query is not None:
            return await self._on_button(update.callback_query, key)
        if update.my_chat_member is not None:
            member = update.my_chat_member
            if (key is not None and member.chat.type == ChatType.PRIVATE
                    and member.new_chat_member.status == ChatMemberStatus.BANNED):
                await self.service.forget(key)
                return "blocked, session deleted"
            return "ignored"
        if update.edited_message is not None:
            edited = update.edited_message
            if key is None or edited.chat.type != ChatType.PRIVATE:
                return "ignored"
            return await self._notice(edited, key, EDITED)
        message = update.message
        if message is None or key is None or message.chat.type != ChatType.PRIVATE:
            return "ignored"  # channel posts, group chats, inline queries …
        if message.text:
            incoming = Incoming(channel="telegram", sender_key=key, text=message.text,
                                language_hint=_language_code(message.from_user))
            reply, _ = await self.service.handle(incoming)
            return await send_reply(self.application.bot, message.chat.id, reply)
        if message.effective_attachment is not None:
            return await self._notice(message, key, NOT_TEXT)
        return "ignored"  # service messages: pinned, joined …

    async def _on_button(self, query: CallbackQuery, key: str | None) -> str:
        """Every press is answered at once, so the button never keeps spinning."""
        try:
            await query.answer()
        except TelegramError as exc:  # too old to answer: the reply below still comes
            log.debug("callback answer failed: %s", type(exc).__name__)
        message = query.message
        if (message is None or key is None or not query.data
                or message.chat.type != ChatType.PRIVATE):
            return "answered, ignored"
        incoming = Incoming(channel="telegram", sender_key=key, option=query.data,
                            language_hint=_language_code(query.from_user))
        reply, _ = await self.service.handle(incoming)
        return await send_reply(self.application.bot, message.chat.id, reply, edit=message)

    async def _notice(self, message: Message, key: str, text: str) -> str:
        """A short polite answer to what the bot cannot read, in the person's language."""
        language = await self._language_of(key, message.from_user)
        t = self.service.catalogs.translator(language)
        reply = Reply(language=language, kind="help", blocks=(t(text),),
                      options=(Option("nav:menu", t("Menu")),))
        try:
            return await send_reply(self.application.bot, message.chat.id, reply)
        except Forbidden:
            raise
        except TelegramError as exc:  # best effort: a sticker storm is not worth a retry
            log.debug("notice not sent: %s", type(exc).__name__)
            return "notice failed"

    async def _language_of(self, key: str, user: User | None) -> str:
        try:
            session = await self.service.store.load(key)
        except (SQLAlchemyError, OSError):
            session = None
        if session is not None and session.language in LANGUAGES:
            return session.language
        return detect_language("", hint=_language_code(user)) or FALLBACK_LANGUAGE

    async def _claim(self, message_id: str) -> bool:
        """True when this update is new. Without a database, answer rather than drop it."""
        try:
            return (await self.service.store.claim("telegram", message_id)).new
        except (SQLAlchemyError, OSError) as exc:
            log.warning("telegram: no de-duplication (%s)", type(exc).__name__)
            return True

    async def _release(self, message_id: str) -> None:
        try:
            await self.service.store.release("telegram", message_id)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("telegram: claim not released (%s)", type(exc).__name__)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error's type and where it happened; its message may quote the person."""
        error = context.error
        where = traceback.extract_tb(error.__traceback__)[-1] if error is not None \
            and error.__traceback__ else None
        place = f" at {where.filename}:{where.lineno}" if where else ""
        kind = update_kind(update) if isinstance(update, Update) else "no update"
        log.error("telegram %s: unhandled %s%s", kind, type(error).__name__, place)


def update_kind(update: Update) -> str:
    """``message``, ``callback_query`` …: the only thing about an update that is logged."""
    return next((kind.value for kind in UpdateType if getattr(update, kind.value, None)),
                "other")


def _language_code(user: User | None) -> str | None:
    return user.language_code if user is not None else None


TELEGRAM = web.AppKey("telegram", TelegramChannel)


async def webhook(request: web.Request) -> web.Response:
    """Verify, parse, hand over; 200 once answered, 503 when Telegram should retry."""
    channel = request.app[TELEGRAM]
    if not channel.secret_matches(request.headers.get(SECRET_HEADER, "")):
        return json_error(403, "wrong or missing secret token")
    try:
        data = json.loads(await request.read())
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested absurdly deep
        return json_error(400, "the body must be a Telegram Update as JSON")
    update = channel.parse(data)
    if update is None:
        return json_error(400, "the body is not a Telegram Update")
    if not channel.ready:
        return json_error(503, "the Telegram channel is starting; please deliver it again")
    if not await channel.deliver(update):
        return json_error(503, "the Bot API did not answer; please deliver the update again")
    return web.json_response({"ok": True})


class _RedactTokens(logging.Filter):
    """Replaces bot tokens in a record's text, should httpx's request log be let through."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(token in message for token in self.tokens):
            for token in self.tokens:
                message = message.replace(token, "<TELEGRAM_BOT_TOKEN>")
            record.msg, record.args = message, ()
        return True


_REDACT = _RedactTokens()


def _cap_library_logs(token: str) -> None:
    """python-telegram-bot logs call parameters (chat ids, texts) at DEBUG; httpx logs
    each request's URL, which holds the bot token, at INFO (and is redacted besides)."""
    for name, level in (("telegram", logging.INFO), ("httpx", logging.WARNING),
                        ("httpcore", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, level))
    _REDACT.tokens.add(token)
    logging.getLogger("httpx").addFilter(_REDACT)  # added once: filters are a set


def setup(app: web.Application) -> None:
    """The Telegram channel, when TELEGRAM_BOT_TOKEN is set; nothing otherwise."""
    settings = app[SETTINGS]
    if not settings.telegram_bot_token:
        return
    if not settings.telegram_polling:
        secret = settings.telegram_webhook_secret
        if not _SECRET_FORM.fullmatch(secret):
            raise ConfigError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
                "(it proves that webhook calls come from Telegram). Hint: "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))', or set "
                "TELEGRAM_POLLING=1 to poll without a webhook."
            )
    _cap_library_logs(str(settings.telegram_bot_token))
    channel = TelegramChannel(settings, app[SERVICE])
    app[TELEGRAM] = channel
    if not settings.telegram_polling:
        app.router.add_post(WEBHOOK_PATH, webhook)
    app.cleanup_ctx.append(channel.lifecycle)
