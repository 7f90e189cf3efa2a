"""The segment counter against measured boundaries (TECH-NOTES.md)."""

from __future__ import annotations

import pytest

from bot.sms.segments import count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
        ("ж" * 70, "UCS-2", 1),
        ("ж" * 71, "UCS-2", 2),
        ("ж" * 134, "UCS-2", 2),
        ("ж" * 135, "UCS-2", 3),
        ("o'zbek " * 20, "GSM-7", 1),
        ("oʻzbek", "UCS-2", 1),  # the turned comma is not GSM-7
        ("a" * 159 + "😀", "UCS-2", 3),  # an emoji makes it UCS-2 and takes two units
        ("", "GSM-7", 0),
    ],
)
def test_boundaries(text, encoding, segments):
    counted = count_segments(text)
    assert (counted.encoding, counted.segments) == (encoding, segments)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        # A two-septet character is never split across parts: 76 "€" fill a part of 153.
        ("€" * 152, 2),
        ("€" * 153, 3),
        ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, but the € cannot straddle parts
        ("a" * 151 + "€" + "a" * 152, 2),
        # Nor is a surrogate pair: an emoji that would straddle moves to the next part.
        ("ж" * 66 + "😀" + "ж" * 66, 3),
        ("ж" * 65 + "😀" + "ж" * 67, 2),
    ],
)
def test_two_unit_characters_stay_whole_at_part_boundaries(text, segments):
    assert count_segments(text).segments == segments


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        # What a handset shows for real replies of this bot.
        ("112 - если вы в опасности (Россия, Казахстан), бесплатно.", "UCS-2", 1),
        ("112 - agar xavf ostida bo'lsangiz (Rossiya, Qozog'iston), bepul.", "GSM-7", 1),
        ("112 - agar xavf ostida boʻlsangiz", "UCS-2", 1),  # one ʻ: the whole SMS is UCS-2
        ("Patent narxi [2026]: {Moskva} ~ 10000 RUB", "GSM-7", 1),  # [ ] { } ~ count twice
        ("Ҷавоб " * 12, "UCS-2", 2),  # 72 characters
    ],
)
def test_known_messages(text, encoding, segments):
    counted = count_segments(text)
    assert (counted.encoding, counted.segments) == (encoding, segments)


def test_extension_characters_count_twice():
    assert count_segments("[]{}~^|\\€").units == 18
    assert count_segments("a" * 155 + "{}").segments == 1  # 159 septets
    assert count_segments("a" * 157 + "{}").segments == 2  # 161 septets
