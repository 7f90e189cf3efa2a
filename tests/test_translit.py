"""Uzbek Latin ⇄ Cyrillic on real words, both ways (the 1995 Latin alphabet)."""

from __future__ import annotations

import re

import pytest

from bot.config import ROOT
from bot.content.loader import load_content
from bot.content.textrules import without_addresses
from bot.sms.segments import is_gsm7
from bot.understanding.translit import (
    normalize_apostrophes,
    uz_cyrillic_to_latin,
    uz_latin_to_cyrillic,
)

# (Latin, Cyrillic): each pair must go both ways.
BOTH_WAYS = [
    ("yo'l", "йўл"),  # yo' is й + ў, not ё + ъ
    ("Yo'q", "Йўқ"),
    ("ma'lumot", "маълумот"),  # the apostrophe after a letter is the hard sign
    ("e'lon", "эълон"),
    ("san'at", "санъат"),
    ("Yevropa", "Европа"),  # ye at the start of a word is е
    ("poyezd", "поезд"),  # and after a vowel
    ("yer", "ер"),
    ("obyekt", "объект"),  # after a consonant: the Russian ъе
    ("ekin", "экин"),  # e at the start of a word is э
    ("aeroport", "аэропорт"),  # and after a vowel
    ("kelishuv", "келишув"),
    ("o'zbek", "ўзбек"),
    ("O'zbekiston", "Ўзбекистон"),
    ("O'ZBEKISTON", "ЎЗБЕКИСТОН"),
    ("Qozog'iston", "Қозоғистон"),
    ("g'alla", "ғалла"),
    ("tog'", "тоғ"),
    ("shahar", "шаҳар"),
    ("Shahar", "Шаҳар"),
    ("SHAHAR", "ШАҲАР"),
    ("choy", "чой"),
    ("CHORSHANBA", "ЧОРШАНБА"),
    ("Is'hoq", "Исҳоқ"),  # s'h is с + ҳ; sh would be ш
    ("tong", "тонг"),  # ng is two letters
    ("yangi", "янги"),
    ("dunyo", "дунё"),
    ("ayol", "аёл"),
    ("tayyor", "тайёр"),
    ("kuyov", "куёв"),
    ("yuk", "юк"),
    ("hujjat", "ҳужжат"),
    ("xorij", "хориж"),
    ("qo'shiq", "қўшиқ"),
    ("registratsiya", "регистрация"),  # ts is ц in loanwords in -tsiya
    ("politsiya", "полиция"),
    ("litsenziya", "лицензия"),  # and before e
    ("ketsa", "кетса"),  # but t + s in Uzbek suffixes
    ("aytsin", "айтсин"),
    ("ruxsatsiz", "рухсатсиз"),
    ("patentsiz", "патентсиз"),
    ("sentabr", "сентябр"),  # the month names of CLDR, as in the date line
    ("1-sentabrdan", "1-сентябрдан"),
    ("oktabr", "октябр"),
    ("yanvar", "январ"),
    ("iyun", "июн"),
    ("kompyuter", "компьютер"),
    ("Toshkent", "Тошкент"),
]


@pytest.mark.parametrize(("latin", "cyrillic"), BOTH_WAYS)
def test_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert uz_latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(("latin", "cyrillic"), BOTH_WAYS)
def test_cyrillic_to_latin(latin: str, cyrillic: str) -> None:
    assert uz_cyrillic_to_latin(cyrillic) == latin


@pytest.mark.parametrize(("cyrillic", "latin"), [
    ("сентябрь", "sentabr"),  # with the soft sign too
    ("октябрь", "oktabr"),
    ("цирк", "sirk"),  # ц at the start of a word or after a consonant is s
    ("концерт", "konsert"),
    ("мўъжиза", "mo'jiza"),  # ъ after ў is not written
    ("ЕВРОПА", "YEVROPA"),
])
def test_cyrillic_to_latin_one_way(cyrillic: str, latin: str) -> None:
    assert uz_cyrillic_to_latin(cyrillic) == latin


def test_every_apostrophe_people_type_is_read_as_the_same_letter() -> None:
    for apostrophe in "'ʻ‘’`ʼ":
        assert uz_latin_to_cyrillic(f"o{apostrophe}zbek") == "ўзбек"
        assert uz_latin_to_cyrillic(f"ma{apostrophe}lumot") == "маълумот"
    assert normalize_apostrophes("Oʻzbekiston, gʻalla, ma’lumot") == "O'zbekiston, g'alla, ma'lumot"


def test_a_sentence_keeps_addresses_codes_names_and_quotes() -> None:
    text = ("Batafsil: gov.uz/migration va https://mfa.uz/ru/page?id=1. 'Xorijda ish' "
            "platformasi, WhatsApp, TikTok, RuID, E-9 viza, mvd@example.org.")
    assert uz_latin_to_cyrillic(text) == (
        "Батафсил: gov.uz/migration ва https://mfa.uz/ru/page?id=1. 'Хорижда иш' "
        "платформаси, WhatsApp, TikTok, RuID, E-9 виза, mvd@example.org.")


def test_markdown_and_numbers_survive() -> None:
    assert uz_latin_to_cyrillic("**Nima qilish kerak**\n1. Ro'yxatdan o'ting (15 kun).") == (
        "**Нима қилиш керак**\n1. Рўйхатдан ўтинг (15 кун).")


def test_cyrillic_back_to_latin_is_gsm7() -> None:
    latin = uz_cyrillic_to_latin("Ўзбекистон фуқаролари «Ҳужжат» ғалла маълумот")
    assert is_gsm7(latin.replace("«", '"').replace("»", '"'))
    assert latin == "O'zbekiston fuqarolari «Hujjat» g'alla ma'lumot"


def test_shipped_uzbek_transliterates_without_latin_leftovers() -> None:
    """uz-Cyrl readers see Latin letters only in addresses and names Uzbek cannot spell."""
    tree = load_content(ROOT / "content")
    derived = [t for (_, lang), t in tree.texts.items() if lang == "uz-Cyrl" and t.derived]
    assert derived, "no Uzbek text to transliterate"
    for text in derived:
        for part in (text.title, text.sms, text.body):
            leftovers = set(re.findall(r"[A-Za-z]+", without_addresses(part)))
            names = {w for w in leftovers if re.search(r"[cwCW]|[a-z][A-Z]", w)}
            assert leftovers == names, (text.topic_id, leftovers - names)
