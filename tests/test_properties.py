"""Property-based tests: whatever a person types, the engine answers and the session holds."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import ROOT
from bot.content.loader import load_content
from bot.engine import respond
from bot.i18n import catalogs
from bot.types import LANGUAGES, Incoming, Session

CONTENT = load_content(ROOT / "content")
CATALOGS = catalogs(ROOT / "locales")

# Text people really send: any Unicode, plus the hard parts on purpose.
hard_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "So", "Mn"]), max_size=200),
    st.sampled_from(["0", "1", "99", "-1", "/start", "/start t-", "/start t-nope", "STOP",
                     "\u202eпатент", "😀" * 500, "ж" * 10_000, "", " ", "\x00", "o'zbek",
                     "nav:menu", "t:permits.russia-patent"]),
)
options = st.one_of(st.none(), st.text(max_size=80),
                    st.sampled_from(["l:ky", "l:xx", "m:nope", "t:nope", "nav:more", "t:"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(st.tuples(hard_text, options), min_size=1, max_size=6))
def test_any_sequence_of_messages_is_answered(messages):
    async def run() -> None:
        session = Session(key="p" * 64)
        for text, option in messages:
            incoming = Incoming(channel="sms", sender_key=session.key, text=text, option=option)
            reply, session = await respond(incoming, session, CONTENT, CATALOGS)
            assert reply.language in LANGUAGES
            assert reply.blocks or reply.kind in {"ignored"}
            if session.forget:
                session = Session(key=session.key)
        # after any of that, the menu still works
        incoming = Incoming(channel="sms", sender_key=session.key, text="0")
        reply, _ = await respond(incoming, session, CONTENT, CATALOGS)
        assert reply.kind == "menu" and reply.options

    asyncio.run(run())
