"""Content edited under a running service: new text is served without a restart; a
broken edit is logged with ``file:line`` and the last good text keeps being served."""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from bot.channels import sms
from bot.config import ROOT, Secret
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.test_sms import TOKEN, Handset

POLL = 0.1
DEADLINE = 5.0  # "within a few seconds"
TOPIC = "help.emergency"
READERS = itertools.count()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)
    return copy


@pytest.fixture
async def app_client(aiohttp_client: Any, tmp_path: Path, database_url: str,
                     content: Path) -> Any:
    settings = make_settings(tmp_path, database_url, content_dir=content,
                             content_poll_seconds=POLL)
    return await aiohttp_client(create_app(settings, extensions=[]))


async def topic_text(client: Any, language: str = "ru", topic: str = TOPIC) -> str:
    """What a new reader sees after choosing a language and a topic in the simulator."""
    user = f"reader-{next(READERS)}"  # one each: the service limits messages a minute
    response = await client.post("/api/simulate", json={"user": user, "option": f"l:{language}"})
    assert response.status == 200
    response = await client.post("/api/simulate", json={"user": user, "option": f"t:{topic}"})
    assert response.status == 200
    data = await response.json()
    assert data["topic"] == topic, data
    return str(data["text"])


def write_body(path: Path, body: str) -> None:
    raw = path.read_text(encoding="utf-8")
    end = raw.index("\n---", 3) + len("\n---\n")
    path.write_text(raw[:end] + body + "\n", encoding="utf-8")


async def wait_for(condition: Any, what: str) -> float:
    """Poll ``await condition()`` until true; the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < DEADLINE:
        if await condition():
            return time.monotonic() - start
        await asyncio.sleep(POLL / 2)
    raise AssertionError(f"not within {DEADLINE} s: {what}")


async def test_an_edit_is_served_without_a_restart(app_client, content):
    path = content / "ru" / f"{TOPIC}.md"
    before = await topic_text(app_client)
    new_line = "Звоните 112 — это бесплатно, даже без денег на счёте. (правка для проверки)"
    assert new_line not in before
    write_body(path, new_line)

    async def served() -> bool:
        return new_line in await topic_text(app_client)

    await wait_for(served, "the edited text is served")
    assert await app_client.get("/healthz")


async def test_a_broken_edit_keeps_the_last_good_text_and_logs_file_and_line(
        app_client, content, caplog):
    caplog.set_level(logging.ERROR, logger="bot.content.live")
    path = content / "ky" / f"{TOPIC}.md"
    good = await topic_text(app_client, "ky")
    lines = path.read_text(encoding="utf-8").split("\n")
    title_line = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[title_line] = "title: Шашылыш жардам: 112"  # a ':' in an unquoted value
    lines.append("Бул сап эч качан көрсөтүлбөшү керек.")
    path.write_text("\n".join(lines), encoding="utf-8")

    async def logged() -> bool:
        return any(f"content/ky/{TOPIC}.md:{title_line + 1}: error:" in r.getMessage()
                   for r in caplog.records)

    await wait_for(logged, "the broken file is logged with file:line")
    assert await topic_text(app_client, "ky") == good  # nobody sees the typo
    assert len([r for r in caplog.records if f"{TOPIC}.md" in r.getMessage()]) == 1

    # fixed: the new text arrives
    lines[title_line] = 'title: "Шашылыш жардам: 112"'
    path.write_text("\n".join(lines), encoding="utf-8")

    async def fixed() -> bool:
        return "Бул сап эч качан көрсөтүлбөшү керек." in await topic_text(app_client, "ky")

    await wait_for(fixed, "the corrected file is served")


async def test_a_deleted_translation_falls_back_to_russian_live(app_client, content):
    russian_title = (content / "ru" / f"{TOPIC}.md").read_text(encoding="utf-8")
    russian_title = next(line for line in russian_title.splitlines()
                         if line.startswith("title:")).split(":", 1)[1].strip().strip('"')
    (content / "tg" / f"{TOPIC}.md").unlink()

    async def russian() -> bool:
        return russian_title in await topic_text(app_client, "tg")

    await wait_for(russian, "the Russian text replaces the deleted translation")
    text = await topic_text(app_client, "tg")
    assert "тарҷума нашудааст" in text  # the one-line note, in Tajik


async def test_an_edit_reaches_sms_readers_too(aiohttp_client, tmp_path, database_url, content):
    """SMS answers are cached by reply: an edited topic must still reach the handset."""
    settings = make_settings(tmp_path, database_url, content_dir=content,
                             content_poll_seconds=POLL, twilio_auth_token=Secret(TOKEN))
    client = await aiohttp_client(create_app(settings, extensions=[sms.setup]))
    path = content / "ru" / f"{TOPIC}.md"
    assert "112" in "\n".join(await Handset(client).send("помогите"))
    raw = path.read_text(encoding="utf-8")
    start = raw.index("sms: >-\n")
    end = raw.index("\n---", start)
    new_text = "Звоните 112, это бесплатно. Правка для проверки SMS."
    path.write_text(raw[:start] + f"sms: >-\n  {new_text}" + raw[end:], encoding="utf-8")

    async def served() -> bool:
        return new_text in "\n".join(await Handset(client).send("помогите"))

    await wait_for(served, "the edited SMS text is served")
