"""Editing a private copy of the content as an editor would, and running the real check.

Shared by the content tests: each copies the shipped ``content/`` into ``tmp_path``,
breaks one thing, and reads ``python -m bot content check``'s output lines.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ROOT

TODAY = date(2026, 11, 28)


def copy_content(tmp_path: Path, today: date = TODAY) -> Path:
    """The shipped content as it stood on ``today``: a file reviewed later than that (the
    texts are reviewed on real days, the tests run on a fixed one) says ``today``, so that
    each test sees only the mistake it makes."""
    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)
    for path in copy.glob("*/*.md"):
        text = path.read_text(encoding="utf-8")
        match = _REVIEWED.search(text)
        if match and match.group(1) > today.isoformat():
            path.write_text(text[:match.start(1)] + today.isoformat() + text[match.end(1):],
                            encoding="utf-8")
    return copy


_REVIEWED = re.compile(r"^reviewed: *[\"']?(\d{4}-\d{2}-\d{2})", re.M)


def run_check(directory: Path, capsys: pytest.CaptureFixture[str], *options: str,
              today: date = TODAY, examples: bool = False) -> tuple[int, list[str]]:
    """The real command line, in this process; the check of the example questions (which
    trains the classifier several times) only when a test is about them."""
    status = main(["content", "check", str(directory), "--today", today.isoformat(),
                   *options, *(() if examples else ("--no-examples",))])
    return status, capsys.readouterr().out.splitlines()


def replace_line(path: Path, starts_with: str, new: str | None) -> int:
    """Replace (or delete, with None) the first line starting so; its 1-based number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(starts_with))
    if new is None:
        del lines[number]
    else:
        lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def replace_field(path: Path, key: str, new: str) -> int:
    """Replace a front-matter field with its continuation lines; its 1-based line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = number + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1
    lines[number:end] = [new]
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def set_body(path: Path, body: str) -> int:
    """Replace the answer text; the line number where it starts."""
    raw = path.read_text(encoding="utf-8")
    end = raw.index("\n---", 3) + len("\n---\n")
    path.write_text(raw[:end] + body + "\n", encoding="utf-8")
    return raw[:end].count("\n") + 1


def lines_about(lines: list[str], path: Path) -> list[str]:
    """The problem lines of one file."""
    return [line for line in lines if line.startswith(f"{path}:")]
