"""``/stats``: the statistics dashboard for NGO staff, and the recorder's life cycle.

``setup(app)`` is a web-app extension: it hooks the recorder into the service's
listeners, starts it with the app (taking over journals a stopped process left), flushes
it on shutdown (SIGTERM included), and registers the routes. Every route needs
``ADMIN_TOKEN``: as ``Authorization: Bearer`` (scripts) or through the sign-in form, which
sets an HttpOnly, SameSite=Strict cookie (Secure when ``PUBLIC_URL`` is https). Without
``ADMIN_TOKEN`` the dashboard is off. While the database is down, every page that needs it
answers 503, so a script knows to try again.
"""

from __future__ import annotations

import html
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from string import Template
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.stats import auth
from bot.stats.dashboard import CHANNEL_CHOICES, LANGUAGE_NAMES, render_dashboard, template
from bot.stats.formats import content_titles, to_csv, to_json
from bot.stats.journal import Journal
from bot.stats.noise import Noise
from bot.stats.queries import last_closed_day, load_report
from bot.stats.recorder import Recorder
from bot.stats.report import Report, Titles
from bot.stats.signout import current_generation, sign_out_everywhere
from bot.stats.words import LANGUAGES, Words, negotiate, words
from bot.web.keys import CONTENT, SERVICE, SETTINGS, STORE

log = logging.getLogger(__name__)

RECORDER = web.AppKey("stats_recorder", Recorder)
GUARD = web.AppKey("stats_guard", auth.Guard)
DEFAULT_DAYS = 30
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup(app: web.Application) -> None:
    settings = app[SETTINGS]
    recorder = Recorder(app[STORE].engine, flush_seconds=settings.stats_flush_seconds,
                        journal=Journal(settings.data_dir / "stats"))
    app[RECORDER] = recorder
    app[GUARD] = auth.Guard()
    app[SERVICE].listeners.append(recorder.record)
    app.cleanup_ctx.append(_recording(recorder))
    app.router.add_get("/stats", _needs_database(dashboard))
    app.router.add_get("/stats/report.csv", _needs_database(report_csv))
    app.router.add_get("/stats/report.json", _needs_database(report_json))
    app.router.add_post("/stats/login", _needs_database(login))
    app.router.add_post("/stats/logout", _needs_database(logout))


def _recording(recorder: Recorder) -> Callable[[web.Application], AsyncIterator[None]]:
    async def recording(_app: web.Application) -> AsyncIterator[None]:
        recorder.start()
        yield
        await recorder.stop()  # runs before the core disposes of the database engine

    return recording


def _needs_database(handler: Handler) -> Handler:
    """The database down is a 503 (try again later), never a 500."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("statistics: the database cannot be read (%s)", type(exc).__name__)
            tr = _words(request)
            text = tr("The statistics database cannot be reached just now; try again in a "
                      "minute.")
            return _secure_headers(web.Response(status=503, text=text + "\n",
                                                headers={"Retry-After": "60"}))

    return guarded


# -- access -------------------------------------------------------------------------------
async def check_access(request: web.Request) -> str:
    """"ok", "off" (no ADMIN_TOKEN), "locked" (too many wrong tokens) or "anonymous"."""
    token = request.app[SETTINGS].admin_token
    if not token:
        return "off"
    guard, remote = request.app[GUARD], request.remote
    given = auth.bearer(request.headers.get("Authorization", ""))
    if given is not None:
        if guard.locked(remote):
            return "locked"
        if auth.token_matches(token, given):
            return "ok"
        guard.failed(remote)
        log.warning("statistics: a wrong Bearer token was refused")
        return "anonymous"
    cookie = request.cookies.get(auth.COOKIE, "")
    generation = auth.session_generation(token, cookie, time.time()) if cookie else None
    if generation is None:
        return "anonymous"
    current = await current_generation(request.app[STORE].engine)
    return "ok" if generation == current else "anonymous"


def _words(request: web.Request) -> Words:
    language = negotiate(request.query.get("lang"), request.headers.get("Accept-Language", ""))
    return words(language, request.app[SETTINGS].locales_dir)


def _refusal(request: web.Request, access: str, page: bool) -> web.Response:
    tr = _words(request)
    if access == "off":
        return web.Response(status=403, text=tr("The statistics dashboard is off: set "
                                                "ADMIN_TOKEN to open it.") + "\n")
    if access == "locked":
        return web.Response(status=429, text=tr("Too many wrong tokens; try again in a "
                                                "minute.") + "\n",
                            headers={"Retry-After": str(int(auth.WINDOW_SECONDS))})
    headers = {"WWW-Authenticate": 'Bearer realm="stats"'}
    if page:
        return _page("login.html", tr, status=401, headers=headers)
    return web.Response(status=401, text="Send Authorization: Bearer <ADMIN_TOKEN>.\n",
                        headers=headers)


def _secure_headers(response: web.Response, nonce: str | None = None) -> web.Response:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src {script}; style-src {style}; img-src data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _page(name: str, tr: Words, status: int = 200, message: str = "",
          headers: dict[str, str] | None = None) -> web.Response:
    nonce = secrets.token_urlsafe(16)
    languages = " · ".join(
        f'<a href="/stats?lang={lang}" lang="{lang}">{LANGUAGE_NAMES[lang]}</a>'
        for lang in LANGUAGES)
    body = Template(template(name)).substitute(
        nonce=nonce, css=template("base.css"), lang=tr.language, languages_nav=languages,
        t_title=html.escape(tr("Usage statistics — sign in")),
        t_heading=html.escape(tr("Usage statistics")),
        t_note=html.escape(tr("For NGO staff. Enter the dashboard token (the service's "
                              "ADMIN_TOKEN).")),
        t_token=html.escape(tr("Token")), t_sign_in=html.escape(tr("Sign in")),
        message=f'<p class="error" role="alert">{html.escape(message)}</p>' if message else "")
    response = web.Response(status=status, text=body, content_type="text/html",
                            headers=headers)
    return _secure_headers(response, nonce)


def _cross_site(request: web.Request) -> web.Response | None:
    """A sign-in or sign-out posted from another site's page is refused."""
    if auth.same_origin(request.headers, request.host):
        return None
    log.warning("statistics: a cross-site %s was refused", request.path)
    tr = _words(request)
    return web.Response(status=403,
                        text=tr("Sign in and out from the dashboard's own page.") + "\n")


