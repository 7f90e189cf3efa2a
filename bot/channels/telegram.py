"""Telegram: python-telegram-bot carries updates in and replies out; the engine decides.

    POST /telegram/webhook ─ secret? ─ JSON? ─ Update.de_json ─ TelegramChannel.handle
    (or getUpdates polling) ─> private text, button, sticker …?
        ─> BotService.answer_once: one transaction claims update_id, keeps the reply
           (pending) and saves the session ─> send_reply ─> mark the reply sent ─> 200

At least once for replies, exactly once for everything else. The route awaits the whole
handling instead of queueing the update: Telegram gets its 200 only once the Bot API
accepted the reply. The reply is worked out once, and kept in the database with the claim
of the update before it is sent (as SMS keeps its TwiML), so:

- a redelivery after a Bot API failure (the webhook answered 503) or after a crash (no
  answer at all) finds the kept reply still pending and sends it — without moving the
  session or counting the message again, whichever process receives it;
- a redelivery of an update whose reply went out gets 200 and sends nothing;
- the same update delivered twice at once to one process is answered once.

What remains possible is a duplicate, never a loss: a crash after the Bot API accepted a
reply but before it was marked sent makes the redelivery send it a second time.

Privacy: the chat id is used only while the update is handled and as the input of the
keyed pseudonym; ids, names, usernames and texts are never logged (``telegram_logs.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, CallbackQuery, MaybeInaccessibleMessage, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.telegram_logs import cap_library_logs, log_unhandled, update_kind
from bot.channels.telegram_send import Outgoing, is_transient, send_reply
from bot.config import ConfigError, Settings
from bot.privacy import sender_key
from bot.service import BotService, Note
from bot.types import FALLBACK_LANGUAGE, LANGUAGES, Incoming, Option, Reply, Session
from bot.understanding.langdetect import detect_language
from bot.web.errors import json_error
from bot.web.keys import SERVICE, SETTINGS

log = logging.getLogger(__name__)

CHANNEL = "telegram"
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
        self._running: dict[str, asyncio.Future[bool]] = {}  # updates being answered now

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
        return await self.handle(update)

    # -- one update ----------------------------------------------------------------------------
    async def on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """python-telegram-bot's handler, for updates fetched by polling."""
        await self.handle(update)

    async def handle(self, update: Update) -> bool:
        """Answer the update once; False when Telegram should deliver it again (503).

        The same update delivered twice at once to this process is answered by the first
        delivery; the second waits for it and gets the same outcome.
        """
        claim = f"{self.application.bot.id}:{update.update_id}"
        running = self._running.get(claim)
        if running is not None:
            return await asyncio.shield(running)
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._running[claim] = done
        answered = False
        try:
            answered = await self._handle(update, claim)
        finally:
            del self._running[claim]
            done.set_result(answered)
        return answered

    async def _handle(self, update: Update, claim: str) -> bool:
        """Answer, and log the update's type and the outcome only."""
        kind = update_kind(update)
        chat = update.effective_chat
        key = sender_key(self.settings.secret_key, "telegram", str(chat.id)) if chat else None
        try:
            outcome = await self._dispatch(update, key, claim)
        except Forbidden:  # the person blocked the bot: forget them
            if key is not None:
                await self.service.forget(key)
            outcome = "blocked, session deleted"
        except TelegramError as exc:
            if is_transient(exc):
                # The reply stays kept with the claim: the redelivery sends it.
                log.warning("telegram %s: %s, to be redelivered", kind, type(exc).__name__)
                return False
            log_unhandled(kind, exc)
        except Exception as exc:  # a bug: Telegram redelivering would only repeat it
            log_unhandled(kind, exc)
        else:
            log.debug("telegram %s: %s", kind, outcome)
        return True

    async def _dispatch(self, update: Update, key: str | None, claim: str) -> str:
        if update.callback_query is not None:
            return await self._on_button(update.callback_query, key, claim)
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
            return await self._notice(edited, key, claim, EDITED)
        message = update.message
        if message is None or key is None or message.chat.type != ChatType.PRIVATE:
            return "ignored"  # channel posts, group chats, inline queries …
        if message.text:
            incoming = Incoming(channel="telegram", sender_key=key, text=message.text,
                                language_hint=_language_code(message.from_user))
            return await self._answer(incoming, message.chat.id, claim)
        if message.effective_attachment is not None:
            return await self._notice(message, key, claim, NOT_TEXT)
        return "ignored"  # service messages: pinned, joined …

    async def _on_button(self, query: CallbackQuery, key: str | None, claim: str) -> str:
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
        return await self._answer(incoming, message.chat.id, claim, edit=message)

    async def _answer(self, incoming: Incoming, chat_id: int, claim: str,
                      edit: MaybeInaccessibleMessage | None = None,
                      note: Note | None = None) -> str:
        """Work the reply out and keep it with the claim of the update (one transaction
        with the session's save), then send it, then mark it sent. A redelivery of an
        update whose reply is kept but not marked sends that reply again, and changes
        nothing else; one whose reply was sent is answered 200 and sends nothing."""
        answered = await self.service.answer_once(incoming, _outgoing_json, CHANNEL, claim,
                                                  pending=True, note=note)
        if not answered.first and not answered.pending:
            return "already answered"
        out = Outgoing.from_json(answered.body)
        if out is None:  # not a reply this version keeps: treat the update as handled
            return "already answered, by another version"
        outcome = await send_reply(self.application.bot, chat_id, out, edit=edit)
        if answered.pending:
            await self._sent(claim)
        return outcome if answered.first else f"{outcome} again after a redelivery"

    async def _notice(self, message: Message, key: str, claim: str, text: str) -> str:
        """A short polite answer to what the bot cannot read, in the person's language;
        the rate limit counts it like any message."""
        hint = _language_code(message.from_user)

        def note(session: Session) -> Reply:
            language = session.language if session.language in LANGUAGES else (
                detect_language("", hint=hint) or FALLBACK_LANGUAGE)
            t = self.service.catalogs.translator(language)
            return Reply(language=language, kind="help", blocks=(t(text),),
                         options=(Option("nav:menu", t("Menu")),))

        incoming = Incoming(channel="telegram", sender_key=key, language_hint=hint)
        try:
            return await self._answer(incoming, message.chat.id, claim, note=note)
        except Forbidden:
            raise
        except TelegramError as exc:  # best effort: a sticker storm is not worth a retry
            log.debug("notice not sent: %s", type(exc).__name__)
            return "notice failed"

    async def _sent(self, claim: str) -> None:
        try:
            await self.service.store.mark_sent(CHANNEL, claim)
        except (SQLAlchemyError, OSError) as exc:  # Telegram has its 200: no redelivery
            log.warning("telegram: reply sent but not marked so (%s)", type(exc).__name__)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """python-telegram-bot's own errors (polling)."""
        kind = update_kind(update) if isinstance(update, Update) else "no update"
        log_unhandled(kind, context.error)


def _outgoing_json(reply: Reply, _after: Session) -> str:
    return Outgoing.of(reply).to_json()


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
    cap_library_logs(str(settings.telegram_bot_token))
    channel = TelegramChannel(settings, app[SERVICE])
    app[TELEGRAM] = channel
    if not settings.telegram_polling:
        app.router.add_post(WEBHOOK_PATH, webhook)
    app.cleanup_ctx.append(channel.lifecycle)
