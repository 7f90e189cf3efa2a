"""YAML files beside the topics (``glossary.yaml``, ``phones.yaml``): read once, with lines.

Their problems are reported like a topic's: ``file:line`` and what to do. A side file
that cannot be read switches its check off (one error about the file) instead of
turning every topic that relies on it into an error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.loader import Problem
from bot.content.yamltext import describe_error, key_lines, parse_yaml


@dataclass(frozen=True)
class Item:
    """One entry of a side file's list: its fields, and the file line of each."""

    data: dict[str, Any]
    line: int
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


def read_list(path: Path, key: str, problems: list[Problem]) -> list[Item] | None:
    """The entries under ``key:`` in ``path``; None (and a problem) when unreadable."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, 1, f"not UTF-8 text ({exc.reason}); save it as UTF-8",
                                code="encoding"))
        return None
    try:
        root, data = parse_yaml(raw)
    except yaml.YAMLError as exc:
        line, message = describe_error(raw, exc)
        problems.append(Problem(path, line, f"not valid YAML: {message}", code="yaml"))
        return None
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not isinstance(root, yaml.MappingNode):
        problems.append(Problem(path, 1, f"{path.name} needs '{key}:' with a list of entries "
                                "('- …' lines)", code="schema"))
        return None
    nodes = next((value.value for k, value in root.value
                  if k.value == key and isinstance(value, yaml.SequenceNode)), [])
    items = []
    for node, entry in zip(nodes, entries, strict=False):
        line = node.start_mark.line + 1
        if not isinstance(entry, dict):
            problems.append(Problem(path, line, "each entry is a block of 'name: value' lines",
                                    code="schema"))
            continue
        lines, repeated = key_lines(node, 0)
        for name, first, again in repeated:
            problems.append(Problem(path, again, f"{name} is written twice (also on line "
                                    f"{first}); keep one", code="duplicate-field"))
        items.append(Item({str(k): v for k, v in entry.items()}, line, lines))
    return items


def unknown_fields(path: Path, item: Item, known: Iterable[str]) -> list[Problem]:
    """A warning for each field name that is probably a typo."""
    known = tuple(known)
    found = []
    for name in item.data:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        found.append(Problem(path, item.line_of(name), f"unknown field '{name}'{hint}",
                             "warning", "schema"))
    return found
