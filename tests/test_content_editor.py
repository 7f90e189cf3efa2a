"""What an NGO editor meets: the check runs from a new terminal, YAML mistakes come as one
plain line with ``file:line`` and the fix, Kyrgyz typed with Russian letters is caught,
errors come before warnings, and the guide names only files that exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.content.check import check_content
from tests.content_files import (
    TODAY,
    copy_content,
    lines_about,
    replace_line,
    run_check,
    set_body,
)

GUIDE = ROOT / "docs" / "content-guide.md"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


def errors(lines: list[str]) -> list[str]:
    return [line for line in lines if ": error: " in line]


# --- YAML mistakes -----------------------------------------------------------------------

def test_a_tab_is_one_line_saying_to_indent_with_spaces(content, capsys):
    path = content / "ru" / "help.hotlines.md"
    line = replace_line(path, "  - url:", "\t- url: https://yuz.uz/uz/news")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert errors(lines) == [f"{path}:{line}: error: front matter is not valid YAML: a tab "
                             "character: indent with spaces"]


def test_a_line_indented_too_far_is_shown_the_column_it_belongs_at(content, capsys):
    path = content / "ky" / "help.hotlines.md"
    url = replace_line(path, "  - url:", "  - url: http://www.slideshare.net/iom")
    replace_line(path, "    date:", "      date: 2011-06")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert errors(lines) == [
        f"{path}:{url + 1}: error: front matter is not valid YAML: wrong indentation: this "
        f"line starts after 6 spaces and lines up with no line above it; start it after 4 "
        f"spaces, like line {url}"]


def test_a_broken_menu_is_the_first_line_and_not_buried_under_warnings(content, capsys):
    menu = content / "menu.yaml"
    line = replace_line(menu, "      - permits.patent-payment", "    - permits.patent-payment")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert lines[0] == (f"{menu}:{line}: error: not valid YAML: wrong indentation: this line "
                        "starts after 4 spaces and lines up with no line above it; start it "
                        f"after 6 spaces, like line {line - 1}")
    # every topic is "not in the menu" only because the menu cannot be read: not said 76 times
    assert not [ln for ln in lines if "is not in menu.yaml" in ln]


def test_errors_come_first_then_warnings_then_the_counts(content, capsys):
    early = content / "ky" / "help.emergency.md"  # sorts before the file with the error
    set_body(early, "Россияда 112ге чалыңыз.")
    broken = content / "uz" / "help.hotlines.md"
    line = set_body(broken, "Qo'ng'iroq qiling: +7 925 O45 4744.")
    status, lines = run_check(content, capsys)
    assert status == 1
    problems = [ln for ln in lines if re.match(r"\S+:\d+: (error|warning): ", ln)]
    kinds = [": error: " in ln for ln in problems]
    assert kinds == sorted(kinds, reverse=True) and kinds[0]  # errors, then warnings
    assert problems[0].startswith(f"{broken}:{line}: error: ")
    summary = next(ln for ln in lines if re.fullmatch(r"\d+ errors?, \d+ warnings?.*", ln))
    assert lines.index(summary) > lines.index(problems[-1])
    assert summary.startswith("1 error,") and summary.endswith("(the errors are listed first)")

    status, lines = run_check(content, capsys, "--errors-only")
    assert status == 1
    assert [ln for ln in lines if ": warning: " in ln] == []
    assert lines[0].startswith(f"{broken}:{line}: error: ")


# --- Kyrgyz typed with Russian letters ---------------------------------------------------

def test_kyrgyz_words_typed_with_russian_n_u_o_are_caught(content, capsys):
    path = content / "ky" / "help.emergency.md"
    start = set_body(path, "\n".join([
        "Коркунучта болсоңуз, 112ге чалыңыз.",
        "Мооноттон мурун текшериниз.",  # мөөнөттөн, текшериңиз
        "Бул учун акча керек эмес.",  # үчүн
        "Паспортунузду сактаныз.",  # паспортуңузду, сактаңыз
        "Болот, кол, кун, уй, Москва, Сахарово.",  # real words without ң ө ү: no warning
    ]))
    status, lines = run_check(content, capsys)
    assert status == 0  # a warning: a reader still understands
    letters = [ln for ln in lines_about(lines, path) if "typed with Russian letters" in ln]
    assert letters == [
        f"{path}:{start + 1}: warning: 'Мооноттон' looks like Kyrgyz 'мөөнөт…' typed with "
        "Russian letters: type ң ө ү",
        f"{path}:{start + 1}: warning: 'текшериниз' looks like Kyrgyz 'текшериңиз' typed with "
        "Russian letters: type ң ө ү",
        f"{path}:{start + 2}: warning: 'учун' looks like Kyrgyz 'үчүн' typed with Russian "
        "letters: type ң ө ү",
        f"{path}:{start + 3}: warning: 'Паспортунузду' looks like Kyrgyz 'Паспортуңузду' typed "
        "with Russian letters: type ң ө ү",
        f"{path}:{start + 3}: warning: 'сактаныз' looks like Kyrgyz 'сактаңыз' typed with "
        "Russian letters: type ң ө ү",
    ]


def test_the_shipped_kyrgyz_texts_raise_no_false_alarm():
    report = check_content(ROOT / "content", today=TODAY)
    assert [p for p in report.problems if "typed with Russian letters" in p.message] == []


# --- a new terminal ----------------------------------------------------------------------

def test_the_wrapper_runs_the_check_without_entering_the_environment(tmp_path):
    """``scripts/content-check`` from another folder, with no virtual environment on PATH."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "content-check", repo / "scripts")
    for name in ("bot", "handlers", "content", "locales"):
        (repo / name).symlink_to(ROOT / name)
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LOG_LEVEL": "WARNING"}
    result = subprocess.run([str(repo / "scripts" / "content-check")], cwd=tmp_path, env=clean,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "python3 -m venv .venv" in result.stderr

    (repo / ".venv").symlink_to(Path(sys.prefix))  # the venv the Quick start makes
    result = subprocess.run([str(repo / "scripts" / "content-check"), "--errors-only"],
                            cwd=tmp_path, env=clean, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^0 errors, \d+ warnings?", result.stdout, re.M)
    assert result.stdout.splitlines()[-1].startswith("total")


# --- the guide ---------------------------------------------------------------------------

#: Files the guide tells an editor to create, as examples.
EXAMPLES = ("fake-visa",)  # content/ru/scams.fake-visa.md, branch content/fake-visa
_PATH = re.compile(r"(?<![\w/.-])((?:content|docs|scripts|locales|tests|bot)/[\w./<>…-]*\w"
                   r"|[\w-]+\.(?:md|yaml|py))(?![\w/])")


def test_the_guide_names_only_files_the_repository_has():
    guide = GUIDE.read_text(encoding="utf-8")
    named = {m.group(1) for m in _PATH.finditer(guide)}
    assert "content/phones.yaml" in named and "content/glossary.yaml" in named
    missing = []
    for path in sorted(named):
        if any(mark in path for mark in ("<", "…", "*")) or any(e in path for e in EXAMPLES):
            continue
        candidates = [ROOT / path, ROOT / "content" / path, ROOT / "docs" / path,
                      *(ROOT / "content").glob(f"*/{path}")]
        if not any(c.exists() for c in candidates):
            missing.append(path)
    assert missing == []


def test_the_guide_says_how_to_run_the_check_from_a_new_terminal():
    guide = GUIDE.read_text(encoding="utf-8")
    for section in guide.split("## English"):  # the Russian half and the English half
        assert ". .venv/bin/activate" in section
        assert ".venv\\Scripts\\activate" in section
        assert "scripts/content-check" in section
        assert "review-sheet" in section and "phones.yaml" in section
    assert os.access(ROOT / "scripts" / "content-check", os.X_OK)
