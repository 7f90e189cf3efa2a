"""The content being served, reloaded when the files change.

A reload reads the whole folder into a new tree and swaps it in one assignment, so a
reader sees either the old tree or the new one, never half of each. A broken edit is
logged with ``file:line`` and the last good tree keeps serving; nobody gets an error
because of a typo. A file that changes while it is being read (an editor still saving)
is read again at the next poll instead of being reported.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.content.loader import ContentError, load_content
from bot.content.model import ContentTree

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(directory: Path) -> Fingerprint:
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
        try:
            before = fingerprint(self.directory)
            if before == self._fingerprint:
                return False
            tree = load_content(self.directory)
            after = fingerprint(self.directory)
        except ContentError as exc:
            if fingerprint(self.directory) != before:
                return False  # changed while being read: look again at the next poll
            self._fingerprint = before
            self.last_error = exc
            errors = [p for p in exc.problems if p.severity == "error"]
            for problem in errors:
                log.error("content not reloaded, still serving the last good version: %s",
                          problem.display(self.directory.parent))
            return False
        except OSError as exc:  # a file vanished halfway through an editor's save
            log.warning("content reload postponed: %s", exc)
            return False
        if after != before:
            return False  # a file changed while being read: read it all again next time
        self._fingerprint = before
        self.tree = tree
        self.last_error = None
        log.info("content reloaded: %d topic texts", len(tree.texts))
        return True
