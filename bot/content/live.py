"""The content being served, reloaded when the files change.

A reload reads the whole folder into a new tree and swaps it in one assignment, so a
reader sees either the old tree or the new one, never half of each. A broken edit is
logged with ``file:line`` and the last good tree keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.content.loader import ContentError, load_content
from bot.content.model import ContentTree

log = logging.getLogger(__name__)


def fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of every content file: cheap to poll."""
    entries = []
    for path in sorted(directory.rglob("*")):
        if path.suffix in {".md", ".yaml", ".yml"} and path.is_file():
            stat = path.stat()
            entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


class LiveContent:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fingerprint = fingerprint(directory)
        self.tree: ContentTree = load_content(directory)  # the first load must succeed
        self.last_error: ContentError | None = None

    def reload_if_changed(self) -> bool:
        """Reload when a file changed; returns True when a new tree is being served."""
        current = fingerprint(self.directory)
        if current == self._fingerprint:
            return False
        self._fingerprint = current
        try:
            tree = load_content(self.directory)
        except ContentError as exc:
            self.last_error = exc
            for problem in exc.problems:
                if problem.severity == "error":
                    log.error("content not reloaded, still serving the last good version: %s",
                              problem)
            return False
        except OSError as exc:  # a file vanished halfway through an editor's save
            log.warning("content reload postponed: %s", exc)
            self._fingerprint = ()
            return False
        self.tree = tree
        self.last_error = None
        log.info("content reloaded: %d topic texts", len(tree.texts))
        return True

    async def watch(self, interval: float) -> None:
        """Poll for changes until cancelled."""
        while True:
            await asyncio.sleep(interval)
            await asyncio.to_thread(self.reload_if_changed)
