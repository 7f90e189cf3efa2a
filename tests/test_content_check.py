"""``python -m bot content check``: the shipped content passes, each kind of mistake is
reported as ``file:line: severity: message`` with the right exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ROOT
from bot.content.check import check_content, coverage_cells
from bot.content.textrules import find_phones, phone_findings, url_problem
from bot.types import CONTENT_LANGUAGES
from tests import content_files
from tests.content_files import copy_content, replace_field, replace_line, set_body

TODAY = date(2026, 11, 28)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the shipped content to break, as it stood on TODAY."""
    return copy_content(tmp_path, TODAY)


def run_check(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """The real command line, in this process, as of TODAY."""
    return content_files.run_check(directory, capsys, today=TODAY)


def over_budget(lines: list[str], path: Path, line: int) -> list[str]:
    """The "takes N SMS segments" errors of one sms field (a text of letters only also
    earns a warning that it names no number or site)."""
    return [ln for ln in lines if ln.startswith(f"{path}:{line}:") and "SMS segments" in ln]


def errors_and_warnings(lines: list[str]) -> tuple[list[str], list[str]]:
    return ([ln for ln in lines if ": error: " in ln], [ln for ln in lines if ": warning: " in ln])


def test_shipped_content_passes_with_a_full_coverage_table(capsys):
    # today's date, not TODAY: a review date after TODAY is not in the future today
    status = main(["content", "check", str(ROOT / "content")])
    lines = capsys.readouterr().out.splitlines()
    errors, _ = errors_and_warnings(lines)
    assert errors == [] and status == 0
    report = check_content(ROOT / "content")
    cells = coverage_cells(report)
    assert len(cells) >= 15
    for topic_id, row in cells.items():
        # Russian is what every language falls back to: it is always there. A topic not
        # translated yet is a warning (Russian with a note), so "-" is allowed elsewhere.
        assert row["ru"] in {"ok", "warn"}, (topic_id, "ru", row["ru"])
        for language in CONTENT_LANGUAGES:
            assert row[language] in {"ok", "warn", "-"}, (topic_id, language, row[language])
        assert row["uz-Cyrl"] in {"auto", "ok", "warn", "-"}
        assert (row["uz-Cyrl"] == "-") == (row["uz"] == "-"), topic_id
    header = next(i for i, ln in enumerate(lines) if ln.startswith("topic "))
    assert lines[header].split() == ["topic", "ru", "ky", "tg", "uz", "uz-Cyrl"]
    written = {lang: sum(row[lang] != "-" for row in cells.values())
               for lang in ("ru", "ky", "tg", "uz", "uz-Cyrl")}
    assert written["ru"] == len(cells)
    assert lines[-1].split() == ["total"] + [f"{written[lang]}/{len(cells)}" for lang in
                                             ("ru", "ky", "tg", "uz", "uz-Cyrl")]


def test_the_command_runs_as_a_subprocess_and_fails_on_bad_yaml(content):
    path = content / "ky" / "help.emergency.md"
    line = replace_field(path, "title", "title: Шашылыш жардам: сиз коркунучта")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", str(content)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert (f"{path}:{line}: error: front matter is not valid YAML: a ':' inside a value: put "
            "the value in quotes, like title: \"…: …\"") in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].split()[0] == "total"


def test_an_unclosed_quote_points_at_the_line_it_opens(content, capsys):
    path = content / "tg" / "permits.kazakhstan.md"
    line = replace_field(path, "title", 'title: "Қазоқистон')
    status, lines = run_check(content, capsys)
    assert status == 1
    # YAML itself gives up a line later; the editor is shown the line with the quote
    assert (f"{path}:{line}: error: front matter is not valid YAML: a quote opened on this "
            "line is not closed") in lines
    assert next(ln for ln in lines if ln.startswith("permits.kazakhstan ")).split()[3] == "ERR"


def test_unknown_id_in_the_menu(content, capsys):
    menu = content / "menu.yaml"
    line = replace_line(menu, "      - help.embassy", "      - help.embassy\n      - help.nowhere")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{menu}:{line + 1}: error: menu entry help.nowhere points nowhere: there is no "
            "file ru/help.nowhere.md") in lines


