"""The README documents what operators need: every environment variable the code reads."""

from __future__ import annotations

import re

from bot.config import ROOT

READ = re.compile(
    r"""(?:env(?:iron)?\.get\(|env\[|_(?:int|seconds|float|bool)\(env,\s*)["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        found |= set(READ.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_environment_variable_is_in_the_readme_table():
    names = variables_read_by_the_code()
    assert {"PORT", "DATABASE_URL", "SECRET_KEY", "ADMIN_TOKEN"} <= names  # the scan works
    table = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", (ROOT / "README.md").read_text(), re.M)
    assert not names - set(table), f"missing from the README: {sorted(names - set(table))}"


def test_the_quick_start_has_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert len(commands) == 2
    assert commands[0].endswith("python -m bot serve")
    assert "pytest" in commands[1]
