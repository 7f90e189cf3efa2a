"""The content being served, reloaded when the files change, held to ``content check``.

A reload runs the same checks as ``python -m bot content check``. A file with an error is
not published: that topic in that language keeps its last good version (a new file with
an error stays unpublished), while every other file's change goes out. A broken
``menu.yaml`` keeps the last good menu. Each new error is logged once with ``file:line``;
nobody gets an error because of a typo.

The new tree is built aside and swapped in one assignment, so a reader sees either the
old tree or the new one, never half of each. A file that changes while it is being read
(an editor still saving) is read again at the next poll instead of being reported.

At start there is no last good version: files with errors are left out (a translation
falls back to Russian), and only a menu that cannot be read stops the service.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from types import MappingProxyType

from bot.content.check import CheckReport, check_content
from bot.content.loader import ContentError, Problem
from bot.content.model import ContentTree, TopicText
from bot.types import FALLBACK_LANGUAGE

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


def publishable(report: CheckReport, last_good: ContentTree | None) -> ContentTree:
    """The tree to serve: ``report``'s files without errors, the last good version of
    each file with one. Raises :class:`ContentError` when no menu can be served."""
    broken = report.paths_with_errors()
    new = report.tree
    menu = report.directory / "menu.yaml"
    modules = new.modules
    if menu in broken or not modules:
        if last_good is None:
            raise ContentError([p for p in report.problems if p.path == menu] or [
                Problem(menu, 1, "menu.yaml lists no topic")])
        modules = last_good.modules
    texts: dict[tuple[str, str], TopicText] = {
        key: text for key, text in new.texts.items() if text.path not in broken}
    if last_good is not None:
        for key, old in last_good.texts.items():
            # also a broken hand-written uz-Cyrl file, which the transliteration replaced
            held_back = old.path in broken and (key not in texts or (
                texts[key].derived and not old.derived))
            # a Russian text deleted while the menu still lists it: every language falls
            # back to Russian, so the last good one stays until the menu changes too
            orphaned = key[1] == FALLBACK_LANGUAGE and key not in texts and any(
                key[0] in module.topics for module in modules)
            if held_back or orphaned:
                texts[key] = old
    return ContentTree(modules=modules, texts=MappingProxyType(texts),
                       emergency_topic=new.emergency_topic)


class LiveContent:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fingerprint = fingerprint(directory)
        self._logged: set[str] = set()
        report = check_content(directory)
        self.tree: ContentTree = publishable(report, None)  # raises without a menu
        self._log(report)
        self.last_report: CheckReport = report

    def reload_if_changed(self, today: date | None = None) -> bool:
        """Reload when a file changed; True when a new tree is being served."""
        try:
            before = fingerprint(self.directory)
            if before == self._fingerprint:
                return False
            report = check_content(self.directory, today)
            tree = publishable(report, self.tree)
            after = fingerprint(self.directory)
        except OSError as exc:  # a file vanished halfway through an editor's save
            log.warning("content reload postponed: %s", exc)
            return False
        if after != before:
            return False  # a file changed while being read: read it all again next time
        self._fingerprint = before
        self.last_report = report
        self._log(report)
        self.tree = tree
        log.info("content reloaded: %d topic texts", len(tree.texts))
        return True

    def _log(self, report: CheckReport) -> None:
        """Each error once, while it lasts: a fixed one may be logged again if it returns."""
        errors = [p.display(self.directory.parent) for p in report.problems
                  if p.severity == "error"]
        for line in errors:
            if line not in self._logged:
                log.error("content error, not published until fixed: %s", line)
        self._logged = set(errors)
