"""The gettext catalogs are complete and consistent, and numbers, money, dates and plurals
come out in each language's own form (CLDR data through Babel)."""

from __future__ import annotations

import io
import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from bot.config import ROOT
from bot.i18n import Catalogs, babel_locale, language_name

LOCALES = ROOT / "locales"
REQUIRED = ("ru", "ky", "tg", "uz", "uz_Cyrl", "en")
#: The keywords of ``pybabel extract`` (README, "Interface strings"): ctx.t(...), t.plural(...).
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "plural": (1, 2)}


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name)


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {name: read_catalog(LOCALES / name / "LC_MESSAGES" / "messages.po") for name in REQUIRED}


def code_message_ids() -> set[str | tuple[str, ...]]:
    """Every message id the code passes to ``t``/``plural``, as ``pybabel extract`` finds it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found: set[str | tuple[str, ...]] = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, KEYWORDS):
        found.add(message)
    return found


def placeholders(text: str) -> set[str]:
    """``{name}`` fields and ``%s``/``%(name)s`` conversions in a string."""
    fields = {f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return fields | set(re.findall(r"%(?:\([^)]+\))?[sdif]", text))


def as_tuple(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def test_every_required_catalog_exists():
    for name in REQUIRED:
        assert (LOCALES / name / "LC_MESSAGES" / "messages.po").is_file(), name


def test_every_message_in_the_code_is_in_the_template_and_every_catalog(catalogs):
    template = read_catalog_template()
    in_code = code_message_ids()
    assert in_code, "pybabel extract found nothing: check babel.cfg"
    for message in in_code:
        key = as_tuple(message)[0]
        assert key in template, f"not in locales/messages.pot (run pybabel extract): {key!r}"
        for name, catalog in catalogs.items():
            assert key in catalog, f"{name}: missing {key!r} (run pybabel update, translate)"


def test_every_catalog_entry_is_found_by_extraction(catalogs):
    """An entry the code uses in a way ``pybabel extract`` cannot see (``translator(x)("…")``,
    a variable) turns obsolete at the next ``pybabel update`` and silently loses its
    translation: call ``t = …translator(x)`` then ``t("…")`` with the literal."""
    in_code = {as_tuple(m)[0] for m in code_message_ids()}
    for name, catalog in catalogs.items():
        hidden = [m.id for m in catalog if m.id and as_tuple(m.id)[0] not in in_code]
        assert not hidden, f"{name}: not found by pybabel extract: {hidden}"


def read_catalog_template() -> Catalog:
    with (LOCALES / "messages.pot").open("rb") as handle:
        return read_po(handle)


def test_every_catalog_translates_every_message(catalogs):
    template = read_catalog_template()
    for name, catalog in catalogs.items():
        for message in template:
            if not message.id:
                continue
            own = catalog.get(message.id)
            assert own is not None, f"{name}: no entry for {message.id!r}"
            strings = as_tuple(own.string)
            assert all(s.strip() for s in strings), f"{name}: untranslated {message.id!r}"
            assert not own.fuzzy, f"{name}: fuzzy (unchecked) translation of {message.id!r}"


def test_translations_keep_the_placeholders_of_the_original(catalogs):
    for name, catalog in catalogs.items():
        for message in catalog:
            if not message.id or not message.string:
                continue
            ids = as_tuple(message.id)
            wanted = set().union(*(placeholders(i) for i in ids))
            for form in as_tuple(message.string):
                assert placeholders(form) == wanted, (name, message.id, form)


def test_plural_entries_have_one_form_per_cldr_category(catalogs):
    for name, catalog in catalogs.items():
        forms = get_plural(name).num_plurals  # CLDR's categories as gettext counts them
        assert catalog.num_plurals == forms, (name, catalog.plural_forms)
        for message in catalog:
            if message.pluralizable and message.string:
                assert len(as_tuple(message.string)) == forms, (name, message.id)


@pytest.mark.parametrize(("name", "foreign"), [
    ("ky", "ӣӯҷҳқғў"),  # Kyrgyz has ң ө ү, none of the Tajik or Uzbek letters
    ("tg", "ңөүў"),
    ("uz_Cyrl", "ңөүӣӯҷ"),
    ("uz", "ʻ‘’`ʼ"),  # Uzbek Latin keeps the GSM-7 apostrophe, so an SMS holds 160 letters
])
def test_translations_use_their_own_letters(catalogs, name, foreign):
    for message in catalogs[name]:
        for form in as_tuple(message.string):
            assert not set(form) & set(foreign), (name, message.id, form)


def test_catalogs_compile(catalogs):
    """``pybabel compile`` would succeed: every catalog writes a valid .mo."""
    for name, catalog in catalogs.items():
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        assert buffer.getvalue(), name
        assert list(catalog.check()) == [], name


def _write_catalog(root: Path, locale: str, messages: list[Message]) -> None:
    catalog = Catalog(locale=locale)
    for message in messages:
        catalog[message.id] = message
    folder = root / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalog)


def test_a_missing_translation_falls_back_to_russian_never_to_latin_uzbek(tmp_path):
    _write_catalog(tmp_path, "ru", [Message("Menu", "Меню"), Message("Back", "Назад")])
    _write_catalog(tmp_path, "uz", [Message("Menu", "Menyu"), Message("Back", "Orqaga")])
    _write_catalog(tmp_path, "uz_Cyrl", [Message("Menu", "Меню")])
    languages = Catalogs(tmp_path)
    assert languages.translator("uz-Cyrl")("Back") == "Назад"
    assert languages.translator("uz-Cyrl")("Menu") == "Меню"
    assert languages.translator("ky")("Back") == "Назад"  # no Kyrgyz catalog at all
    assert languages.translator("uz")("Unknown id") == "Unknown id"


def test_plurals_follow_cldr_rules_in_every_language(tmp_path):
    forms = {
        "ru": ("{n} день", "{n} дня", "{n} дней"),
        "ky": ("{n} күн", "{n} күн"),
        "tg": ("{n} рӯз", "{n} рӯз"),
        "uz": ("{n} kun", "{n} kun"),
        "uz_Cyrl": ("{n} кун", "{n} кун"),
    }
    for locale, strings in forms.items():
        assert len(strings) == get_plural(locale).num_plurals, locale
        _write_catalog(tmp_path, locale, [Message(("{n} day", "{n} days"), strings)])
    languages = Catalogs(tmp_path)
    ru = languages.translator("ru")
    assert [ru.plural("{n} day", "{n} days", n) for n in (1, 2, 5, 11, 21, 1000)] == [
        "1 день", "2 дня", "5 дней", "11 дней", "21 день", "1\u00a0000 дней"]
    assert languages.translator("ky").plural("{n} day", "{n} days", 90) == "90 күн"
    assert languages.translator("tg").plural("{n} day", "{n} days", 15) == "15 рӯз"
    assert languages.translator("uz").plural("{n} day", "{n} days", 30) == "30 kun"
    assert languages.translator("uz-Cyrl").plural("{n} day", "{n} days", 7) == "7 кун"


@pytest.fixture(scope="module")
def translators() -> Catalogs:
    return Catalogs(LOCALES)


NBSP = "\u00a0"


@pytest.mark.parametrize(("language", "rub", "kzt", "rub_long"), [
    ("ru", f"4{NBSP}200{NBSP}₽", f"27{NBSP}283,50{NBSP}KZT", "4 200 российских рублей"),
    ("ky", f"4{NBSP}200{NBSP}RUB", f"27{NBSP}283,50{NBSP}KZT", "4 200 орус рублу"),
    ("tg", f"4{NBSP}200{NBSP}RUB", f"27{NBSP}283,50{NBSP}KZT", "4 200 рубли русӣ"),
    ("uz", "4 200 RUB", "27 283,50 KZT", "4 200 Rossiya rubli"),
    ("uz-Cyrl", f"4{NBSP}200{NBSP}RUB", f"27{NBSP}283,50{NBSP}KZT", "4 200 Рус рубли"),
])
def test_money_in_roubles_and_tenge(translators, language, rub, kzt, rub_long):
    t = translators.translator(language)
    assert t.money(4200, "RUB") == rub
    assert t.money(27283.5, "KZT") == kzt
    assert t.money(4200, "RUB", long=True).replace(NBSP, " ") == rub_long


def test_russian_currency_names_take_the_plural_the_number_needs(translators):
    t = translators.translator("ru")
    assert [t.money(n, "RUB", long=True).replace(NBSP, " ") for n in (1, 3, 10_000)] == [
        "1 российский рубль", "3 российских рубля", "10 000 российских рублей"]
    assert t.money(15_000, "KZT", long=True).replace(NBSP, " ") == "15 000 казахских тенге"


def test_uzbek_latin_amounts_and_dates_stay_gsm7(translators):
    t = translators.translator("uz")
    for text in (t.money(10_000, "KZT", long=True), t.number(1_234_567), t.money(4200, "RUB"),
                 t.date(date(2026, 11, 28))):
        assert text.isascii(), text


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", "28 ноября 2026\u202fг."),
    ("ky", "2026-ж., 28-ноябрь"),
    ("tg", "28 Ноябр 2026"),
    ("uz", "28-noyabr, 2026"),
    ("uz-Cyrl", "28 ноябр, 2026"),
])
def test_review_dates_in_each_language(translators, language, expected):
    assert translators.translator(language).date(date(2026, 11, 28)) == expected


def test_numbers_use_the_language_grouping(translators):
    assert translators.translator("ru").number(10_000) == f"10{NBSP}000"
    assert translators.translator("en").number(10_000) == "10,000"
    assert translators.translator("uz").number(10_000.5) == "10 000,5"


def test_language_names_from_cldr_are_in_their_own_script():
    assert language_name("ky") == "кыргызча"
    assert language_name("tg") == "тоҷикӣ"
    assert language_name("uz") == "o'zbek"
    assert language_name("uz-Cyrl") == "ўзбекча"
    assert babel_locale("uz-Cyrl") == "uz_Cyrl"
