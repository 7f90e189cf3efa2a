"""Who may use ``/api/simulate``: anyone on a developer's machine; on a public service
(``PUBLIC_URL`` is https) only staff signed in with ``ADMIN_TOKEN``, unless ``SIMULATOR=1``.
Whoever uses it, it talks as the ``simulator`` channel and never touches a real person's
session."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from bot.config import ConfigError, Secret, Settings
from bot.privacy import sender_key
from bot.stats import auth
from bot.storage.db import create_engine
from bot.web.app import create_app
from tests.conftest import make_settings

TOKEN = "staff-token-0123456789abcdef"
PUBLIC = "https://bot.example.org"
BODY = {"user": "preview", "text": "/start"}


@pytest.fixture
async def make_client(aiohttp_client, tmp_path, database_url):
    async def make(**overrides):
        return await aiohttp_client(create_app(make_settings(tmp_path, database_url,
                                                             **overrides)))
    return make


async def test_on_a_developers_machine_anyone_may_simulate(make_client):
    client = await make_client(admin_token=Secret(TOKEN))  # PUBLIC_URL unset
    assert (await client.post("/api/simulate", json=BODY)).status == 200


async def test_in_production_without_admin_token_the_simulator_is_off(make_client):
    client = await make_client(public_url=PUBLIC)
    response = await client.post("/api/simulate", json=BODY)
    assert response.status == 403
    error = (await response.json())["error"]
    assert "SIMULATOR=1" in error and "ADMIN_TOKEN" in error
    assert (await client.get("/")).status == 200  # the page itself says how to get in


async def test_in_production_only_signed_in_staff_may_simulate(make_client):
    client = await make_client(public_url=PUBLIC, admin_token=Secret(TOKEN))
    anonymous = await client.post("/api/simulate", json=BODY)
    assert anonymous.status == 401
    assert "/stats" in (await anonymous.json())["error"]
    wrong = await client.post("/api/simulate", json=BODY,
                              headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status == 401
    right = await client.post("/api/simulate", json=BODY,
                              headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status == 200 and (await right.json())["kind"] in {"menu", "language"}


async def test_the_dashboards_sign_in_opens_the_simulator_too(make_client):
    client = await make_client(public_url=PUBLIC, admin_token=Secret(TOKEN))
    signed = await client.post("/stats/login", data={"token": TOKEN}, allow_redirects=False)
    assert signed.status == 303
    cookie = signed.cookies[auth.COOKIE]
    assert cookie["path"] == "/" and cookie["secure"] and cookie["httponly"]
    # A Secure cookie: the browser sends it over https; the test server is plain http.
    sent = {"Cookie": f"{auth.COOKIE}={cookie.value}"}
    assert (await client.post("/api/simulate", json=BODY, headers=sent)).status == 200
    forged = {"Cookie": f"{auth.COOKIE}={int(time.time()) + 3600}.{'0' * 64}"}
    assert (await client.post("/api/simulate", json=BODY, headers=forged)).status == 401


async def test_simulator_1_opens_it_to_everyone_in_production(make_client):
    client = await make_client(public_url=PUBLIC, simulator="1")
    assert (await client.post("/api/simulate", json=BODY)).status == 200


async def test_simulator_0_closes_it_on_a_developers_machine_too(make_client):
    client = await make_client(simulator="0", admin_token=Secret(TOKEN))
    assert (await client.post("/api/simulate", json=BODY)).status == 401


def test_simulator_takes_1_or_0_and_nothing_else(tmp_path):
    env = {"DATA_DIR": str(tmp_path)}
    assert Settings.from_env({**env, "SIMULATOR": "1"}).simulator == "1"
    assert Settings.from_env({**env, "SIMULATOR": "off"}).simulator == "0"
    assert Settings.from_env(env).simulator == ""
    with pytest.raises(ConfigError, match="SIMULATOR"):
        Settings.from_env({**env, "SIMULATOR": "maybe"})


async def test_the_simulator_never_writes_a_real_channels_session(make_client, settings):
    """A simulated "SMS" from a real person's number keeps to the simulator's own session:
    the person's SMS conversation is neither read nor changed."""
    client = await make_client(simulator="1", public_url=PUBLIC)
    phone = "+996555123456"
    response = await client.post("/api/simulate",
                                 json={"user": phone, "text": "Саламатсызбы", "channel": "sms"})
    assert response.status == 200
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            keys = set((await conn.execute(text("SELECT key FROM sessions"))).scalars())
    finally:
        await engine.dispose()
    secret = settings.secret_key
    assert keys == {sender_key(secret, "simulator", phone)}
    assert sender_key(secret, "sms", phone) not in keys
