"""Putting a Reply on a Telegram chat: new messages, or the menu message edited in place.

The rule, kept simple so that people can predict it: a reply that is a menu (the
language list, the main menu, a module's topics) replaces the menu message whose button
was pressed; everything else — a topic's answer, help, a confirmation — comes as a new
message, and a message that is itself an answer (its only buttons are Back and Menu) is
never overwritten, so the answer someone was reading stays in the chat. When an edit
fails ("message is not modified", "message can't be edited", deleted), the reply is sent
as a new message: a pressed button always shows something.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MaybeInaccessibleMessage,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.render.telegram import keyboard_rows, telegram_messages
from bot.types import Option, Reply

log = logging.getLogger(__name__)

MENU_KINDS = frozenset({"language", "menu", "module"})
# Previews of links cost data on slow connections and add nothing to our texts.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True)
class Outgoing:
    """A reply as it goes to Telegram, without the chat: the texts, the keyboard under the
    last one, and whether it may replace the menu message whose button was pressed.

    It is what the database keeps with the update's claim until the Bot API accepted it
    (as JSON, like the TwiML kept for an SMS), so a redelivery sends the same reply: the
    bot's own words, never the person's.
    """

    texts: tuple[str, ...]
    keyboard: tuple[tuple[Option, ...], ...] = ()
    menu: bool = False

    @classmethod
    def of(cls, reply: Reply) -> Outgoing:
        return cls(texts=tuple(telegram_messages(reply)),
                   keyboard=tuple(tuple(row) for row in keyboard_rows(reply.options)),
                   menu=reply.kind in MENU_KINDS)

    def to_json(self) -> str:
        rows = [[[o.id, o.label] for o in row] for row in self.keyboard]
        return json.dumps({"texts": list(self.texts), "keyboard": rows, "menu": self.menu},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Outgoing | None:
        """The reply kept by :meth:`to_json`, or None when ``raw`` is not one."""
        try:
            data = json.loads(raw)
            return cls(texts=tuple(str(text) for text in data["texts"]),
                       keyboard=tuple(tuple(Option(str(i), str(label)) for i, label in row)
                                      for row in data["keyboard"]),
                       menu=bool(data["menu"]))
        except (ValueError, TypeError, KeyError):
            return None

    def markup(self) -> InlineKeyboardMarkup | None:
        if not self.keyboard:
            return None
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(o.label, callback_data=o.id) for o in row]
             for row in self.keyboard])


def is_menu_message(message: MaybeInaccessibleMessage | None) -> bool:
    """Whether a message offers choices (so a new menu may replace it) — not an answer."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(
        isinstance(button.callback_data, str) and not button.callback_data.startswith("nav:")
        for row in message.reply_markup.inline_keyboard for button in row
    )


def is_transient(error: TelegramError) -> bool:
    """A failure worth a redelivery: the Bot API was unreachable, slow or rate-limiting.

    ``BadRequest`` derives from ``NetworkError`` in python-telegram-bot but is final.
    """
    if isinstance(error, TimedOut | RetryAfter):
        return True
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


async def send_reply(bot: Bot, chat_id: int, out: Outgoing,
                     edit: MaybeInaccessibleMessage | None = None) -> str:
    """Show ``out`` in the chat; returns ``"edited"``, ``"sent"`` or ``"silent"``.

    ``edit`` is the message whose button was pressed; it is edited only when the rule in
    the module docstring allows. The keyboard goes under the last part of a long text.
    """
    texts = out.texts
    if not texts:
        return "silent"  # e.g. the rate limit's silence after its one warning
    keyboard = out.markup()
    if edit is not None and len(texts) == 1 and out.menu and is_menu_message(edit):
        try:
            await bot.edit_message_text(
                texts[0], chat_id=chat_id, message_id=edit.message_id,
                parse_mode=ParseMode.HTML, reply_markup=keyboard,
                link_preview_options=NO_PREVIEW,
            )
            return "edited"
        except BadRequest as exc:  # not modified, too old, deleted: show it anew instead
            log.debug("edit failed (%s); sending a new message", type(exc).__name__)
    for number, text in enumerate(texts, start=1):
        await bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML,
            reply_markup=keyboard if number == len(texts) else None,
            link_preview_options=NO_PREVIEW,
        )
    return "sent"
