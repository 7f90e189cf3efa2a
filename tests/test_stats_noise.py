"""Published counts carry noise: the differencing attack no longer recovers a hidden count.

The attack (issue 17): add a few messages of your own to a hidden cell, watch it cross
``STATS_MIN_COUNT``, subtract what you added. Before the noise, that gave the number of
real people exactly, every time. Now the attacker's estimate is off by the noise of
``STATS_EPSILON`` (1 by default): over many cells its error has the noise's spread, and it
is exact only as often as the noise happens to be zero.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.config import ConfigError, Settings
from bot.stats.noise import Noise, chance_exact, geometric_noise, spread
from bot.stats.queries import last_closed_day
from bot.stats.recorder import Recorder
from bot.stats.report import CountRow, build_report
from bot.stats.web import RECORDER
from bot.types import Incoming, Reply
from bot.web.app import create_app
from tests.conftest import make_settings
from tests.test_stats import TOKEN

EPSILON = 1.0  # the documented default
DAY = date(2026, 11, 27)
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def pmf(z: int, epsilon: float) -> float:
    alpha = math.exp(-epsilon)
    return (1 - alpha) / (1 + alpha) * alpha ** abs(z)


@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_the_noise_has_the_two_sided_geometric_distribution(epsilon):
    noise = Noise.keyed("distribution-test", epsilon)
    draws = Counter(noise.draw(mark) for mark in range(40_000))
    for z in range(-3, 4):  # the observed frequency of each value, against the formula
        assert draws[z] / 40_000 == pytest.approx(pmf(z, epsilon), abs=0.01), z
    values = list(draws.elements())
    assert statistics.mean(values) == pytest.approx(0, abs=0.1)
    assert statistics.pstdev(values) == pytest.approx(spread(epsilon), rel=0.05)


def test_the_sampler_inverts_the_cdf_at_the_edges():
    assert geometric_noise(1.0, 1.0, 1.0) == 0  # both uniforms at their top
    assert geometric_noise(math.exp(-3), 1.0, 1.0) == 3
    assert geometric_noise(1.0, math.exp(-2.5), 1.0) == -2
    assert geometric_noise(2.0**-64, 1.0, 1.0) == 44  # the smallest uniform: a finite draw


def _cell_rows(real: int, added: int, background: int = 40) -> list[CountRow]:
    """A hidden "trafficking, Tajik, SMS" cell among others that are shown."""
    return [
        CountRow(DAY, "sms", "tg", "scams.trafficking", "topic", real + added),
        CountRow(DAY, "telegram", "tg", "scams.trafficking", "topic", background),
        CountRow(DAY, "sms", "ky", "permits.registration", "topic", background + 7),
    ]


def _attack(noise: Noise, real: int, step: int = 3) -> tuple[int, int] | None:
    """Add ``step`` messages; while the cell stays hidden add as many again (up to 30);
    subtract. Returns (estimate, added), or None if the cell never showed."""
    for added in range(step, 31, step):
        report = build_report(_cell_rows(real, added), {}, 5, noise=noise)
        cells = {(t, lang, c): n for t, lang, c, n in report.rows}
        shown = cells[("scams.trafficking", "tg", "sms")]
        if shown is not None:
            return shown - added, added
    return None


def test_without_noise_the_differencing_attack_recovers_the_hidden_count():
    """The attack of issue 17, as it worked before: exact every time."""
    for real in (1, 2, 3, 4):
        before = build_report(_cell_rows(real, 0), {}, 5)
        assert dict(((t, lang, c), n) for t, lang, c, n in before.rows)[
            ("scams.trafficking", "tg", "sms")] is None  # hidden
        estimate, _added = _attack(Noise.none(), real)  # type: ignore[misc]
        assert estimate == real


def _errors(step: int) -> list[int]:
    errors = []
    for seed in range(3000):  # 3000 deployments, each with its own SECRET_KEY
        real = seed % 4 + 1  # 1 to 4 real people: a hidden cell
        outcome = _attack(Noise.keyed(f"deployment-{seed}", EPSILON), real, step)
        assert outcome is not None
        errors.append(outcome[0] - real)
    return errors


def test_with_noise_the_attackers_estimate_is_off_by_the_noise():
    # Adding enough to be sure the cell shows (10): the estimate's error is the noise.
    errors = _errors(step=10)
    exact = sum(e == 0 for e in errors) / len(errors)
    assert exact == pytest.approx(chance_exact(EPSILON), abs=0.03)  # 46 % at ε = 1, not 100 %
    assert statistics.pstdev(errors) == pytest.approx(spread(EPSILON), rel=0.1)  # ±1.36
    assert statistics.mean(errors) == pytest.approx(0, abs=0.1)


def test_adding_three_at_a_time_helps_the_attacker_only_a_little():
    # Adding 3 at a time until the cell shows: the attacker only sees noisy counts that
    # crossed the threshold, which cuts off some of the downward noise. Exact 49 % of
    # the time instead of 46 %; still off by one or more half the time, and never
    # knowing which half.
    errors = _errors(step=3)
    exact = sum(e == 0 for e in errors) / len(errors)
    assert exact <= chance_exact(EPSILON) + 0.05
    noise_mean_miss = 2 * math.exp(-EPSILON) / (1 - math.exp(-2 * EPSILON))  # E|noise|
    assert statistics.mean(abs(e) for e in errors) >= 0.8 * noise_mean_miss
    assert min(errors) < 0 < max(errors)


def test_asking_again_gives_the_same_numbers_and_a_longer_period_adds_no_new_draw():
    noise = Noise.keyed("same-answer", EPSILON)
    rows = _cell_rows(2, 3)
    first = build_report(rows, {}, 5, noise=noise)
    assert all(build_report(rows, {}, 5, noise=noise) == first for _ in range(20))
    # The same messages over a longer period (the days around hold nothing of this cell):
    # the same noisy count, so periods cannot be varied to average the noise away.
    other = CountRow(DAY - timedelta(days=5), "telegram", "ru", "help.hotlines", "topic", 30)
    longer = build_report([*rows, other], {}, 5, DAY - timedelta(days=9), DAY, noise=noise)
    def cell(report):
        return {(t, lang, c): n for t, lang, c, n in report.rows}[
            ("scams.trafficking", "tg", "sms")]
    assert cell(longer) == cell(first)


def test_the_same_messages_get_the_same_noise_in_every_table():
    # Only Tajik SMS asked about trafficking: its topic count, its row and its
    # topic × language cell are the same messages, so one noisy number, not three draws
    # to average.
    rows = [CountRow(DAY, "sms", "tg", "scams.trafficking", "topic", 23),
            CountRow(DAY, "telegram", "ru", "help.hotlines", "topic", 40)]
    for seed in range(50):
        report = build_report(rows, {}, 5, noise=Noise.keyed(f"tables-{seed}", EPSILON))
        topic = dict(report.topics)["scams.trafficking"]
        row = {(t, lang, c): n for t, lang, c, n in report.rows}[
            ("scams.trafficking", "tg", "sms")]
        matrix = {(t, lang): n for t, lang, n in report.topic_language}[
            ("scams.trafficking", "tg")]
        assert topic == row == matrix


def test_every_published_count_is_noisy():
    rows = [CountRow(DAY, "sms", "tg", "scams.trafficking", "topic", 50),
            CountRow(DAY, "telegram", "ky", "unmatched", "unmatched", 30),
            CountRow(DAY, "telegram", "ky", "", "didyoumean", 30)]
    moved = Counter()
    for seed in range(40):
        report = build_report(rows, {DAY: 60}, 5, noise=Noise.keyed(f"all-{seed}", EPSILON))
        moved["total"] += report.total != 110
        moved["people"] += report.days[0][2] != 60
        moved["day"] += report.days[0][1] != 110
        moved["topic"] += dict(report.topics)["scams.trafficking"] != 50
        moved["language"] += dict(report.languages)["ky"] != 60
        moved["channel"] += dict(report.channels)["sms"] != 50
        moved["kind"] += dict(report.kinds)["didyoumean"] != 30
        ky = next(u for u in report.understanding if u.language == "ky")
        moved["unmatched"] += ky.unmatched != 30
        moved["didyoumean"] += ky.didyoumean != 30
    assert all(times >= 10 for times in moved.values()), moved  # ~54 % of the time each


def test_epsilon_is_read_once_and_noise_cannot_be_switched_off_by_configuration(tmp_path):
    assert Settings.from_env({"DATA_DIR": str(tmp_path)}).stats_epsilon == 1.0
    assert Settings.from_env({"DATA_DIR": str(tmp_path),
                              "STATS_EPSILON": "0.5"}).stats_epsilon == 0.5
    for bad in ("0", "-1", "inf", "nan", "lots", "11"):
        with pytest.raises(ConfigError, match="STATS_EPSILON"):
            Settings.from_env({"DATA_DIR": str(tmp_path), "STATS_EPSILON": bad})


# -- the attack end to end: real recording, the dashboard's JSON -------------------------
def _message(recorder: Recorder, who: str, channel: str, language: str, topic: str) -> None:
    recorder.record(Incoming(channel=channel, sender_key=who),  # type: ignore[arg-type]
                    Reply(language=language, kind="topic", topic=topic))


TOPICS = ("scams.trafficking", "scams.passport-taken", "permits.entry-ban", "help.embassy",
          "scams.unpaid-wages", "permits.kazakhstan")
CELLS = [(t, lang, c) for t in TOPICS for lang in ("tg", "ky", "uz", "uz-Cyrl", "ru")
         for c in ("sms", "telegram")]


async def test_the_differencing_attack_through_the_dashboard(aiohttp_client, tmp_path,
                                                             database_url):
    settings = make_settings(tmp_path, database_url, admin_token=TOKEN,
                             stats_flush_seconds=3600.0)  # noise on, ε = 1 as shipped
    client = await aiohttp_client(create_app(settings))
    recorder = client.server.app[RECORDER]
    yesterday = last_closed_day()
    recorder.clock = lambda: datetime.combine(yesterday, time(12), UTC)
    chooser = random.Random(17)
    real = {cell: chooser.randint(1, 4) for cell in CELLS}  # 60 hidden cells
    for cell, n in real.items():
        for i in range(n):
            _message(recorder, f"person-{cell}-{i}", cell[2], cell[1], cell[0])
    await recorder.flush()

    async def cells() -> dict[tuple[str, str, str], int | None]:
        response = await client.get("/stats/report.json", headers=BEARER)
        assert response.status == 200
        data = await response.json()
        return {(r["topic"], r["language"], r["channel"]): r["count"] for r in data["rows"]}

    before = await cells()
    assert sum(before[cell] is None for cell in CELLS) >= 40  # mostly hidden, as they should
    added: dict[tuple[str, str, str], int] = dict.fromkeys(CELLS, 0)
    estimates = {}
    for _round in range(4):  # the attacker adds 3 to each cell still hidden, and looks
        for cell in CELLS:
            if cell not in estimates:
                for i in range(3):
                    _message(recorder, f"attacker-{added[cell] + i}", cell[2], cell[1], cell[0])
                added[cell] += 3
        await recorder.flush()
        seen = await cells()
        assert await cells() == seen  # asking again changes nothing
        for cell in CELLS:
            if cell not in estimates and seen[cell] is not None:
                estimates[cell] = seen[cell] - added[cell]
    errors = [estimates[cell] - real[cell] for cell in estimates]
    assert len(errors) >= 50
    exact = sum(e == 0 for e in errors) / len(errors)
    assert exact < 0.75, errors  # before the noise: 1.0, every hidden count recovered
    assert statistics.pstdev(errors) >= 0.6 * spread(EPSILON), errors
