"""YAML for editors: parsed once with line numbers, errors worded for people.

PyYAML reports where it gave up, in parser words ("mapping values are not allowed
here"); editors need the line with the mistake and what to do about it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

#: libyaml when installed: loading the content is about 5 times faster with it.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]


def parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, parsed once."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def error_line(exc: yaml.YAMLError, offset: int = 0) -> int:
    """The line to look at: where an unclosed quote or bracket opened, else the error."""
    context = getattr(exc, "context", None) or ""
    marks = [getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)]
    if "quoted scalar" in context or "flow" in context:
        marks.reverse()
    mark = next((m for m in marks if m is not None), None)
    return (mark.line + 1 + offset) if mark is not None else 1 + offset


def error_message(exc: yaml.YAMLError) -> str:
    """What went wrong in words for editors (libyaml and PyYAML word it differently)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    if "mapping values are not allowed" in problem or "could not find expected ':'" in problem:
        return "a ':' inside a value: put the value in quotes, like title: \"…: …\""
    if "tab" in problem or "'\\t'" in problem:
        return "a tab character: indent with spaces"
    if "quoted scalar" in context:
        return "a quote opened on this line is not closed"
    if "flow sequence" in context or "flow mapping" in context:
        return "a [ or { opened on this line is not closed"
    return problem


def unclosed_quote(text: str, before: int) -> int | None:
    """The first line (1-based, up to ``before``) whose quoted value is never closed.

    YAML lets a quoted value run on to the next lines, so the parser reports the mistake
    where it gives up, often a line or two later; editors want the line with the quote.
    """
    for number, line in enumerate(text.splitlines()[:before], start=1):
        key, colon, value = line.partition(":")
        value = value.strip()
        if not colon or not value or value[0] not in "\"'" \
                or not re.fullmatch(r"[\w-]+", key.strip().lstrip("-").strip()):
            continue
        quote = value[0]
        rest = value[1:].replace("\\\\", "").replace("\\\"", "") if quote == '"' \
            else value[1:].replace("''", "")
        if quote not in rest:
            return number
    return None


def key_lines(node: yaml.Node, offset: int) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """File lines of a mapping's keys (and of list items under them), and repeated keys."""
    lines: dict[str, int] = {}
    repeated: list[tuple[str, int, int]] = []
    if not isinstance(node, yaml.MappingNode):
        return lines, repeated
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1 + offset
        if key in lines:
            repeated.append((key, lines[key], line))
            continue
        lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                lines[f"{key}.{index}"] = item.start_mark.line + 1 + offset
    return lines, repeated
