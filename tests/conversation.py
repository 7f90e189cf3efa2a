"""One person talking to the engine, with the session carried between messages."""

from __future__ import annotations

from functools import cache

from bot.config import ROOT
from bot.content.loader import load_content
from bot.content.model import ContentTree
from bot.engine import respond
from bot.i18n import Catalogs, catalogs
from bot.types import Channel, Incoming, Reply, Session


@cache
def shipped_content() -> ContentTree:
    return load_content(ROOT / "content")


class Conversation:
    """``await chat.say("1")`` → the reply; ``chat.session`` is where the person stands."""

    def __init__(self, content: ContentTree | None = None, languages: Catalogs | None = None,
                 channel: Channel = "sms", language: str | None = None,
                 key: str = "k" * 64) -> None:
        self.content = content or shipped_content()
        self.languages = languages or catalogs(ROOT / "locales")
        self.session = Session(key=key, language=language)
        self.channel: Channel = channel

    async def say(self, text: str = "", option: str | None = None) -> Reply:
        return await self.say_from(text, None, option)

    async def say_from(self, text: str, country: str | None,
                       option: str | None = None) -> Reply:
        """A message with the sender's country as the SMS channel gives it (``"KG"``)."""
        incoming = Incoming(channel=self.channel, sender_key=self.session.key, text=text,
                            option=option, country_hint=country)
        reply, self.session = await respond(incoming, self.session, self.content,
                                            self.languages)
        return reply
