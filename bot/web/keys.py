"""Typed keys for what the application keeps (aiohttp's ``AppKey``)."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.content.live import LiveContent
from bot.service import BotService
from bot.storage.store import Store

SETTINGS = web.AppKey("settings", Settings)
SERVICE = web.AppKey("service", BotService)
STORE = web.AppKey("store", Store)
CONTENT = web.AppKey("content", LiveContent)
