"""Noise on every published count, so that no one can work out a small group's size.

Hiding counts under ``STATS_MIN_COUNT`` is not enough against someone who can add
messages of their own: add three to a hidden cell, see it shown as 5, subtract, and two
real people are counted exactly. So every published count gets random noise first (the
*two-sided geometric mechanism*, the whole-number form of the Laplace mechanism of
differential privacy), and is hidden afterwards if the noisy count is under the threshold.

The noise for one message changing a count by one is calibrated to ``ε`` (``STATS_EPSILON``):
``P(noise = z)`` is proportional to ``exp(-ε·|z|)``. Whatever anyone sees, the chance of
it changes by at most a factor ``exp(ε)`` if any one message had not been sent.

Asking again must not give a new draw, or averaging many answers would remove the noise.
So the noise is not random per request: it is derived with HMAC from ``SECRET_KEY`` and
*which data make up the count* (the day, channel, language, topic and kind of every row
it adds up, and how many messages each row holds). The same messages give the same noisy
number in every table, period and filter that shows them — asking for a longer period
that adds nothing to a cell shows the same number — and any change of the data gives an
independent draw for the new count, which the asker does not know either.

OpenDP (on PyPI) samples this noise exactly but only from the operating system's random
source, on purpose: it cannot give the same noise for the same count twice, which this
needs, and its wheel is 47 MB. The sampler below is 10 lines: the inverse of the
geometric distribution's CDF on two uniform numbers taken from the HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

_CONTEXT = b"bot.stats.noise.v1"
_MASK = (1 << 128) - 1


def geometric_noise(uniform_a: float, uniform_b: float, epsilon: float) -> int:
    """``G1 - G2`` for two geometric draws with ``P(G >= k) = exp(-ε·k)``: a whole number
    with ``P(z) = (1 - α) / (1 + α) · α^|z|``, ``α = exp(-ε)``. Uniforms in (0, 1]."""
    log_alpha = -epsilon
    return (math.floor(math.log(uniform_a) / log_alpha)
            - math.floor(math.log(uniform_b) / log_alpha))


def spread(epsilon: float) -> float:
    """The noise's standard deviation: ``sqrt(2α) / (1 - α)``."""
    alpha = math.exp(-epsilon)
    return math.sqrt(2 * alpha) / (1 - alpha)


def chance_exact(epsilon: float) -> float:
    """How often the noise is zero: ``(1 - α) / (1 + α)``."""
    alpha = math.exp(-epsilon)
    return (1 - alpha) / (1 + alpha)


def row_mark(*parts: object) -> int:
    """A 128-bit fingerprint of one row of data (its key and its count)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:16], "big")


def combine(marks: int, mark: int) -> int:
    """Marks add up, so a count's mark says which rows made it, in no particular order."""
    return (marks + mark) & _MASK


@dataclass(frozen=True)
class Noise:
    """Keyed, repeatable noise; ``epsilon`` infinite means none (exact counts)."""

    key: bytes
    epsilon: float

    @classmethod
    def keyed(cls, secret_key: str, epsilon: float) -> Noise:
        return cls(hmac.new(secret_key.encode(), _CONTEXT, hashlib.sha256).digest(), epsilon)

    @classmethod
    def none(cls) -> Noise:
        return cls(b"", math.inf)

    @property
    def exact(self) -> bool:
        return math.isinf(self.epsilon)

    def draw(self, mark: int) -> int:
        """The noise for the count whose data have this mark."""
        if self.exact:
            return 0
        digest = hmac.new(self.key, mark.to_bytes(16, "big"), hashlib.sha256).digest()
        a = (int.from_bytes(digest[:8], "big") + 1) / 2.0**64  # (0, 1]
        b = (int.from_bytes(digest[8:16], "big") + 1) / 2.0**64
        return geometric_noise(a, b, self.epsilon)

    def apply(self, count: int, mark: int, *label: object) -> int:
        """The published count: noisy, never below zero. A count of nothing has no rows to
        mark it: its label (the table and cell) is its mark, so empty cells differ."""
        return max(0, count + self.draw(mark or row_mark("empty", *label)))
