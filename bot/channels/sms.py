"""SMS through Twilio: a signed form comes in, TwiML with the answer goes back.

    POST /sms/twilio ─ token set? ─ signature (RequestValidator over PUBLIC_URL + path) ─ 403
        ─> clean the body ─> BotService.answer_once ─> pages of ≤ 3 segments ─> TwiML
        ─> one transaction: claim MessageSid + keep the TwiML + save the session
           (a retry gets the TwiML kept first, whichever process it reaches)

Decisions:

- The route is always registered; without ``TWILIO_AUTH_TOKEN`` it answers 403 to
  everyone, so an operator who forgot the token sees "403" in Twilio's debugger rather
  than a 404 that looks like a wrong address, and nothing unsigned is ever answered.
- Opt-out: on exactly STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE or OPTOUT (or
  when Twilio's Advanced Opt-Out says ``OptOutType=STOP``) Twilio itself confirms and
  blocks further messages; we delete the session and answer an empty ``<Response/>``, so
  the person gets Twilio's confirmation only (ours would fail with error 21610, and its
  "write any message to start again" would contradict Twilio, which needs START). Other
  stop words (СТОП, "stop!") reach no Twilio rule: we delete and confirm ourselves.
- De-duplication key: ``MessageSid`` (unique per inbound message and the same on every
  retry), else the ``I-Twilio-Idempotency-Token`` header.

Privacy: the phone number makes the pseudonym and the country hint, then is dropped; no
number, body or message id is logged.
"""

from __future__ import annotations

import hmac
import logging
import traceback
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.config import Settings
from bot.engine import STOP_WORDS, normalize_command
from bot.i18n import Catalogs
from bot.phone import country_from_phone, language_for_country
from bot.privacy import sender_key
from bot.render.sms import render_notice, render_sms_messages
from bot.service import BotService
from bot.sms.text import clean_inbound
from bot.types import FALLBACK_LANGUAGE, Incoming, Reply, Session
from bot.web.keys import SERVICE, SETTINGS

log = logging.getLogger(__name__)

PATH = "/sms/twilio"
CHANNEL = "sms"
SIGNATURE_HEADER = "X-Twilio-Signature"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
#: Words Twilio acts on by itself on long codes when they are the whole message.
TWILIO_OPT_OUT = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
EMPTY = str(MessagingResponse())


@dataclass(frozen=True)
class Inbound:
    """What we use of Twilio's form: never stored, never logged."""

    sender: str
    text: str
    media: int
    opt_out_type: str
    message_key: str | None


def setup(app: web.Application) -> None:
    """Register ``POST /sms/twilio`` (it answers 403 until TWILIO_AUTH_TOKEN is set)."""
    app.router.add_post(PATH, twilio_webhook)


def signature_urls(request: web.Request, settings: Settings) -> list[str]:
    """The URLs Twilio may have signed: PUBLIC_URL + path; without it, the URL the request
    reached, built only from what the caller cannot choose.

    From a trusted proxy (``FORWARDED_ALLOW_IPS``), the proxy's ``X-Forwarded-Proto``/
    ``-Host`` and the ``Host`` it routed on name that URL. From anyone else these headers,
    ``Host`` included, are the caller's to set: believing them would let a signature made
    for another deployment on the same Twilio account (a replayed STOP) pass here. So the
    URL is the address the caller connected to, as this process's socket sees it.
    """
    if settings.public_url:
        return [settings.public_url.rstrip("/") + request.path_qs]
    if settings.forwarded_allow_ips.trusts(request.remote):
        # What request.url says, without building a yarl URL per message (several µs).
        urls = [f"{request.scheme}://{request.host}{request.path_qs}"]
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip()
        host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
        if proto or host:
            urls.append(f"{proto or request.scheme}://{host or request.host}{request.path_qs}")
        return urls
    transport = request.transport
    local = transport.get_extra_info("sockname") if transport is not None else None
    if not isinstance(local, tuple) or len(local) < 2:
        return []  # the connection is gone (or not TCP): nothing to check against
    address = f"[{local[0]}]" if ":" in str(local[0]) else str(local[0])
    return [f"{request.scheme}://{address}:{local[1]}{request.path_qs}"]


def is_signed(request: web.Request, form: MultiDictProxy[Any], settings: Settings) -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    validator = RequestValidator(str(settings.twilio_auth_token))
    urls = signature_urls(request, settings)
    # Twilio signs the URL it called, so that URL is tried first: one HMAC. ``validate``
    # also tries it with and without the port (Twilio has signed both ways), at twice the
    # cost and a URL parse — a tenth of an SMS's CPU in bench/bench_webhooks.py — so it is
    # only asked when the first form did not match.
    given = signature.encode("utf-8", "backslashreplace")
    return (any(hmac.compare_digest(validator.compute_signature(url, form).encode(), given)
                for url in urls)
            or any(validator.validate(url, form, signature) for url in urls))


