"""What an analyst reads (issue 16): "did you mean" beside "not understood", topics by their
titles with the id beside, a topic × language view, Russian or English words."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from typing import Any

import pytest

from bot.stats.web import RECORDER
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.test_stats import EXACT, TOKEN, cli_report

BEARER = {"Authorization": f"Bearer {TOKEN}"}
#: Questions close to several topics at once, in four languages: whichever the matcher
#: answers with "did you mean" (it improves over time), the report must count as such.
QUESTIONS = [("ru", "работодатель"), ("ky", "документ мигрант"), ("tg", "пул"),
             ("uz", "hujjat"), ("ru", "виза"), ("tg", "работодатель"),
             ("ru", "посольство паспорт"), ("ky", "виза")]
NOT_UNDERSTOOD = [("tg", "🙂🙂🙂"), ("ky", "🙂🙂"), ("ru", "???")]
#: A topic chosen from the menu (its button id).
TOPIC = ("ru", "t:permits.russia-patent")


async def ask(client: Any, user: str, language: str, text: str) -> str:
    await client.post("/api/simulate", json={"user": user, "text": "", "option": f"l:{language}"})
    message = {"option": text, "text": ""} if text.startswith("t:") else {"text": text}
    response = await client.post("/api/simulate", json={"user": user, **message})
    assert response.status == 200
    return str((await response.json())["kind"])


@pytest.fixture
async def stats_client(aiohttp_client, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url, admin_token=TOKEN,
                             stats_flush_seconds=3600.0, stats_epsilon=EXACT)
    return await aiohttp_client(create_app(settings))


@pytest.fixture
async def asked(stats_client) -> Counter[tuple[str, str]]:
    """Each question asked by five people; returns how many answers of each (kind, language)."""
    kinds: Counter[tuple[str, str]] = Counter()
    for n, (language, text) in enumerate([*QUESTIONS, *NOT_UNDERSTOOD, TOPIC]):
        for person in range(5):
            kinds[(await ask(stats_client, f"analyst-{n}-{person}", language, text),
                   language)] += 1
    await stats_client.server.app[RECORDER].flush()
    assert sum(n for (kind, _), n in kinds.items() if kind == "didyoumean") >= 10
    assert sum(n for (kind, _), n in kinds.items() if kind == "unmatched") >= 10
    return kinds


def per_language(kinds: Counter[tuple[str, str]], kind: str) -> dict[str, int]:
    return {lang: n for (k, lang), n in kinds.items() if k == kind}


async def test_did_you_mean_is_its_own_row_beside_not_understood(stats_client, asked,
                                                                 monkeypatch, tmp_path,
                                                                 database_url):
    offered, missed = per_language(asked, "didyoumean"), per_language(asked, "unmatched")
    data = json.loads(await cli_report(monkeypatch, tmp_path, database_url, "--format", "json",
                                       "--channel", "simulator"))
    topics = {t["topic"]: t["count"] for t in data["topics"]}
    assert topics["didyoumean"] == sum(offered.values())
    assert topics["unmatched"] == sum(missed.values())
    lines = {u["language"]: u for u in data["unmatched"]}
    for language in ("ru", "ky", "tg", "uz"):
        assert lines[language]["didyoumean"] == offered.get(language, 0), language
        assert lines[language]["unmatched"] == missed.get(language, 0), language
        if offered.get(language):
            assert lines[language]["didyoumean_share"] == round(
                offered[language] / lines[language]["messages"], 4)

    rows = list(csv.DictReader(io.StringIO(await cli_report(
        monkeypatch, tmp_path, database_url, "--format", "csv", "--channel", "simulator"))))
    by_topic = Counter()
    for row in rows:
        by_topic[row["topic"]] += int(row["count"])
    assert by_topic["didyoumean"] == sum(offered.values())
    assert {r["title"] for r in rows if r["topic"] == "didyoumean"} == {
        "“Did you mean…” (topics offered)"}

    table = await cli_report(monkeypatch, tmp_path, database_url, "--channel", "simulator")
    understanding = table.split("Not understood and “did you mean”, by language")[1]
    header = understanding.splitlines()[1].split()
    assert header[:4] == ["language", "messages", "not", "understood"]
    assert "did you mean" in understanding.splitlines()[1]


async def test_topics_show_by_title_in_the_chosen_language_with_the_id(stats_client, asked,
                                                                       monkeypatch, tmp_path,
                                                                       database_url):
    ru = await cli_report(monkeypatch, tmp_path, database_url, "--channel", "simulator",
                          "--lang", "ru")
    assert "По темам" in ru and "«Вы имели в виду…» (предложены темы)" in ru
    assert re.search(r"Патент[^\n]*\(permits\.russia-patent\)", ru)
    en = await cli_report(monkeypatch, tmp_path, database_url, "--channel", "simulator",
                          "--lang", "en")
    assert "By topic" in en and "(permits.russia-patent)" in en

    response = await stats_client.get("/stats/report.json?channel=simulator&lang=ru",
                                      headers=BEARER)
    titles = {t["topic"]: t["title"] for t in (await response.json())["topics"]}
    assert titles["permits.russia-patent"].startswith("Патент")
    assert titles["unmatched"] == "Не понято"


async def test_the_topic_by_language_view(stats_client, asked, monkeypatch, tmp_path,
                                          database_url):
    data = json.loads(await cli_report(monkeypatch, tmp_path, database_url, "--format", "json",
                                       "--channel", "simulator"))
    cells = {(c["topic"], c["language"]): c["count"] for c in data["topic_language"]}
    for language, n in per_language(asked, "didyoumean").items():
        assert cells[("didyoumean", language)] == n
    assert cells[("permits.russia-patent", "ru")] == 5
    table = await cli_report(monkeypatch, tmp_path, database_url, "--channel", "simulator")
    matrix = table.split("Topic × language")[1].splitlines()
    assert matrix[1].split()[1:] == ["ky", "ru", "tg", "uz"]


async def test_the_dashboard_speaks_russian_and_shows_both_side_by_side(stats_client, asked):
    response = await stats_client.get("/stats?channel=simulator",
                                      headers={**BEARER, "Accept-Language": "ru-RU,ru;q=0.9"})
    body = await response.text()
    assert '<html lang="ru">' in body and "О чём спрашивают мигранты" in body
    assert "«Не понято» и «Вы имели в виду», по языкам" in body
    section = body.split('id="understanding"')[1].split("</section>")[0]
    assert "<th>не понято</th><th>доля</th><th>вы имели в виду</th>" in section
    english = await (await stats_client.get("/stats?channel=simulator&lang=en",
                                            headers=BEARER)).text()
    assert "What migrants ask" in english and "<th>did you mean</th>" in english


async def test_simulator_traffic_is_left_out_unless_asked_for(stats_client, asked,
                                                              monkeypatch, tmp_path,
                                                              database_url):
    default = json.loads(await cli_report(monkeypatch, tmp_path, database_url, "--format",
                                          "json"))
    assert default["total"] == 0 and default["rows"] == []
    assert default["channel_selection"] == ["telegram", "sms"]
    response = await stats_client.get("/stats/report.json", headers=BEARER)
    assert (await response.json())["total"] == 0
    response = await stats_client.get("/stats/report.json?channel=simulator", headers=BEARER)
    assert (await response.json())["total"] == sum(asked.values()) * 2  # language, question
    assert (await stats_client.get("/stats/report.json?channel=fax", headers=BEARER)).status == 400
