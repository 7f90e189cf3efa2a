"""``/stats``: the statistics dashboard for NGO staff, and the recorder's life cycle.

``setup(app)`` is a web-app extension: it hooks the recorder into the service's
listeners, starts it with the app and flushes it on shutdown (SIGTERM included), and
registers the routes. Every route needs ``ADMIN_TOKEN``: as ``Authorization: Bearer``
(scripts) or through the sign-in form, which sets an HttpOnly, SameSite=Strict cookie
(Secure when ``PUBLIC_URL`` is https). Without ``ADMIN_TOKEN`` the dashboard is off.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from string import Template

from aiohttp import web

from bot.stats import auth
from bot.stats.formats import share_text, shown_text, to_csv, to_json, topic_label
from bot.stats.queries import load_report
from bot.stats.recorder import Recorder
from bot.stats.report import Report
from bot.web.keys import SERVICE, SETTINGS, STORE

log = logging.getLogger(__name__)

RECORDER = web.AppKey("stats_recorder", Recorder)
GUARD = web.AppKey("stats_guard", auth.Guard)
TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_DAYS = 30


def setup(app: web.Application) -> None:
    settings = app[SETTINGS]
    recorder = Recorder(app[STORE].engine, flush_seconds=settings.stats_flush_seconds)
    app[RECORDER] = recorder
    app[GUARD] = auth.Guard()
    app[SERVICE].listeners.append(recorder.record)
    app.cleanup_ctx.append(_recording(recorder))
    app.router.add_get("/stats", dashboard)
    app.router.add_get("/stats/report.csv", report_csv)
    app.router.add_get("/stats/report.json", report_json)
    app.router.add_post("/stats/login", login)
    app.router.add_post("/stats/logout", logout)


def _recording(recorder: Recorder) -> Callable[[web.Application], AsyncIterator[None]]:
    async def recording(_app: web.Application) -> AsyncIterator[None]:
        recorder.start()
        yield
        await recorder.stop()  # runs before the core disposes of the database engine

    return recording


# -- access -------------------------------------------------------------------------------
def _access(request: web.Request) -> str:
    """"ok", "off" (no ADMIN_TOKEN), "locked" (too many wrong tokens) or "anonymous"."""
    token = request.app[SETTINGS].admin_token
    if not token:
        return "off"
    guard = request.app[GUARD]
    given = auth.bearer(request.headers.get("Authorization", ""))
    if given is not None:
        if guard.locked():
            return "locked"
        if auth.token_matches(token, given):
            return "ok"
        guard.failed()
        log.warning("statistics: a wrong Bearer token was refused")
        return "anonymous"
    cookie = request.cookies.get(auth.COOKIE, "")
    return "ok" if cookie and auth.valid_session(token, cookie, time.time()) else "anonymous"


def _refusal(access: str, page: bool) -> web.Response:
    if access == "off":
        return web.Response(status=403, text="The statistics dashboard is off: set ADMIN_TOKEN "
                                             "to open it.\n")
    if access == "locked":
        return web.Response(status=429, text="Too many wrong tokens; try again in a minute.\n",
                            headers={"Retry-After": str(int(auth.WINDOW_SECONDS))})
    headers = {"WWW-Authenticate": 'Bearer realm="stats"'}
    if page:
        return _login_page(status=401, headers=headers)
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


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _login_page(status: int = 200, message: str = "",
                headers: dict[str, str] | None = None) -> web.Response:
    nonce = secrets.token_urlsafe(16)
    body = Template(_template("login.html")).substitute(
        nonce=nonce, css=_template("base.css"),
        message=f'<p class="error" role="alert">{html.escape(message)}</p>' if message else "")
    response = web.Response(status=status, text=body, content_type="text/html",
                            headers=headers)
    return _secure_headers(response, nonce)


async def login(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not settings.admin_token:
        return _refusal("off", page=True)
    guard = request.app[GUARD]
    if guard.locked():
        return _refusal("locked", page=True)
    form = await request.post()
    given = form.get("token")
    if not isinstance(given, str) or not auth.token_matches(settings.admin_token, given):
        guard.failed()
        log.warning("statistics: a sign-in with a wrong token was refused")
        return _login_page(status=401, message="That token is not right.")
    expires = int(time.time()) + auth.SESSION_SECONDS
    response = web.HTTPSeeOther("/stats")
    response.set_cookie(
        auth.COOKIE, auth.session_value(settings.admin_token, expires),
        # Path "/": the same sign-in opens the simulator's API on a public service.
        max_age=auth.SESSION_SECONDS, path="/", httponly=True, samesite="Strict",
        secure=settings.public_url.startswith("https://"))
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/stats")
    response.del_cookie(auth.COOKIE, path="/")
    raise response


# -- reports ------------------------------------------------------------------------------
def _range(request: web.Request) -> tuple[date, date]:
    """?since=&until= (YYYY-MM-DD, UTC); the last 30 days by default."""
    try:
        until_text = request.query.get("until") or ""
        until = date.fromisoformat(until_text) if until_text else datetime.now(UTC).date()
        since_text = request.query.get("since") or ""
        since = (date.fromisoformat(since_text) if since_text
                 else until - timedelta(days=DEFAULT_DAYS - 1))
    except ValueError:
        raise web.HTTPBadRequest(text="since and until must be dates like 2026-11-28\n") \
            from None
    if since > until:
        raise web.HTTPBadRequest(text="since must not be after until\n")
    return since, until


async def _report(request: web.Request) -> Report:
    since, until = _range(request)
    settings = request.app[SETTINGS]
    return await load_report(request.app[STORE].engine, settings.stats_min_count, since, until)


async def report_csv(request: web.Request) -> web.Response:
    access = _access(request)
    if access != "ok":
        return _refusal(access, page=False)
    report = await _report(request)
    name = f"stats-{report.since}-{report.until}.csv"
    response = web.Response(text=to_csv(report), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return _secure_headers(response)


async def report_json(request: web.Request) -> web.Response:
    access = _access(request)
    if access != "ok":
        return _refusal(access, page=False)
    return _secure_headers(web.json_response(to_json(await _report(request))))


def _html_table(header: Sequence[str], lines: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td{" class=n" if i else ""}>{html.escape(cell)}</td>'
            for i, cell in enumerate(line)) + "</tr>"
        for line in lines)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_dashboard(report: Report, nonce: str) -> str:
    k = report.min_count
    data = json.dumps(to_json(report), ensure_ascii=False).replace("<", "\\u003c")
    since, until = str(report.since), str(report.until)
    per_day_language: dict[date, list[str]] = {}
    for day, language, count in report.day_language:
        per_day_language.setdefault(day, []).append(f"{language} {shown_text(count, k)}")
    return Template(_template("dashboard.html")).substitute(
        nonce=nonce,
        css=_template("base.css"),
        script=_template("dashboard.js"),
        data=data,
        since=html.escape(since),
        until=html.escape(until),
        range=html.escape(f"since={since}&until={until}"),
        min_count=k,
        total=html.escape(shown_text(report.total, k)),
        table_days=_html_table(
            ("day", "messages", "by language", "people"),
            [(str(d), shown_text(m, k), ", ".join(per_day_language.get(d, [])),
              shown_text(p, k)) for d, m, p in report.days]),
        table_topics=_html_table(("topic", "messages"),
                                 [(topic_label(t), shown_text(n, k)) for t, n in report.topics]),
        table_channels=_html_table(("channel", "messages"),
                                   [(c, shown_text(n, k)) for c, n in report.channels]),
        table_unmatched=_html_table(
            ("language", "unmatched", "messages", "share"),
            [(s.language, shown_text(s.unmatched, k), shown_text(s.messages, k),
              share_text(s.share)) for s in report.unmatched]),
    )


async def dashboard(request: web.Request) -> web.Response:
    access = _access(request)
    if access != "ok":
        return _refusal(access, page=True)
    nonce = secrets.token_urlsafe(16)
    body = render_dashboard(await _report(request), nonce)
    return _secure_headers(web.Response(text=body, content_type="text/html"), nonce)
