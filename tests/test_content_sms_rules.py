"""SMS texts a reader can act on: one number or site at least, and in a Latin Uzbek SMS a
Latin address only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.content_files import copy_content, lines_about, replace_field, run_check

NO_ACTION = ("warning: sms names no phone number or site to act on: add the one the reader "
             "should use first (an official site or a hotline)")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


@pytest.mark.parametrize(("language", "sms", "acts"), [
    ("ru", "Не платите посредникам. Проверьте лицензию агентства до оплаты.", False),
    ("ru", "Проверьте лицензию агентства до оплаты: gov.uz/migration.", True),
    ("ru", "Опасно - звоните 112, это бесплатно.", True),  # a short number from phones.yaml
    ("ky", "Өзбектерге: +79250454744. Чалуудан мурун текшериңиз.", True),
    ("ky", "Виза E-9 гана. 2026-жылы 80 000 орун.", False),  # a code and numbers are not
    ("tg", "Пеш аз пардохт литсензияро санҷед: migration.tj", True),
])
def test_an_sms_without_a_number_or_site_is_a_warning(content, capsys, language, sms, acts):
    path = content / language / "scams.red-flags.md"
    line = replace_field(path, "sms", f"sms: >-\n  {sms}")
    status, lines = run_check(content, capsys)
    assert status == 0
    assert (f"{path}:{line}: {NO_ACTION}" in lines) is not acts


def test_a_cyrillic_address_in_a_latin_uzbek_sms_is_an_error_that_says_why(content, capsys):
    path = content / "uz" / "permits.patent-payment.md"
    line = replace_field(path, "sms", "sms: >-\n  Patent faqat to'langan muddatda amal qiladi. "
                         "Hududingiz summasini tekshiring: мвд.рф")
    status, lines = run_check(content, capsys)
    assert status == 1
    assert [ln for ln in lines_about(lines, path) if ": error: " in ln] == [
        f"{path}:{line}: error: sms: the address 'мвд.рф' is in Cyrillic letters, which a "
        "Latin Uzbek SMS cannot carry (it would cost up to 3 times more, and Latin-only "
        "phones cannot show or type it): give a Latin address instead, an official Latin site "
        "or this one in Latin letters: xn--b1aew.xn--p1ai"]
    # it names a site all the same: no second warning that it names none
    assert f"{path}:{line}: {NO_ACTION}" not in lines

    replace_field(path, "sms", "sms: >-\n  Patent faqat to'langan muddatda amal qiladi. "
                  "Hududingiz summasini tekshiring: gosuslugi.ru")
    assert not [ln for ln in lines_about(run_check(content, capsys)[1], path)
                if ln.startswith(f"{path}:{line}:")]


def test_cyrillic_letters_in_a_latin_uzbek_sms_remain_a_gsm7_error(content, capsys):
    path = content / "uz" / "permits.patent-payment.md"
    line = replace_field(path, "sms", "sms: >-\n  Patent faqat to'langan muddatda. Ҳудуд: "
                         "gov.uz/migration")
    _, lines = run_check(content, capsys)
    assert (f"{path}:{line}: error: sms must use only GSM-7 characters; found д (U+0434) у "
            "(U+0443) Ҳ (U+04B2): use - instead of —, \" instead of « », no №") in lines