def _field(form: MultiDictProxy[Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""  # a file part is not a Twilio field


def parse_inbound(request: web.Request, form: MultiDictProxy[Any]) -> Inbound:
    try:
        media = int(_field(form, "NumMedia") or 0)
    except ValueError:
        media = 0
    sid = _field(form, "MessageSid") or _field(form, "SmsSid")
    token = request.headers.get(IDEMPOTENCY_HEADER, "")
    key = f"sid:{sid}" if sid else (f"token:{token}" if token else None)
    return Inbound(sender=_field(form, "From").strip(), text=clean_inbound(_field(form, "Body")),
                   media=max(media, 0), opt_out_type=_field(form, "OptOutType").upper(),
                   message_key=key)


def twiml(messages: list[str]) -> str:
    response = MessagingResponse()
    for message in messages:
        response.message(message)
    return str(response)


def _xml(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/xml", charset="utf-8")


async def twilio_webhook(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not settings.twilio_auth_token:
        log.warning("SMS webhook called but TWILIO_AUTH_TOKEN is not set: answering 403")
        return web.Response(status=403, text="the SMS channel is not configured")
    try:
        form = await request.post()
    except (ValueError, LookupError):  # not a form, not text, or a charset nobody knows
        return web.Response(status=400, text="expected Twilio's form-encoded body")
    if not is_signed(request, form, settings):
        log.warning("SMS webhook rejected: missing or invalid X-Twilio-Signature")
        return web.Response(status=403, text="invalid signature")
    inbound = parse_inbound(request, form)
    if not inbound.sender:
        return web.Response(status=400, text="no From")
    service = request.app[SERVICE]
    key = sender_key(settings.secret_key, CHANNEL, inbound.sender)
    try:
        body = await answer(service, inbound, key)
    except Exception as exc:
        # Type and place only: an exception's message could carry the person's text.
        log.error("SMS answer failed: %s\n%s", type(exc).__name__,
                  "".join(traceback.format_tb(exc.__traceback__)))
        return _xml(_sorry(service, inbound))
    return _xml(body)


async def answer(service: BotService, inbound: Inbound, key: str) -> str:
    """The TwiML for one inbound message (the imperative part: loads and saves a session).

    A retry of a message (same ``MessageSid``) gets the first answer, whichever process
    gave it, and changes nothing: the answer is kept with the claim of the id.
    """
    country = country_from_phone(inbound.sender)
    word = normalize_command(inbound.text)
    twilio_stopped = (inbound.text.strip().lower() in TWILIO_OPT_OUT
                      or inbound.opt_out_type == "STOP")
    if not inbound.text:
        return await _notice(service, inbound, key, country)
    if twilio_stopped and word not in STOP_WORDS:
        await service.forget(key)  # a stop word of Twilio's Advanced Opt-Out, not ours
        return EMPTY
    incoming = Incoming(channel=CHANNEL, sender_key=key, text=inbound.text,
                        country_hint=country)

    def render(reply: Reply, after: Session) -> str:
        if twilio_stopped:
            return EMPTY
        if inbound.media:
            reply = _with_media_note(service, reply)
        return reply_twiml(reply, after.latin, service.catalogs)

    answered = await service.answer_once(incoming, render, CHANNEL, inbound.message_key)
    if word in STOP_WORDS and not answered.session.forget:
        await service.forget(key)  # e.g. rate-limited: a STOP still deletes
    return answered.body


@lru_cache(maxsize=2048)
def reply_twiml(reply: Reply, latin: bool, catalogs: Catalogs) -> str:
    """The TwiML of a reply. Cached: most answers are the same few hundred topic pages and
    menus, and paging and segment counting were a sixth of an SMS's CPU time in
    ``bench/bench_webhooks.py``; a reply (frozen, hashable) carries everything the text
    depends on, so an edited topic makes a new key rather than a stale hit."""
    return twiml(render_sms_messages(reply, latin=latin, catalogs=catalogs))


def _with_media_note(service: BotService, reply: Reply) -> Reply:
    t = service.catalogs.translator(reply.language)
    note = t("I can read only text, not pictures or files. Please write your question in words.")
    return replace(reply, blocks=(note, *reply.blocks))


async def _notice(service: BotService, inbound: Inbound, key: str, country: str | None) -> str:
    """An empty message or a picture alone: a polite line. The conversation stays where it
    is, but the rate limit counts the message: every answer is a billed SMS."""

    def note(session: Session) -> Reply:
        language = session.language or language_for_country(country) or FALLBACK_LANGUAGE
        t = service.catalogs.translator(language)
        text = (t("I can read only text, not pictures or files. Please write your question "
                  "in words.") if inbound.media > 0 else
                t("Your message was empty. Write your question, or send 0 for the menu."))
        return Reply(language=language, kind="help", blocks=(text,))

    def render(reply: Reply, after: Session) -> str:
        if not reply.blocks:  # the rate limit's silence
            return EMPTY
        return twiml([render_notice(reply.blocks[0], reply.language, after.latin)])

    incoming = Incoming(channel=CHANNEL, sender_key=key, country_hint=country)
    answered = await service.answer_once(incoming, render, CHANNEL, inbound.message_key,
                                         note=note)
    return answered.body


def _sorry(service: BotService, inbound: Inbound) -> str:
    language = language_for_country(country_from_phone(inbound.sender)) or FALLBACK_LANGUAGE
    t = service.catalogs.translator(language)
    return twiml([render_notice(t("Sorry, something went wrong. Please send your message again."),
                                language)])
