"""Checks of the whole folder: translations the menu expects, folders the bot ignores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bot.content.loader import Problem
from bot.content.model import ContentTree
from bot.types import CONTENT_LANGUAGES, FALLBACK_LANGUAGE


def missing_translations(directory: Path, tree: ContentTree) -> Iterator[Problem]:
    for language in CONTENT_LANGUAGES:
        if language == FALLBACK_LANGUAGE:
            continue  # a missing Russian text is an error the loader reports
        for module in tree.modules:
            for topic_id in module.topics:
                if (topic_id, language) in tree.texts:
                    continue
                if (topic_id, FALLBACK_LANGUAGE) not in tree.texts:
                    continue
                if (directory / language / f"{topic_id}.md").is_file():
                    continue  # there is a file, with an error reported already
                yield Problem(
                    directory / "menu.yaml", module.topic_lines.get(topic_id, module.line),
                    f"{topic_id} has no {language} translation ({language}/{topic_id}.md): "
                    f"{language} readers get the Russian text with a note", "warning",
                    "missing-translation", language)


def unknown_folders(directory: Path, tree: ContentTree) -> Iterator[Problem]:
    known = {*CONTENT_LANGUAGES, "uz-Cyrl"}
    for path in sorted(directory.iterdir()):
        if path.is_dir() and not path.name.startswith(".") and path.name not in known:
            yield Problem(path, 1, f"folder '{path.name}' is not a language of the bot "
                          f"({', '.join(sorted(known))}); its files are not read", "warning",
                          "folder")