def test_a_topic_listed_twice_in_the_menu(content, capsys):
    menu = content / "menu.yaml"
    first = replace_line(menu, "      - scams.trafficking",
                         "      - scams.trafficking\n      - scams.trafficking")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{menu}:{first + 1}: error: topic scams.trafficking is listed twice (also on line "
            f"{first})") in lines


def test_missing_title(content, capsys):
    path = content / "ru" / "scams.red-flags.md"
    replace_line(path, "title:", None)
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{path}:2: error: no title: add a line 'title: …' (the menu label of this topic)"
            ) in lines


def test_a_field_written_twice_and_a_misspelt_one(content, capsys):
    path = content / "ky" / "permits.registration.md"
    line = replace_line(path, "reviewed:", "reviwed: 2026-11-01\ntitle: Каттоо")
    status, lines = run_check(content, capsys)
    assert status == 1
    errors, warnings = errors_and_warnings(lines)
    assert any(e.startswith(f"{path}:2: error: no reviewed date") for e in errors)
    assert any(e.startswith(f"{path}:{line + 1}: error: title is written twice") for e in errors)
    assert f"{path}:{line}: warning: unknown field 'reviwed' (did you mean 'reviewed'?)" in warnings


def test_sms_over_budget(content, capsys):
    path = content / "ru" / "help.hotlines.md"
    replace_line(path, "reviewed:", "reviewed: 2026-11-28")  # the date line below
    line = replace_field(path, "sms", "sms: " + "а" * 300)
    # 300 letters + "\nПроверено: 28.11.2026" + "\n0 Меню" = 329 UCS-2 characters = 5 of 67
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{path}:{line}: error: sms takes 5 SMS segments (UCS-2, 329 characters with the "
            "'Проверено: 28.11.2026' and '0 Меню' lines); at most 3: shorten it") in lines


def test_the_sms_budget_keeps_room_for_the_files_reviewed_date(content, capsys):
    """An SMS that fitted beside "0 Меню" alone must now leave room for the date too."""
    path = content / "ru" / "help.hotlines.md"
    replace_line(path, "reviewed:", "reviewed: 2026-03-05")
    line = replace_field(path, "sms", "sms: " + "а" * 172)  # 172 + 22 + 7 = 201 = 3 × 67
    status, lines = run_check(content, capsys)
    assert status == 0
    assert not over_budget(lines, path, line)

    replace_field(path, "sms", "sms: " + "а" * 173)  # 180 with "0 Меню" alone: fitted before
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{path}:{line}: error: sms takes 4 SMS segments (UCS-2, 202 characters with the "
            "'Проверено: 05.03.2026' and '0 Меню' lines); at most 3: shorten it") in lines


@pytest.mark.parametrize(("language", "checked", "letters"), [
    ("ky", "Текшерилди: 28.11.26", 173),
    ("tg", "Санҷида шуд: 28/11/26", 172),
])
def test_the_date_line_is_measured_in_each_languages_words(content, capsys, language,
                                                            checked, letters):
    path = content / language / "help.hotlines.md"
    replace_line(path, "reviewed:", "reviewed: 2026-11-28")  # the date line's length is fixed
    line = replace_field(path, "sms", "sms: " + "ӯ" * letters)
    status, lines = run_check(content, capsys)
    assert not over_budget(lines, path, line)
    replace_field(path, "sms", "sms: " + "ӯ" * (letters + 1))
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{path}:{line}: error: sms takes 4 SMS segments (UCS-2, 202 characters with the "
            f"'{checked}' and '0 Меню' lines); at most 3: shorten it") in lines


