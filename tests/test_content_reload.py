"""Content edited under a running service: new text is served without a restart; a
broken edit is logged with ``file:line`` and the last good text keeps being served."""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.channels import sms
from bot.config import ROOT, Secret
from bot.content.check import check_content
from bot.content.live import publishable
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


# --- the same rules as content check, file by file ----------------------------------------

def replace_sms(path: Path, sms: str) -> None:
    raw = path.read_text(encoding="utf-8")
    start = raw.index("sms: >-\n")
    end = raw.index("\n---", start)
    path.write_text(raw[:start] + f"sms: >-\n  {sms}" + raw[end:], encoding="utf-8")


BROKEN = {  # what content check rejects, as an editor might type it
    "a phone number with a letter O": ("ru", "Звоните +7 925 O45 4744 (правка для проверки).",
                                       None),
    "a 5-segment SMS": ("ru", "Короткий текст (правка для проверки).", "а" * 300),
    "a Kazakh ұ": ("ky", "Коркунучта болсоңуз, 112ге чалыңыз, бұл акысыз (текшерүү үчүн).",
                   None),
    "a mixed-script word": ("ru", "Граждане Кыргызcтана: звоните 112 (правка для проверки).",
                            None),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
async def test_a_file_content_check_rejects_is_held_back_alone(app_client, content, caplog,
                                                               kind):
    """The broken file keeps its last good version; another file's edit, saved at the same
    time, is published."""
    caplog.set_level(logging.ERROR, logger="bot.content.live")
    language, body, sms_text = BROKEN[kind]
    broken = content / language / f"{TOPIC}.md"
    good = await topic_text(app_client, language)
    write_body(broken, body)
    if sms_text is not None:
        replace_sms(broken, sms_text)
    edited = content / "tg" / f"{TOPIC}.md"
    new_line = "Ба 112 занг занед, ройгон аст (тағйир барои санҷиш)."
    write_body(edited, new_line)

    async def published() -> bool:
        return new_line in await topic_text(app_client, "tg")

    await wait_for(published, "the other file's edit is published")
    assert await topic_text(app_client, language) == good
    logged = [r.getMessage() for r in caplog.records]
    assert any(f"content/{language}/{TOPIC}.md:" in m and ": error: " in m for m in logged)


async def test_a_broken_menu_keeps_the_last_good_menu_while_topic_edits_go_out(app_client,
                                                                               content):
    menu = content / "menu.yaml"
    menu.write_text(menu.read_text(encoding="utf-8").replace(
        "      - permits.patent-payment", "    - permits.patent-payment"), encoding="utf-8")
    path = content / "ru" / "permits.patent-payment.md"
    new_line = "Оплачивайте патент вовремя (правка для проверки)."
    write_body(path, new_line)

    async def published() -> bool:
        return new_line in await topic_text(app_client, "ru", "permits.patent-payment")

    await wait_for(published, "a topic edit goes out while menu.yaml is broken")
    response = await app_client.post("/api/simulate", json={"user": "menu-reader",
                                                             "option": "l:ru"})
    options = [o["id"] for o in (await response.json())["options"]]
    assert "m:permits" in options  # the last good menu is served


async def test_a_number_missing_from_the_registry_is_published_once_it_is_added(
        app_client, content):
    path = content / "ru" / f"{TOPIC}.md"
    new_line = "Новая линия: +7 (495) 111-22-33 (правка для проверки)."
    write_body(path, new_line)
    marker = content / "tg" / f"{TOPIC}.md"
    write_body(marker, "Маркер барои санҷиш.")

    async def marker_published() -> bool:
        return "Маркер барои санҷиш." in await topic_text(app_client, "tg")

    await wait_for(marker_published, "a reload happened")
    assert new_line not in await topic_text(app_client)
    with (content / "phones.yaml").open("a", encoding="utf-8") as registry:
        registry.write('\n  - number: "+7 (495) 111-22-33"\n    who: a test line\n'
                       "    country: Russia\n    hours: unknown\n    time_zone: unknown\n"
                       "    dial_from: unknown\n    source: https://example.org/line\n"
                       "    date: 2026-11\n")

    async def published() -> bool:
        return new_line in await topic_text(app_client)

    await wait_for(published, "the number is published once the registry lists it")


async def test_at_start_a_broken_translation_is_left_out_and_russian_is_shown(
        aiohttp_client, tmp_path, database_url, content, caplog):
    caplog.set_level(logging.ERROR, logger="bot.content.live")
    path = content / "ky" / f"{TOPIC}.md"
    write_body(path, "Бұл сап көрсөтүлбөшү керек.")
    settings = make_settings(tmp_path, database_url, content_dir=content,
                             content_poll_seconds=POLL)
    client = await aiohttp_client(create_app(settings, extensions=[]))
    text = await topic_text(client, "ky")
    assert "Бұл сап" not in text
    assert "которула элек" in text  # the Russian text, with the note in Kyrgyz
    assert any(f"content/ky/{TOPIC}.md:" in r.getMessage() for r in caplog.records)


# --- which version is published, file by file (no server) ---------------------------------

def test_publishable_keeps_each_broken_files_last_good_version(content):
    today = date(2026, 12, 3)  # the shipped content was reviewed on this day
    good = publishable(check_content(content, today), None)
    # a hand-written Cyrillic file, then broken: not replaced by the transliteration
    cyrillic = content / "uz-Cyrl"
    cyrillic.mkdir()
    hand = (content / "uz" / f"{TOPIC}.md").read_text(encoding="utf-8")
    (cyrillic / f"{TOPIC}.md").write_text(
        hand.replace("\n---\n", "\n---\nҚўлда ёзилган матн.\n", 1).replace(
            "title: ", "title: Қўлда ", 1), encoding="utf-8")
    replace_sms(cyrillic / f"{TOPIC}.md", "Хавф остида - 112 га қўнғироқ қилинг.")
    hand_tree = publishable(check_content(content, today), good)
    assert hand_tree.texts[(TOPIC, "uz-Cyrl")].derived is False
    write_body(cyrillic / f"{TOPIC}.md", "Бұл сап.")  # a Kazakh letter: an error
    kept = publishable(check_content(content, today), hand_tree)
    assert kept.texts[(TOPIC, "uz-Cyrl")] == hand_tree.texts[(TOPIC, "uz-Cyrl")]
    # a Russian file deleted while the menu lists it: the last good one stays
    (content / "ru" / f"{TOPIC}.md").unlink()
    kept = publishable(check_content(content, today), hand_tree)
    assert kept.texts[(TOPIC, "ru")] == good.texts[(TOPIC, "ru")]
    # a new file with an error has no good version: it is not published
    new = content / "ky" / "help.nowhere.md"
    new.write_text((content / "ky" / "help.embassy.md").read_text(encoding="utf-8").replace(
        "id: help.embassy", "id: help.nowhere") + "\nбұл\n", encoding="utf-8")
    assert ("help.nowhere", "ky") not in publishable(check_content(content, today), good).texts
