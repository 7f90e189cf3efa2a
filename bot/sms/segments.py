"""Count SMS segments the way handsets do (3GPP TS 23.038 and 23.040).

GSM-7: 160 characters in one part, 153 per part beyond; the extension characters
``^{}\\[~]|€`` and form feed take two septets. One character outside GSM-7 turns the whole
message into UCS-2: 70 characters in one part, 67 per part beyond (a character outside
the Basic Multilingual Plane, such as an emoji, takes two UTF-16 units).

A two-unit character is never cut in half at a part boundary (an escape sequence or a
surrogate pair moves whole to the next part), so a long message can take one part more
than ``units / 153`` suggests: 153 × "€" is 306 septets but 3 parts of 76, 76 and 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

Encoding = Literal["GSM-7", "UCS-2"]

#: (characters in a single-part message, characters per part of a longer one), in units.
LIMITS: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7 for ch in text)


def _widths(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def count_segments(text: str) -> SegmentCount:
    """How many SMS parts ``text`` takes, and in which encoding."""
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    widths = _widths(text, encoding)
    units = sum(widths)
    single, part = LIMITS[encoding]
    if units <= single:
        return SegmentCount(encoding, units, 1 if units else 0)
    segments, used = 1, 0
    for width in widths:
        if used + width > part:
            segments, used = segments + 1, 0
        used += width
    return SegmentCount(encoding, units, segments)