def test_uzbek_sms_must_be_gsm7_and_its_cyrillic_is_measured_too(content, capsys):
    path = content / "uz" / "help.embassy.md"
    replace_line(path, "reviewed:", "reviewed: 2026-11-28")  # the date line's length is fixed
    line = replace_field(path, "sms", 'sms: "Elchixona — pasport yo\'qolsa"')
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{path}:{line}: error: sms must use only GSM-7 characters; found — (U+2014): use - "
            "instead of —, \" instead of « », no №") in lines

    replace_field(path, "sms", "sms: " + "pasport " * 31 + "oling")  # 253 Latin letters
    status, lines = run_check(content, capsys)
    errors, _ = errors_and_warnings(lines)
    assert status == 1
    # GSM-7: 253 + "\nTekshirildi: 28/11/26" + "\n0 Menyu" = 283 = 2 segments of 153: fits.
    # Cyrillic: 253 + "\nТекширилди: 28/11/26" + "\n0 Меню" = 281 = 5 segments of 67.
    assert [e for e in errors if str(path) in e] == [
        f"{path}:{line}: error: sms in Cyrillic (uz-Cyrl) takes 5 SMS segments (UCS-2, 281 "
        "characters with the 'Текширилди: 28/11/26' and '0 Меню' lines); at most 3: shorten it"]

    # "sh" is one Cyrillic letter: 346 Latin letters are 173 + 28 = 201 in Cyrillic, 3 × 67
    replace_field(path, "sms", "sms: " + "sh" * 173)
    status, lines = run_check(content, capsys)
    assert not over_budget(lines, path, line)
    replace_field(path, "sms", "sms: " + "sh" * 174)
    status, lines = run_check(content, capsys)
    assert (f"{path}:{line}: error: sms in Cyrillic (uz-Cyrl) takes 4 SMS segments (UCS-2, 202 "
            "characters with the 'Текширилди: 28/11/26' and '0 Меню' lines); at most 3: "
            "shorten it") in lines

    replace_field(path, "sms", "sms: " + "pasport " * 55)  # 439 Latin letters: too long
    status, lines = run_check(content, capsys)
    assert (f"{path}:{line}: error: sms takes 4 SMS segments (GSM-7, 469 characters with the "
            "'Tekshirildi: 28/11/26' and '0 Menyu' lines); at most 3: shorten it") in lines


def test_typographic_apostrophes_in_uzbek_are_a_warning_and_never_reach_the_sms(content,
                                                                                capsys):
    path = content / "uz" / "help.embassy.md"
    line = replace_field(path, "sms", "sms: >-\n  Pasport yoʻqolsa, elchixonaga murojaat qiling.")
    status, lines = run_check(content, capsys)
    assert status == 0
    assert (f"{path}:{line}: warning: sms: use the plain apostrophe ' (o' g'); other "
            "apostrophes make the SMS cost up to 3 times more") in lines
    served = check_content(content, today=TODAY).tree.texts[("help.embassy", "uz")].sms
    assert served == "Pasport yo'qolsa, elchixonaga murojaat qiling."


def test_bad_source_url(content, capsys):
    path = content / "ru" / "permits.russia-patent.md"
    line = replace_line(path, "  - url:", "  - url: visitrf.com/en/faq/work-patent-guide/")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert (f"{path}:{line}: error: source url 'visitrf.com/en/faq/work-patent-guide/' must "
            "start with https:// (or http://)") in lines


def test_malformed_phone_numbers_and_no_false_alarms(content, capsys):
    path = content / "uz" / "help.hotlines.md"
    start = set_body(path, "\n".join([
        "Migratsiya agentligi: +7 925 045 474.",  # one digit short
        "Yoki +7 925 O45 4744 raqamiga qo'ng'iroq qiling.",  # letter O for zero
        "To'g'ri: +7 925 045 4744, 112, 0800 0000 189, +7 (495) 967-98-44.",
        "2025-yil 1-sentabrdan 4 200 rubl, jarima 10 000-15 000 rubl, +10 000 rubl.",
        "Toshkent: +998 71 123 45 6.",  # 11 digits, +998 needs 12
    ]))
    status, lines = run_check(content, capsys)
    errors = [e for e in errors_and_warnings(lines)[0] if str(path) in e]
    assert status == 1
    assert errors == [
        f"{path}:{start}: error: phone number '+7 925 045 474' has 10 digits; a number "
        "starting +7 has 11 (+7 and 10 more)",
        f"{path}:{start + 1}: error: phone number '+7 925 O45 4744' has letters among its "
        "digits (O): type digits only",
        f"{path}:{start + 4}: error: phone number '+998 71 123 45 6' has 11 digits; a number "
        "starting +998 has 12 (+998 and 9 more)",
    ]


