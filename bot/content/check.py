"""Everything an editor should fix before publishing, beyond what stops content loading.

``check_content(directory)`` loads the folder (:mod:`bot.content.loader`), reads the
glossary and the phone registry beside it, and runs every check on every topic file.
Each finding is a ``Problem`` with ``file:line``; errors make ``python -m bot content
check`` exit 1 and keep a running ``serve`` from publishing that file
(:mod:`bot.content.live`); warnings do neither.

Adding a check: write ``check(file: TopicFile) -> Iterator[Problem]`` in a module of
:mod:`bot.content.checks` (one module per concern) and list it in ``FILE_CHECKS``; a
check that needs the whole tree (the menu, all languages, the classifier) takes
``(directory, tree)`` and goes in ``TREE_CHECKS``. Rules on words and letters read
``TopicFile.read_fields()``, never ``examples``: questions are typed with mistakes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.config import ROOT
from bot.content.checks import dates, fields, numbers, sms, terms, text, tree
from bot.content.glossary import read_glossary
from bot.content.loader import Problem, scan_content
from bot.content.model import ContentTree, TopicText
from bot.content.phonebook import read_phonebook
from bot.content.report import LANGUAGE_ORDER, coverage_cells, coverage_table, format_report
from bot.content.topicfile import Resources, TopicFile
from bot.i18n import Translator, catalogs
from bot.types import LANGUAGES

FileCheck = Callable[[TopicFile], Iterable[Problem]]
TreeCheck = Callable[[Path, ContentTree], Iterable[Problem]]

FILE_CHECKS: list[FileCheck] = [fields.check, dates.check, sms.check, text.check,
                                terms.check, numbers.check]
TREE_CHECKS: list[TreeCheck] = [tree.missing_translations, tree.unknown_folders]


@dataclass(frozen=True)
class CheckReport:
    directory: Path
    tree: ContentTree
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def paths_with_errors(self) -> set[Path]:
        return {p.path for p in self.problems if p.severity == "error"}


def _translators() -> dict[str, Translator]:
    languages = catalogs(ROOT / "locales")
    return {lang: languages.translator(lang) for lang in LANGUAGES}


def check_content(directory: Path, today: date | None = None, *,
                  examples: bool = False) -> CheckReport:
    """Load ``directory`` and run every check on it. ``examples`` also checks the topics'
    example questions by training the classifier on them, several times (seconds, not
    milliseconds: ``content check`` does it, a running service's reload does not)."""
    tree_, found = scan_content(directory)
    problems = list(found)
    resources = Resources(directory=directory, today=today or date.today(),
                          translators=_translators(),
                          glossary=read_glossary(directory, problems),
                          phonebook=read_phonebook(directory, problems))
    shared = _signature(directory, resources)
    for topic in sorted(tree_.texts.values(), key=lambda t: str(t.path)):
        if topic.derived or topic.path is None:
            continue
        cyrillic = tree_.texts.get((topic.topic_id, "uz-Cyrl"))
        derives = topic.language == "uz" and cyrillic is not None and cyrillic.derived
        problems.extend(_file_problems(topic, topic.path, resources, derives, shared))
    for tree_check in TREE_CHECKS:
        problems.extend(tree_check(directory, tree_))
    if examples:
        from bot.understanding.examples_check import check_examples

        problems.extend(check_examples(tree_))
    return CheckReport(directory, tree_, tuple(sorted(problems, key=order)))


#: A file's problems while it, the glossary, the registry and the day stay the same: a
#: reload re-checks only what changed, and every app a process starts shares the work.
#: Keyed by content, not modification time, which is coarser than two quick saves.
_CACHE: dict[tuple[object, ...], tuple[Problem, ...]] = {}
_CACHE_SIZE = 4096


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def _signature(directory: Path, resources: Resources) -> tuple[object, ...]:
    return (resources.today, _digest(directory / "glossary.yaml"),
            _digest(directory / "phones.yaml"), tuple(FILE_CHECKS))


def _file_problems(topic: TopicText, path: Path, resources: Resources, derives: bool,
                   shared: tuple[object, ...]) -> tuple[Problem, ...]:
    key = (str(path), _digest(path), derives, shared)
    found = _CACHE.get(key)
    if found is None:
        file = TopicFile(topic, path, resources, derives)
        found = tuple(problem for check in FILE_CHECKS for problem in check(file))
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def order(problem: Problem) -> tuple[object, ...]:
    """Errors first, then warnings; missing translations last, grouped by language."""
    missing = problem.code == "missing-translation"
    return (problem.severity != "error", missing,
            LANGUAGE_ORDER.get(problem.language, 99) if missing else 0,
            str(problem.path), problem.line)


__all__ = ["FILE_CHECKS", "TREE_CHECKS", "CheckReport", "check_content", "coverage_cells",
           "coverage_table", "format_report"]
