"""A Bot API that stalls: the webhook gives up on time and asks Telegram to redeliver."""

from __future__ import annotations

import time

from bot.config import Secret
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.fake_bot_api import FakeBotApi, UpdateFactory

SECRET = "timeout-Secret_0123456789"
CHAT = 55501234


async def test_a_stalled_bot_api_gets_a_503_in_time_and_the_redelivery_is_answered(
    aiohttp_client, tmp_path, database_url
):
    async with FakeBotApi() as api:
        settings = make_settings(
            tmp_path, database_url, telegram_bot_token=Secret(api.token),
            telegram_webhook_secret=Secret(SECRET), telegram_api_base_url=api.base_url,
            telegram_timeout_seconds=0.3)
        client = await aiohttp_client(create_app(settings))
        updates = UpdateFactory()
        update = updates.message(CHAT, "/start", user=updates.user(CHAT, "ky"))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

        api.delay = 1.5  # every call from now on takes longer than the bot waits
        began = time.monotonic()
        response = await client.post("/telegram/webhook", json=update, headers=headers)
        waited = time.monotonic() - began
        assert response.status == 503, await response.text()
        assert waited < 1.2, f"the webhook waited {waited:.1f} s for a stalled Bot API"

        api.delay = 0
        response = await client.post("/telegram/webhook", json=update, headers=headers)
        assert response.status == 200  # Telegram's redelivery is answered, not dropped
        answered = [c for c in api.calls_to("sendMessage")
                    if c.error_code is None and c.params["chat_id"] == CHAT]
        assert answered, "the redelivered update got no reply"
