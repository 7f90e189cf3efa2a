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
