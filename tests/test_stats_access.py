"""Who gets into ``/stats`` under attack: the lockout is per client address, signing in and
out only from the dashboard's own pages, a sign-out ends every session (a copied cookie
too, in every process), and a database outage is a 503, not a 500."""

from __future__ import annotations

import asyncio
import math
import time

import aiohttp
import pytest

from bot.stats import auth
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.test_stats import TOKEN

BEARER = {"Authorization": f"Bearer {TOKEN}"}
UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/none"  # nothing listens on port 9


@pytest.fixture
async def make_server(aiohttp_server, tmp_path, database_url):
    async def make(**overrides):
        values = {"admin_token": TOKEN, "stats_flush_seconds": 3600.0,
                  "stats_epsilon": math.inf, **overrides}
        return await aiohttp_server(create_app(make_settings(
            tmp_path, values.pop("database_url", database_url), **values)))
    return make


def from_address(address: str) -> aiohttp.ClientSession:
    """A client whose requests come from another loopback address (a real source IP)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)),
                                 cookie_jar=aiohttp.CookieJar(unsafe=True))  # IP hosts too


async def sign_in(session: aiohttp.ClientSession, url: str) -> str:
    """Sign in through the form as a browser would; returns the session cookie's value."""
    response = await session.post(url + "/stats/login", data={"token": TOKEN},
                                  headers={"Sec-Fetch-Site": "same-origin"},
                                  allow_redirects=False)
    assert response.status == 303
    return response.cookies[auth.COOKIE].value


def base(server) -> str:
    return str(server.make_url("")).rstrip("/")


# -- the lockout --------------------------------------------------------------------------
async def test_an_attacker_guessing_cannot_lock_the_admin_out(make_server):
    server = await make_server()
    url = base(server)
    async with from_address("127.0.0.2") as attacker, from_address("127.0.0.1") as admin:
        statuses = []
        for _ in range(3):  # 10 wrong tokens a second, for three seconds
            started = time.monotonic()
            for guess in range(10):
                form = await attacker.post(url + "/stats/login", data={"token": f"guess{guess}"},
                                           headers={"Sec-Fetch-Site": "same-origin"})
                statuses.append(form.status)
            await asyncio.sleep(max(0.0, 1 - (time.monotonic() - started)))
            # Meanwhile the admin, from another address, gets in every time.
            assert (await admin.get(url + "/stats/report.json", headers=BEARER)).status == 200
            assert await sign_in(admin, url)
        assert statuses.count(429) >= 30 - auth.MAX_FAILURES  # the guesser is stopped
        # Stopped even with the right token: the lockout does not check what it refuses.
        response = await attacker.get(url + "/stats/report.json", headers=BEARER)
        assert response.status == 429 and response.headers["Retry-After"] == "60"


def test_addresses_are_counted_whole_for_ipv4_and_by_their_64_for_ipv6():
    assert auth.address_key("203.0.113.7") == "203.0.113.7"
    assert auth.address_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert auth.address_key("2001:db8:1:2:aaaa::1") == auth.address_key("2001:db8:1:2::ffff")
    assert auth.address_key("2001:db8:1:2::1") != auth.address_key("2001:db8:1:3::1")
    assert auth.address_key(None) == "unknown"


def test_a_flood_of_addresses_does_not_grow_memory_without_bound():
    guard = auth.Guard()
    for i in range(auth.MAX_ADDRESSES + 500):
        guard.failed(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert len(guard.failures) == auth.MAX_ADDRESSES


# -- same site ----------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page too
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
async def test_signing_out_from_another_site_is_refused(make_server, headers):
    server = await make_server()
    url = base(server)
    async with from_address("127.0.0.1") as browser:
        await sign_in(browser, url)
        response = await browser.post(url + "/stats/logout", headers=headers,
                                      allow_redirects=False)
        assert response.status == 403
        assert (await browser.get(url + "/stats")).status == 200  # still signed in
        response = await browser.post(url + "/stats/login", data={"token": TOKEN},
                                      headers=headers, allow_redirects=False)
        assert response.status == 403


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {},  # not a browser (curl): no cross-site form sends neither header
])
async def test_signing_out_from_the_dashboard_works(make_server, headers):
    server = await make_server()
    url = base(server)
    async with from_address("127.0.0.1") as browser:
        await sign_in(browser, url)
        origin = headers or {"Origin": url}
        response = await browser.post(url + "/stats/logout", headers=origin,
                                      allow_redirects=False)
        assert response.status == 303
        assert (await browser.get(url + "/stats")).status == 401


# -- server-side sign-out -----------------------------------------------------------------
async def test_a_copied_cookie_is_refused_after_sign_out_in_every_process(make_server):
    first, second = await make_server(), await make_server()  # two processes, one database
    async with from_address("127.0.0.1") as browser, from_address("127.0.0.1") as thief:
        cookie = await sign_in(browser, base(first))
        copied = {"Cookie": f"{auth.COOKIE}={cookie}"}
        for server in (first, second):  # the copy works anywhere, for now
            assert (await thief.get(base(server) + "/stats", headers=copied)).status == 200
        response = await browser.post(base(first) + "/stats/logout",
                                      headers={"Sec-Fetch-Site": "same-origin"},
                                      allow_redirects=False)
        assert response.status == 303
        for server in (first, second):
            assert (await thief.get(base(server) + "/stats", headers=copied)).status == 401
        # Signing in again gives a cookie that works, in both.
        fresh = {"Cookie": f"{auth.COOKIE}={await sign_in(browser, base(second))}"}
        for server in (first, second):
            assert (await thief.get(base(server) + "/stats", headers=fresh)).status == 200


async def test_signing_out_without_a_session_signs_no_one_out(make_server):
    server = await make_server()
    url = base(server)
    async with from_address("127.0.0.1") as admin, from_address("127.0.0.3") as stranger:
        cookie = {"Cookie": f"{auth.COOKIE}={await sign_in(admin, url)}"}
        response = await stranger.post(url + "/stats/logout", allow_redirects=False)
        assert response.status == 303
        assert (await admin.get(url + "/stats", headers=cookie)).status == 200


# -- the database down --------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/stats/report.json", "/stats/report.csv", "/stats"])
async def test_reports_while_the_database_is_down_are_a_503(make_server, path):
    server = await make_server(database_url=UNREACHABLE)
    async with from_address("127.0.0.1") as client:
        response = await client.get(base(server) + path, headers=BEARER)
        assert response.status == 503
        assert response.headers["Retry-After"] == "60"
        assert "try again" in await response.text() or "попробуйте" in await response.text()
        cookie = auth.session_value(TOKEN, int(time.time()) + 600, 0)
        response = await client.get(base(server) + path,
                                    headers={"Cookie": f"{auth.COOKIE}={cookie}"})
        assert response.status == 503
