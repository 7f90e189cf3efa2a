"""The report's core, without a database: what is counted, and what is hidden."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from bot.stats.formats import CSV_HEADER, to_csv, to_json_text, to_table
from bot.stats.recorder import event_for
from bot.stats.report import CountRow, build_report, suppress
from bot.types import Incoming, Reply

DAY = date(2026, 11, 27)


def row(count, language="ru", topic="permits.registration", channel="sms", kind="topic",
        day=DAY):
    return CountRow(day, channel, language, topic, kind, count)


def test_counts_below_the_threshold_are_hidden_and_zero_is_not():
    assert suppress({"a": 5, "b": 4, "c": 0, "d": 9}, 5) == {"a": None, "b": None, "c": 0,
                                                              "d": 9}


def test_a_lone_hidden_cell_takes_the_smallest_visible_one_with_it():
    # Without the second hiding, 20 - 12 - 6 would give away the 2.
    shown = suppress({"ru": 12, "ky": 6, "tg": 2}, 5)
    assert shown == {"ru": 12, "ky": None, "tg": None}


def test_two_hidden_cells_need_no_more_hiding():
    assert suppress({"ru": 12, "ky": 3, "tg": 2}, 5) == {"ru": 12, "ky": None, "tg": None}


def test_threshold_one_hides_nothing():
    assert suppress({"ru": 1, "ky": 2}, 1) == {"ru": 1, "ky": 2}


def test_report_breakdowns_and_unmatched_share():
    rows = [
        row(10, "ky", "permits.registration", "telegram"),
        row(6, "ky", "unmatched", "sms", "unmatched"),
        row(8, "tg", "scams.red-flags", "telegram"),
        row(7, "tg", "scams.red-flags", "sms"),
        row(5, "uz", "permits.kazakhstan", "telegram"),
        row(3, "ru", "help.emergency", "simulator", "emergency"),
        row(9, "ky", "", "telegram", "menu", day=date(2026, 11, 28)),
    ]
    report = build_report(rows, {DAY: 14, date(2026, 11, 28): 3}, 5, channels=("all",))
    assert report.total == 48
    assert report.days == [(DAY, 39, 14), (date(2026, 11, 28), 9, None)]
    # ru (3) is hidden; uz (5, the smallest shown) goes with it so 48 - 25 - 15 says nothing.
    assert dict(report.languages) == {"ky": 25, "tg": 15, "uz": None, "ru": None}
    assert dict(report.channels) == {"telegram": 32, "sms": None, "simulator": None}
    assert report.topics == [("scams.red-flags", 15), ("permits.registration", 10), ("", 9),
                             ("unmatched", 6), ("help.emergency", None),
                             ("permits.kazakhstan", None)]
    shares = {s.language: s for s in report.understanding}
    assert shares["ky"].unmatched == 6
    assert shares["ky"].unmatched_share == pytest.approx(6 / 25, 1e-3)
    assert shares["tg"].unmatched == 0 and shares["tg"].unmatched_share == 0
    assert shares["ru"].messages is None and shares["ru"].unmatched_share is None


def test_channels_hide_a_second_cell_when_one_is_small():
    rows = [row(27, channel="telegram"), row(13, channel="sms"), row(3, channel="simulator")]
    report = build_report(rows, {}, 5, channels=("all",))
    assert dict(report.channels) == {"telegram": 27, "sms": None, "simulator": None}


def test_hidden_cells_are_listed_last_in_name_order():
    rows = [row(3, topic="b"), row(40, topic="c"), row(2, topic="a"), row(9, topic="d")]
    assert build_report(rows, {}, 5).topics == [("c", 40), ("d", 9), ("a", None), ("b", None)]


def test_the_date_range_is_inclusive():
    rows = [row(5, day=date(2026, 11, d)) for d in (1, 2, 3, 4)]
    report = build_report(rows, {}, 5, since=date(2026, 11, 2), until=date(2026, 11, 3))
    assert [d for d, _, _ in report.days] == [date(2026, 11, 2), date(2026, 11, 3)]


def test_csv_has_the_contract_header_and_shows_hidden_counts_as_less_than():
    report = build_report([row(7, "ky"), row(2, "tg"), row(11, "ru")], {}, 5)
    lines = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert tuple(lines[0].keys()) == CSV_HEADER
    counts = {line["language"]: line["count"] for line in lines}
    assert counts == {"ru": "11", "ky": "<5", "tg": "<5"}  # ky hidden so tg cannot be derived


def test_json_hides_with_null_and_table_with_less_than():
    report = build_report([row(7, "ky"), row(2, "tg"), row(3, "ru")], {DAY: 4}, 5)
    data = json.loads(to_json_text(report))
    assert {x["language"]: x["count"] for x in data["languages"]} == {
        "ky": 7, "tg": None, "ru": None}
    assert data["days"] == [{"day": "2026-11-27", "messages": 12, "people": None}]
    table = to_table(report)
    assert "<5" in table and "ky" in table and " 2\n" not in table


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(language="ky", kind="topic", topic="permits.registration"),
         ("ky", "permits.registration", "topic")),
        (Reply(language="tg", kind="unmatched"), ("tg", "unmatched", "unmatched")),
        (Reply(language="ru", kind="menu"), ("ru", "", "menu")),
        (Reply(language="ru", kind="language"), ("und", "", "language")),
        (Reply(language="uz-Cyrl", kind="emergency", topic="help.emergency"),
         ("uz-Cyrl", "help.emergency", "emergency")),
    ],
)
def test_an_event_keeps_language_topic_kind_and_the_hour_only(reply, expected):
    now = datetime(2026, 11, 28, 13, 47, 12, tzinfo=UTC)
    event = event_for(Incoming(channel="sms", sender_key="k" * 64, text="secret text"),
                      reply, now)
    assert event is not None
    assert (event.language, event.topic, event.kind) == expected
    assert (event.day, event.hour, event.channel) == (date(2026, 11, 28), 13, "sms")
    assert "k" * 64 not in repr(event) and "secret" not in repr(event)


def test_a_flood_reply_that_sent_nothing_is_not_an_answer():
    reply = Reply(language="ru", kind="ignored")  # type: ignore[arg-type]
    assert event_for(Incoming(channel="telegram", sender_key="x"), reply,
                     datetime.now(UTC)) is None


def test_a_malformed_reply_is_not_counted_and_does_not_break_the_answer(caplog):
    from bot.stats.recorder import Recorder

    recorder = Recorder(engine=None)  # type: ignore[arg-type]  # never written here
    broken = Reply(language=None, kind="topic")  # type: ignore[arg-type]
    recorder.record(Incoming(channel="sms", sender_key="k"), broken)
    assert recorder.pending == 0
    assert "could not be counted" in caplog.text
