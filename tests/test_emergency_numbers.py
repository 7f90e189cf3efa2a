"""An emergency number typed alone ("112", "103") is a call for help, not a menu number."""

from __future__ import annotations

import pytest

from tests.conversation import Conversation

NUMBERS = ["112", "103", "102", "101", "911", " 112 ", "112!"]


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("channel", ["sms", "telegram"])
async def test_an_emergency_number_alone_gives_the_emergency_answer_first_thing(number, channel):
    reply = await Conversation(channel=channel).say(number)
    assert reply.kind == "emergency" and reply.topic == "help.emergency"


@pytest.mark.parametrize("number", ["112", "103", "911"])
async def test_an_emergency_number_alone_gives_the_emergency_answer_anywhere_in_the_menu(number):
    chat = Conversation(language="ky")
    await chat.say("меню")
    await chat.say("2")  # a module's list of topics
    reply = await chat.say(number)
    assert reply.kind == "emergency" and reply.topic == "help.emergency"
    assert reply.language == "ky"


async def test_other_numbers_still_choose_a_line_or_say_there_is_none():
    chat = Conversation(language="ru")
    await chat.say("меню")
    assert (await chat.say("3")).kind == "module"
    assert "такого номера" in (await chat.say("45")).blocks[0]