async def login(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    if not settings.admin_token:
        return _refusal(request, "off", page=True)
    if (refused := _cross_site(request)) is not None:
        return refused
    guard, remote = request.app[GUARD], request.remote
    if guard.locked(remote):
        return _refusal(request, "locked", page=True)
    form = await request.post()
    given = form.get("token")
    if not isinstance(given, str) or not auth.token_matches(settings.admin_token, given):
        guard.failed(remote)
        log.warning("statistics: a sign-in with a wrong token was refused")
        tr = _words(request)
        return _page("login.html", tr, status=401, message=tr("That token is not right."))
    generation = await current_generation(request.app[STORE].engine)
    expires = int(time.time()) + auth.SESSION_SECONDS
    response = web.HTTPSeeOther("/stats?" + urlencode({"lang": _words(request).language}))
    response.set_cookie(
        auth.COOKIE, auth.session_value(settings.admin_token, expires, generation),
        # Path "/": the same sign-in opens the simulator's API on a public service.
        max_age=auth.SESSION_SECONDS, path="/", httponly=True, samesite="Strict",
        secure=settings.public_url.startswith("https://"))
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """Sign out every session (a copied cookie too): the generation goes up."""
    if (refused := _cross_site(request)) is not None:
        return refused
    if await check_access(request) == "ok":
        await sign_out_everywhere(request.app[STORE].engine)
        log.info("statistics: signed out of every dashboard session")
    response = web.HTTPSeeOther("/stats")
    response.del_cookie(auth.COOKIE, path="/")
    raise response


# -- reports ------------------------------------------------------------------------------
def _noise(request: web.Request) -> Noise:
    settings = request.app[SETTINGS]
    return Noise.keyed(settings.secret_key, settings.stats_epsilon)


def _range(request: web.Request, noise: Noise) -> tuple[date, date]:
    """?since=&until= (YYYY-MM-DD, UTC); the last 30 days by default."""
    try:
        until_text = request.query.get("until") or ""
        if until_text:
            until = date.fromisoformat(until_text)
        else:  # with noise, a day shows once it is over
            until = datetime.now(UTC).date() if noise.exact else last_closed_day()
        since_text = request.query.get("since") or ""
        since = (date.fromisoformat(since_text) if since_text
                 else until - timedelta(days=DEFAULT_DAYS - 1))
    except ValueError:
        raise web.HTTPBadRequest(text="since and until must be dates like 2026-11-28\n") \
            from None
    if since > until:
        raise web.HTTPBadRequest(text="since must not be after until\n")
    return since, until


def _channel(request: web.Request) -> str:
    channel = request.query.get("channel", "")
    if channel not in CHANNEL_CHOICES:
        raise web.HTTPBadRequest(text="channel must be one of: telegram, sms, simulator, all\n")
    return channel


async def _report(request: web.Request) -> Report:
    noise = _noise(request)
    since, until = _range(request, noise)
    channel = _channel(request)
    return await load_report(request.app[STORE].engine, request.app[SETTINGS].stats_min_count,
                             since, until, noise=noise, channels=(channel,) if channel else ())


def _titles(request: web.Request, tr: Words) -> Titles:
    return content_titles(request.app[CONTENT].tree, tr.language)


async def report_csv(request: web.Request) -> web.StreamResponse:
    access = await check_access(request)
    if access != "ok":
        return _refusal(request, access, page=False)
    report, tr = await _report(request), _words(request)
    name = f"stats-{report.since}-{report.until}.csv"
    response = web.Response(text=to_csv(report, _titles(request, tr), tr),
                            content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return _secure_headers(response)


async def report_json(request: web.Request) -> web.StreamResponse:
    access = await check_access(request)
    if access != "ok":
        return _refusal(request, access, page=False)
    report, tr = await _report(request), _words(request)
    return _secure_headers(web.json_response(to_json(report, _titles(request, tr), tr)))


async def dashboard(request: web.Request) -> web.StreamResponse:
    access = await check_access(request)
    if access != "ok":
        return _refusal(request, access, page=True)
    report, tr = await _report(request), _words(request)
    nonce = secrets.token_urlsafe(16)
    body = render_dashboard(report, nonce, tr, _titles(request, tr), _channel(request))
    return _secure_headers(web.Response(text=body, content_type="text/html"), nonce)
