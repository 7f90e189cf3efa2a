"""``/stats`` over HTTP: who gets in, how the cookie is made, what the page shows."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import time

import pytest

from bot.stats import auth
from bot.stats.web import RECORDER
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.test_stats import EXACT, EXPECTED, TOKEN, run_script

BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def make_client(aiohttp_client, tmp_path, database_url):
    async def make(**overrides):
        values = {"admin_token": TOKEN, "stats_flush_seconds": 3600.0, "stats_epsilon": EXACT,
                  **overrides}
        return await aiohttp_client(create_app(make_settings(tmp_path, database_url,
                                                             **values)))
    return make


@pytest.fixture
async def client(make_client):
    return await make_client()


async def test_without_admin_token_the_dashboard_is_off(make_client):
    client = await make_client(admin_token="")
    for path in ("/stats", "/stats/report.csv", "/stats/report.json"):
        response = await client.get(path, headers={"Authorization": "Bearer "})
        assert response.status == 403
        assert "ADMIN_TOKEN" in await response.text()
    assert (await client.post("/stats/login", data={"token": ""})).status == 403


async def test_without_credentials_people_get_a_form_and_scripts_a_401(client):
    page = await client.get("/stats")
    assert page.status == 401
    assert page.headers["WWW-Authenticate"].startswith("Bearer")
    body = await page.text()
    assert 'action="/stats/login?' in body and 'type="password"' in body
    assert "stats-data" not in body
    for path in ("/stats/report.csv", "/stats/report.json"):
        response = await client.get(path)
        assert response.status == 401
        assert "topic" not in await response.text()


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer ",
                                    f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN.upper()}"])
async def test_a_wrong_token_is_refused(client, header):
    response = await client.get("/stats/report.json", headers={"Authorization": header})
    assert response.status == 401


async def test_the_bearer_token_opens_the_page_with_its_security_headers(client):
    response = await client.get("/stats", headers=BEARER)
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    body = await response.text()
    assert f'<script nonce="{nonce}">' in body and "default-src 'none'" in csp
    assert not re.search(r"(src|href|action)=\"?(https?:)?//", body)  # nothing from elsewhere
    assert response.headers["Cache-Control"] == "no-store"
    assert 'id="chart-days"' in body and 'id="chart-topics"' in body


async def test_signing_in_sets_a_strict_httponly_cookie_that_opens_the_page(client):
    wrong = await client.post("/stats/login", data={"token": "guess"},
                              headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert wrong.status == 401 and "not right" in await wrong.text()
    assert auth.COOKIE not in client.session.cookie_jar.filter_cookies(client.make_url("/stats"))

    response = await client.post("/stats/login", data={"token": TOKEN}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/stats?")
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    assert "Path=/;" in set_cookie and "Secure" not in set_cookie
    assert TOKEN not in set_cookie  # the cookie proves the token without carrying it
    assert (await client.get("/stats")).status == 200
    assert (await client.get("/stats/report.csv")).status == 200

    out = await client.post("/stats/logout", allow_redirects=False)
    assert out.status == 303
    assert (await client.get("/stats")).status == 401


async def test_the_cookie_is_secure_behind_https(make_client):
    client = await make_client(public_url="https://bot.example.org")
    response = await client.post("/stats/login", data={"token": TOKEN}, allow_redirects=False)
    assert "Secure" in response.headers["Set-Cookie"]


def _tampered(value: str) -> str:
    return value[:-1] + ("1" if value[-1] == "0" else "0")


@pytest.mark.parametrize("make_value", [
    lambda: auth.session_value(TOKEN, int(time.time()) - 1),  # expired
    lambda: auth.session_value("another-token", int(time.time()) + 3600),  # old token
    lambda: _tampered(auth.session_value(TOKEN, int(time.time()) + 3600)),
    lambda: f"{int(time.time()) + 10**9}.{'0' * 64}",  # forged
    lambda: "not-a-session",
])
async def test_a_bad_cookie_is_refused(client, make_value):
    client.session.cookie_jar.update_cookies({auth.COOKIE: make_value()},
                                            client.make_url("/stats"))
    assert (await client.get("/stats")).status == 401


async def test_guessing_is_stopped_after_too_many_wrong_tokens(client):
    for _ in range(auth.MAX_FAILURES):
        await client.post("/stats/login", data={"token": "guess"})
    assert (await client.post("/stats/login", data={"token": TOKEN})).status == 429
    assert (await client.get("/stats", headers=BEARER)).status == 429


async def test_the_csv_download_hides_small_counts(client):
    await run_script(client)
    await client.server.app[RECORDER].flush()
    response = await client.get("/stats/report.csv?channel=simulator", headers=BEARER)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert {(r["topic"], r["language"], r["channel"]): r["count"] for r in rows} == \
        EXPECTED["rows"]


async def test_the_page_carries_only_suppressed_numbers(client):
    await run_script(client)
    await client.server.app[RECORDER].flush()
    body = await (await client.get("/stats?channel=simulator", headers=BEARER)).text()
    data = json.loads(re.search(r'id="stats-data">(.*?)</script>', body, re.S).group(1))  # type: ignore[union-attr]
    assert {x["language"]: x["count"] for x in data["languages"]} == EXPECTED["languages"]
    assert "<td class=n>2</td>" not in body  # the two Uzbek messages are never shown
    assert "&lt;5" in body


@pytest.mark.parametrize("query", ["since=2026-13-01", "until=yesterday",
                                   "since=2026-11-28&until=2026-11-01"])
async def test_a_bad_range_is_a_400(client, query):
    response = await client.get(f"/stats?{query}", headers=BEARER)
    assert response.status == 400


async def test_the_range_selects_days(client):
    await run_script(client)
    await client.server.app[RECORDER].flush()
    response = await client.get("/stats/report.json?since=2020-01-01&until=2020-12-31",
                                headers=BEARER)
    data = await response.json()
    assert data["total"] == 0 and data["since"] == "2020-01-01"


async def test_undecodable_bytes_in_the_authorization_header_are_refused_not_a_500(client):
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(b"GET /stats HTTP/1.1\r\nHost: localhost\r\n"
                 b"Authorization: Bearer \xff\xfe\x80\r\nConnection: close\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert status_line.split()[1] == b"401"