def test_old_reviewed_date_is_a_warning_only(content, capsys):
    path = content / "tg" / "help.embassy.md"
    line = replace_line(path, "reviewed:", "reviewed: 2025-11-27")
    status, lines = run_check(content, capsys)
    assert status == 0
    assert (f"{path}:{line}: warning: reviewed 2025-11-27 is more than 12 months ago: check "
            "the text against its sources and update the date") in lines
    replace_line(path, "reviewed:", "reviewed: 2025-11-28")  # exactly 12 months: fine
    assert not [ln for ln in run_check(content, capsys)[1] if "reviewed 2025" in ln]


def test_missing_translation_is_listed_per_language(content, capsys):
    # topics not translated yet in the shipped content count too: one more each below
    before = {lang: 0 for lang in CONTENT_LANGUAGES}
    for problem in check_content(content, today=TODAY).problems:
        if problem.code == "missing-translation":
            before[problem.language] += 1
    (content / "ky" / "scams.trafficking.md").unlink()
    (content / "uz" / "help.embassy.md").unlink()
    menu = content / "menu.yaml"
    lines_of_menu = menu.read_text(encoding="utf-8").splitlines()
    ky_line = lines_of_menu.index("      - scams.trafficking") + 1
    uz_line = lines_of_menu.index("      - help.embassy") + 1
    status, lines = run_check(content, capsys)
    assert status == 0
    ky = (f"{menu}:{ky_line}: warning: scams.trafficking has no ky translation "
          "(ky/scams.trafficking.md): ky readers get the Russian text with a note")
    uz = (f"{menu}:{uz_line}: warning: help.embassy has no uz translation "
          "(uz/help.embassy.md): uz readers get the Russian text with a note")
    assert lines.index(ky) < lines.index(uz)  # grouped by language, after everything else
    after = {**before, "ky": before["ky"] + 1, "uz": before["uz"] + 1}
    listed = ", ".join(f"{lang} {count}" for lang, count in after.items() if count)
    assert f"missing translations: {listed}" in lines
    row = next(ln for ln in lines if ln.startswith("help.embassy "))
    assert row.split()[4:] == ["-", "-"]  # uz, and so uz-Cyrl: Russian is shown


def test_lookalike_letters_and_mixed_words(content, capsys):
    path = content / "ky" / "help.emergency.md"
    start = set_body(path, "Кыргызcтан жарандары үчүн.\nТелефон: 112. Telegramда жазыңыз.\n"
                           "Коркунучта болсоңуз, θз үйүңүзгө кайтыңыз.")
    status, lines = run_check(content, capsys)
    errors = [e for e in errors_and_warnings(lines)[0] if str(path) in e]
    assert status == 1
    assert errors == [
        f"{path}:{start}: error: the word 'Кыргызcтан' mixes Latin and Cyrillic letters "
        "(Latin 'c'): retype it",
        f"{path}:{start + 2}: error: 'θ' (U+03B8) is a letter of another alphabet: type 'ө'",
    ]


# --- the rules alone -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2025-yil", "10 000–15 000 руб.", "4 200 rubl", "+10 000 rubl", "+3 soat", "90 kun",
    "18+ yosh", "UTC+3", "35,5%", "+20%", "1-sentabr 2025", "203 пункта", "mc.mos.ru",
])
def test_years_amounts_and_counts_are_not_phone_numbers(text):
    assert phone_findings(text) == []


@pytest.mark.parametrize(("text", "digits"), [
    ("+7 925 045 4744", "79250454744"),
    ("+7 (495) 967-98-44, 9:00–18:00", "74959679844"),
    ("0800 0000 189 (bepul)", "08000000189"),
    ("+996 312 123 456-ga", "996312123456"),
    ("8 (495) 967-98-44", "84959679844"),
])
def test_phone_numbers_are_recognised(text, digits):
    assert [p.digits for p in find_phones(text)] == [digits]
    assert phone_findings(text) == []


@pytest.mark.parametrize(("url", "ok"), [
    ("https://visitrf.com/en/faq/", True), ("http://migration.tj", True),
    ("https://мвд.рф/", True), ("visitrf.com", False), ("htps://gov.uz", False),
    ("https://", False), ("https://gov", False), ("https://gov .uz", False),
    ("ftp://gov.uz", False),
])
def test_source_urls_need_http_and_a_host(url, ok):
    assert (url_problem(url) is None) is ok
