"""A Bot API that cannot be reached at start does not take the other channels down."""

from __future__ import annotations

import asyncio

from bot.config import Secret
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.fake_bot_api import DEFAULT_TOKEN, FakeBotApi, UpdateFactory
from tests.servers import free_port

SECRET = "startup-secret"


async def test_service_starts_without_the_bot_api_and_telegram_comes_up_later(
    aiohttp_client, tmp_path, database_url
):
    port = free_port()  # nothing listens here yet
    settings = make_settings(
        tmp_path, database_url,
        telegram_bot_token=Secret(DEFAULT_TOKEN),
        telegram_webhook_secret=Secret(SECRET),
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
    )
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/healthz")).status == 200
    simulated = await client.post("/api/simulate", json={"user": "s", "text": "/start"})
    assert simulated.status == 200  # the simulator (and SMS) serve meanwhile

    updates = UpdateFactory()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    update = updates.message(4242, "/start", user=updates.user(4242, "ky"))
    response = await client.post("/telegram/webhook", json=update, headers=headers)
    assert response.status == 503  # Telegram will deliver it again

    api = FakeBotApi()
    await api.start(port)
    try:
        status = 503
        for _ in range(100):  # the channel retries after 2 s, then 4 s
            response = await client.post("/telegram/webhook", json=update, headers=headers)
            status = response.status
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert status == 200
        assert api.replies(), "the redelivered /start was answered"
    finally:
        await api.close()
