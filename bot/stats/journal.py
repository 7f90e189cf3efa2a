"""Statistics kept on the local disk while the database cannot take them.

When a flush fails, the recorder appends the events not yet on disk to this process's
journal file, ``DATA_DIR/stats/journal-*.jsonl``; at shutdown (SIGTERM) during an outage it
does the same with what is left. The next process to start reads every journal left
behind, and deletes each file once its events are in the database. So an outage plus a
restart loses nothing, and a ``kill -9`` during an outage loses at most the events of the
last flush interval.

What a line holds: an event (day, hour, channel, language, topic, kind — no sender, no
text, nothing the database's ``stats_events`` does not hold), or a sender of an open day
as ``stats_visitors`` holds it (the day-salted digest, useless once the day is closed and
its salt destroyed; a sender whose day salt this process does not have is not written,
and is missing from that day's count of people). Lines are shuffled within each write, so
their order does not tell who came after whom.

Several processes may share ``DATA_DIR``: each file is locked (``flock``) by the process
that holds its events, so a process starting beside a running one does not take the
running one's events, and two starting at once do not both take the same file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from bot.stats.models import TOPIC_LENGTH

log = logging.getLogger(__name__)

PATTERN = "journal-*.jsonl"


@dataclass(frozen=True)
class Event:
    """One answered message as statistics keep it: no sender, no text, an hour."""

    day: date
    hour: int
    channel: str
    language: str
    topic: str  # a topic id, "unmatched", "didyoumean", or "" when no topic was shown
    kind: str


@dataclass
class Replayed:
    """What the journals left by stopped processes held."""

    events: list[Event] = field(default_factory=list)
    digests: dict[date, set[str]] = field(default_factory=dict)
    files: int = 0


def _event(values: list[Any]) -> Event:
    day, hour, channel, language, topic, kind = values
    if not (isinstance(hour, int) and 0 <= hour < 24):
        raise ValueError("hour")
    return Event(date.fromisoformat(day), hour, str(channel)[:16], str(language)[:8],
                 str(topic)[:TOPIC_LENGTH], str(kind)[:16])


class Journal:
    """The journal files this process holds (its own, and those it took over)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._own: IO[bytes] | None = None
        self._held: list[tuple[Path, IO[Any]]] = []

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def take_over(self) -> Replayed:
        """Read and lock every journal that no running process holds."""
        found = Replayed()
        if not self.directory.is_dir():
            return found
        for path in sorted(self.directory.glob(PATTERN)):
            handle = self._lock(path)
            if handle is None:
                continue
            self._held.append((path, handle))
            found.files += 1
            for number, line in enumerate(handle, 1):
                try:
                    record = json.loads(line)
                    if "e" in record:
                        found.events.append(_event(record["e"]))
                    elif "v" in record:
                        day, digest = record["v"]
                        found.digests.setdefault(date.fromisoformat(day), set()).add(
                            str(digest)[:32])
                except (ValueError, TypeError, KeyError):
                    # The last line of a process killed while writing it.
                    log.warning("statistics journal %s: line %d unreadable, skipped",
                                path.name, number)
        return found

    @staticmethod
    def _lock(path: Path) -> IO[str] | None:
        try:
            handle = path.open("r+", encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Its owner may have written the events and deleted the file between our
            # glob and our lock: then this handle is a deleted file's, and not ours to read.
            if os.fstat(handle.fileno()).st_ino != path.stat().st_ino:
                raise FileNotFoundError(path)
        except (BlockingIOError, FileNotFoundError):
            handle.close()
            return None
        return handle

    def append(self, events: list[Event], digests: list[tuple[date, str]]) -> None:
        """Add lines and make them durable before returning (one fsync a flush interval)."""
        if not events and not digests:
            return
        if self._own is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"journal-{secrets.token_hex(8)}.jsonl"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            handle = os.fdopen(descriptor, "ab", buffering=0)  # unbuffered: os.write below
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._own = handle
            self._held.append((path, handle))
        lines = [json.dumps({"e": [e.day.isoformat(), e.hour, e.channel, e.language, e.topic,
                                   e.kind]}, ensure_ascii=False) for e in events]
        lines += [json.dumps({"v": [day.isoformat(), digest]}) for day, digest in digests]
        secrets.SystemRandom().shuffle(lines)
        data = "".join(line + "\n" for line in lines).encode()
        descriptor = self._own.fileno()
        size = os.fstat(descriptor).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
            os.fsync(descriptor)
        except OSError:
            # A full disk part-way: take the part back, or the next try would write it twice.
            with contextlib.suppress(OSError):
                os.ftruncate(descriptor, size)
            raise

    def written(self) -> None:
        """Everything held is in the database now: delete the files (unlink, then unlock)."""
        for path, handle in self._held:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            handle.close()
        self._held = []
        self._own = None

    def release(self) -> None:
        """Stop holding the files (at exit): the next process to start takes them."""
        for _, handle in self._held:
            handle.close()
        self._held = []
        self._own = None
