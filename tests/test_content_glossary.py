"""The glossary (content/glossary.yaml): a term it names as wrong is a warning with
``file:line`` and the term to use; questions people type (keywords, examples) are exempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ROOT
from bot.content.glossary import read_glossary
from bot.content.loader import Problem
from tests.content_files import copy_content, lines_about, replace_field, run_check, set_body


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


def glossary_lines(lines: list[str], path: Path) -> list[str]:
    return [line for line in lines_about(lines, path) if "glossary" in line]


def test_a_wrong_term_is_a_warning_with_file_line_and_the_term_to_use(content, capsys):
    path = content / "ky" / "help.emergency.md"
    start = set_body(path, "Коркунучта болсоңуз, 112ге чалыңыз.\n"
                           "Россияда акча жок болсо да иштейт.\n"
                           "Казакстанда да 112.")
    status, lines = run_check(content, capsys)
    assert status == 0  # a warning: the file is published
    assert glossary_lines(lines, path) == [
        f"{path}:{start + 1}: warning: glossary (russia): write 'Орусия' instead of "
        "'Россияда'"]


def test_kyrgyz_iim_must_say_whose_ministry_at_its_first_mention(content, capsys):
    path = content / "ky" / "help.emergency.md"
    start = set_body(path, "Документтериңизди ИИМге көрсөтүңүз.\nАндан кийин ИИМден сураңыз.")
    _, lines = run_check(content, capsys)
    assert glossary_lines(lines, path) == [
        f"{path}:{start}: warning: glossary (interior-ministry): write 'Орусиянын ИИМи (МВД)' "
        "at its first mention instead of 'ИИМге'"]  # only the first mention counts

    set_body(path, "Документтериңизди Орусиянын ИИМине (МВД) көрсөтүңүз.\n"
                   "Андан кийин ИИМден сураңыз. Кыргызстандын ИИМи башка.")
    _, lines = run_check(content, capsys)
    assert glossary_lines(lines, path) == []


def test_the_sms_is_read_apart_from_the_answer(content, capsys):
    """An SMS reader never sees the answer: its first mention must name the ministry too."""
    path = content / "ky" / "help.emergency.md"
    set_body(path, "Орусиянын ИИМи (МВД) сизди текшерет.")
    line = replace_field(path, "sms", "sms: ИИМ текшерсе - 112 же элчилик.")
    _, lines = run_check(content, capsys)
    assert glossary_lines(lines, path) == [
        f"{path}:{line}: warning: glossary (interior-ministry): write 'Орусиянын ИИМи (МВД)' "
        "at its first mention instead of 'ИИМ'"]


def test_uzbek_iiv_alone_is_flagged_everywhere_unless_it_names_russia(content, capsys):
    path = content / "uz" / "help.emergency.md"
    start = set_body(path, "Shartnoma haqida IIVga xabar bering.\n"
                           "Rossiya IIV (MVD) saytida tekshiring.\n"
                           "Yoki IIVga (MVD) yozing. Keyin IIVdan so'rang.")
    _, lines = run_check(content, capsys)
    assert glossary_lines(lines, path) == [
        f"{path}:{start}: warning: glossary (interior-ministry): write 'Rossiya IIV (MVD)' "
        "instead of 'IIVga'",
        f"{path}:{start + 2}: warning: glossary (interior-ministry): write 'Rossiya IIV (MVD)' "
        "instead of 'IIVdan'"]


def test_a_tajik_licence_is_not_the_work_permit(content, capsys):
    path = content / "tg" / "scams.passport-taken.md"
    start = set_body(path, "Иҷозатномаи кор ва патентро нигоҳ доред.\n"
                           "Танҳо тавассути агентии иҷозатномадор кор ёбед.")
    _, lines = run_check(content, capsys)
    assert glossary_lines(lines, path) == [
        f"{path}:{start + 1}: warning: glossary (licence): write 'литсензиядор' instead of "
        "'иҷозатномадор'"]


def test_keywords_examples_and_sources_may_hold_the_words_people_type(content, capsys):
    path = content / "ky" / "permits.registration.md"
    # questions as people type them: Russian words, Russian letters, a Latin z in a word
    line = replace_field(path, "keywords", 'keywords: ["Россия", "ИИМ", "көзөмөлдөөчү реестр", '
                  '"каттоо", "регистрация", "прописка", "учет", "каттоосуз", "Амина", '
                  '"учун"]')
    # three more examples first in the file's own list (a second `examples:` is an error)
    text = path.read_text(encoding="utf-8").replace(
        "\nexamples:\n", "\nexamples:\n  - Россияда ИИМге каттоо кантип\n"
        "  - учун каттоо керек коzомол реестр мвд.рф\n  - registraciya kak sdelat\n", 1)
    path.write_text(text, encoding="utf-8")
    first = text.split("\n").index("examples:") + 2
    status, lines = run_check(content, capsys, "--no-examples")  # letters and terms only
    assert status == 0
    flagged = {f"{path}:{number}:" for number in (line, first, first + 1, first + 2)}
    assert [ln for ln in lines if ln.split(" ")[0] in flagged] == []


# --- the glossary file itself ------------------------------------------------------------

def test_the_shipped_glossary_reads_without_problems_and_covers_the_concepts():
    problems: list[Problem] = []
    glossary = read_glossary(ROOT / "content", problems)
    assert problems == [] and glossary is not None
    concepts = {term.concept for term in glossary.terms}
    assert {"russia", "interior-ministry", "patent", "registration", "work-permit", "licence",
            "entry-ban", "deportation-expulsion", "embassy", "consulate", "help",
            "controlled-persons-register"} <= concepts
    for concept in ("russia", "interior-ministry", "embassy", "consulate", "registration"):
        languages = {t.language for t in glossary.terms if t.concept == concept}
        assert languages == {"ru", "ky", "tg", "uz"}, concept
    # where the review settles nothing, there is an open question and no rule
    help_tg = next(t for t in glossary.terms if t.concept == "help" and t.language == "tg")
    assert help_tg.open
    assert glossary.findings("кумак ва кӯмак", "tg") == []


@pytest.mark.parametrize(("entry", "line", "message"), [
    ("  - id: x\n    en: x\n    ky:\n\t  use: a\n", 4, "not valid YAML: a tab character: "
     "indent with spaces"),
    ("  - id: x\n    en: x\n    ky:\n      use: Орусиянын ИИМи\n      avoid: [ИИМ]\n", 3,
     "term x, ky: the term to use, 'Орусиянын ИИМи', contains 'ИИМ', which it says to "
     "avoid: add the term to ok_in"),
    ("  - id: x\n    en: x\n    tg:\n      use: a\n      avoid: [b]\n      open: which?\n", 3,
     "term x, tg: a question still 'open' cannot have words to avoid: settle it first"),
])
def test_mistakes_in_the_glossary_are_errors_with_its_line(content, capsys, entry, line,
                                                          message):
    glossary = content / "glossary.yaml"
    glossary.write_text("terms:\n" + entry, encoding="utf-8")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert f"{glossary}:{line + 1}: error: {message}" in lines
