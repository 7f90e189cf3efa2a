"""The process's log: one format, and a flood of the same line kept to a trickle.

An attack repeats one failure thousands of times a second — a refused connection, a
forged webhook's 403, asyncio's "socket.accept() out of system resource" with its
traceback — and a log that writes each one fills the disk and buries everything else
(18 MB in 12 s in issue 17's probe). :class:`RateLimit` lets ``burst`` records of one kind
(the same logger, level and message template) through per ``period`` seconds, drops the
rest, and says how many it dropped on the next line of that kind it lets through.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass
class _Window:
    start: float
    passed: int = 0
    dropped: int = 0


class RateLimit(logging.Filter):
    """At most ``burst`` records of one kind per ``period`` seconds."""

    def __init__(self, burst: int = 20, period: float = 60.0, max_kinds: int = 1000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.burst, self.period, self.max_kinds, self.clock = burst, period, max_kinds, clock
        self._windows: dict[tuple[str, int, str], _Window] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        kind = (record.name, record.levelno, str(record.msg)[:200])
        window = self._windows.get(kind)
        if window is None or now - window.start >= self.period:
            dropped = window.dropped if window is not None else 0
            if window is None and len(self._windows) >= self.max_kinds:
                self._forget_old(now)
            window = self._windows[kind] = _Window(start=now)
            if dropped:
                record.msg = (f"{record.getMessage()} [and {dropped} more like this in the "
                              f"last {self.period:.0f} s, not logged]")
                record.args = None
        if window.passed >= self.burst:
            window.dropped += 1
            return False
        window.passed += 1
        return True

    def _forget_old(self, now: float) -> None:
        """Kinds whose window is over (messages made with f-strings are each a kind)."""
        for kind, window in list(self._windows.items()):
            if now - window.start >= self.period:
                del self._windows[kind]
        if len(self._windows) >= self.max_kinds:
            self._windows.clear()


def configure(level: str) -> None:
    """Log to stderr, rate-limited; called once by the command line."""
    root = logging.getLogger()
    before = set(root.handlers)
    logging.basicConfig(level=level.upper(), format=FORMAT, stream=sys.stderr)
    limit = RateLimit()
    # only the handler made here: one that was there already (a test runner's, which
    # lives on across tests) is someone else's to filter
    for handler in root.handlers:
        if handler not in before:
            handler.addFilter(limit)
