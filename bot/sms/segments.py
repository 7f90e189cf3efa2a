"""Count SMS segments the way handsets do (3GPP TS 23.038).

GSM-7: 160 characters in one part, 153 per part beyond; the extension characters
``^{}\\[~]|€`` and form feed take two septets. One character outside GSM-7 turns the whole
message into UCS-2: 70 characters in one part, 67 per part beyond (a character outside
the Basic Multilingual Plane, such as an emoji, takes two UTF-16 units).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> SegmentCount:
    """How many SMS parts ``text`` takes, and in which encoding."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    if units <= single:
        segments = 1 if units else 0
    else:
        segments = -(-units // part)
    return SegmentCount(encoding, units, segments)  # type: ignore[arg-type]
