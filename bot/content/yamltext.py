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


TAB = "a tab character: indent with spaces"
#: Parser words for "this line does not fit the structure around it".
_STRUCTURE = ("did not find expected key", "did not find expected '-' indicator",
              "expected <block end>", "mapping values are not allowed")


def error_message(exc: yaml.YAMLError) -> str:
    """What went wrong in words for editors (libyaml and PyYAML word it differently)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    if "mapping values are not allowed" in problem or "could not find expected ':'" in problem:
        return "a ':' inside a value: put the value in quotes, like title: \"…: …\""
    if "tab" in problem or "'\\t'" in problem:
        return TAB
    if "quoted scalar" in context:
        return "a quote opened on this line is not closed"
    if "flow sequence" in context or "flow mapping" in context:
        return "a [ or { opened on this line is not closed"
    if "cannot start any token" in problem:
        return "a value starts with a sign YAML reserves (@ ` % *): put the value in quotes"
    if any(words in problem for words in _STRUCTURE):
        return ("this line does not fit the lines above it: check that it reads "
                "'name: value' and starts in the same column as the lines it belongs with")
    return problem



def describe_error(text: str, exc: yaml.YAMLError, offset: int = 0) -> tuple[int, str]:
    """The file line to fix (``text`` starts after ``offset`` lines of the file) and what
    to do, in one line of plain words.

    The parser says where it gave up; the mistake is often elsewhere: a tab or an unclosed
    quote on an earlier line, or a line indented so that it lines up with nothing.
    """
    line = error_line(exc)
    rows = text.splitlines()
    for number, row in enumerate(rows[:line], start=1):
        if "\t" in row[: len(row) - len(row.lstrip())]:
            return number + offset, TAB
    unclosed = unclosed_quote(text, before=line)
    if unclosed:
        return unclosed + offset, "a quote opened on this line is not closed"
    problem = getattr(exc, "problem", None) or ""
    if any(words in problem for words in _STRUCTURE):
        hint = indentation_hint(rows, line, offset)
        if hint:
            return line + offset, hint
    return line + offset, error_message(exc)


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip(" "))


def indentation_hint(rows: list[str], line: int, offset: int = 0) -> str | None:
    """Why line ``line`` (1-based) is indented wrongly, or None when its column is one a
    line there may start at: the column of a line above it that it could belong with."""
    if not 1 <= line <= len(rows) or not rows[line - 1].strip():
        return None
    row = rows[line - 1]
    column, is_item = _indent(row), row.lstrip().startswith("- ")
    above = [(n, r) for n, r in enumerate(rows[: line - 1], start=1)
             if r.strip() and not r.lstrip().startswith("#")]
    if not above:
        return None
    #: column → the line that makes it a valid start, for items ("- …") and for keys
    items: dict[int, int] = {}
    keys: dict[int, int] = {0: above[0][0]}
    limit: int | None = None
    for number, other in reversed(above):
        start = _indent(other)
        if limit is not None and start >= limit:
            continue  # inside a block that is already closed at this point
        if other.lstrip().startswith("- "):
            items.setdefault(start, number)
            after_dash = other.lstrip()[1:]
            keys.setdefault(start + 1 + len(after_dash) - len(after_dash.lstrip()), number)
        else:
            keys.setdefault(start, number)
        limit = start
        if start == 0:
            break
    last = above[-1][1]
    opens_block = last.rstrip().endswith(":")  # "topics:": anything deeper may follow
    if opens_block and (column > _indent(last) or (is_item and column == _indent(last))):
        return None
    valid = items if is_item and items else keys
    if column in valid:
        return None
    # a tie goes to the deeper column: the line more likely continues the block above it
    best = min(valid, key=lambda c: (abs(c - column), -c))
    spaces = "space" if column == 1 else "spaces"
    return (f"wrong indentation: this line starts after {column} {spaces} and lines up with "
            f"no line above it; start it after {best} spaces, like line {valid[best] + offset}")


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
