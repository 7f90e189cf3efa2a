"""Language detection of first messages, the switching rule, and the phone-country helper."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.phone import country_from_phone, language_for_country
from bot.understanding.langcorpus import build_corpus
from bot.understanding.langdetect import (
    Detector,
    continue_language,
    default_detector,
    detect_language,
)
from bot.understanding.langmodel import build_profiles

sys.path.insert(0, str(ROOT / "scripts"))
from eval_langdetect import LABELS, evaluate, load_examples

EXAMPLES = load_examples()


@pytest.fixture(scope="module")
def detector() -> Detector:
    return default_detector()


def test_the_labelled_set_is_large_enough_and_well_formed():
    per_language = Counter(e.language for e in EXAMPLES)
    assert set(per_language) == set(LABELS)
    for language in ("ru", "ky", "tg", "uz", "uz-Cyrl"):
        assert per_language[language] >= 40, language
        assert any(e.split == "heldout" and e.language == language for e in EXAMPLES)
    assert {e.split for e in EXAMPLES} == {"dev", "heldout"}
    assert len({(e.text, e.hint, e.country) for e in EXAMPLES}) == len(EXAMPLES)


def test_accuracy_on_the_labelled_set_is_at_least_95_percent(detector):
    report = evaluate(detector, EXAMPLES)
    wrong = [(e.language, got, e.text) for e, got in report.errors]
    assert report.accuracy >= 0.95, wrong
    for language in LABELS:
        assert report.of(language) >= 0.85, (language, wrong)


def test_the_held_out_part_alone_is_at_least_95_percent(detector):
    report = evaluate(detector, [e for e in EXAMPLES if e.split == "heldout"])
    assert report.accuracy >= 0.95, [(e.language, g, e.text) for e, g in report.errors]


def test_detection_works_without_any_content(tmp_path: Path):
    """A fresh install with an empty content folder still tells the languages apart."""
    bare = Detector(build_profiles(build_corpus(tmp_path, None)))
    assert evaluate(bare, EXAMPLES).accuracy >= 0.95


def test_detection_is_deterministic():
    again = Detector(build_profiles(build_corpus(ROOT / "locales", None)))
    first = Detector(build_profiles(build_corpus(ROOT / "locales", None)))
    for example in EXAMPLES:
        assert first.detect(example.text) == again.detect(example.text)


@pytest.mark.parametrize(("text", "expected"), [
    ("kak poluchit patent", "ru"),
    ("skolko stoit patent v moskve", "ru"),
    ("pasport olish kerak", "uz"),
    ("patent olish uchun nima qilish kerak", "uz"),
    ("oʻzbekistonga qaytish", "uz"),
    ("ro‘yxatdan o’tish kerakmi", "uz"),
    ("паспорт олиш керак", "uz-Cyrl"),
    ("патентни қандай оламан", "uz-Cyrl"),
    ("чӣ тавр патент гирам", "tg"),
    ("чи тавр патент гирам", "tg"),  # no Tajik letters: a Russian keyboard
    ("патентти кантип алам", "ky"),
    ("иштоо учун эмне керек", "ky"),  # ө ү typed as о у
    ("привет", "ru"),
    ("Здравствуйте!", "ru"),
    ("саламатсызбы", "ky"),
    ("салам", None),
    ("салом", None),
    ("salom", None),
    ("hi", None),
    ("👍👍", None),
    ("/start", None),
    ("I need help with my work permit", None),
])
def test_first_messages(detector, text, expected):
    assert detector.detect(text).language == expected


@pytest.mark.parametrize(("text", "hint", "country", "expected"), [
    ("салам", None, "KG", "ky"),
    ("салам", None, "TJ", "tg"),
    ("салом", None, "UZ", "uz-Cyrl"),  # Cyrillic letters: Uzbek in Cyrillic
    ("salom", None, "UZ", "uz"),
    ("салам", "ky", None, "ky"),
    ("hi", "ru", None, "ru"),
    ("/start", "tg", None, "tg"),
    ("/start", "uz", None, "uz"),
    ("салам", "ru", None, None),  # ru is every phone's default; салам is not Russian
    ("hi", "en", None, None),
    ("как получить патент", "ky", None, "ru"),  # the text outweighs the hint
    ("kak poluchit patent", None, "UZ", "ru"),
    ("регистрация", "ky", None, "ky"),  # one borrowed word: the person's own setting wins
])
def test_hints_decide_only_when_the_text_says_too_little(detector, text, hint, country,
                                                         expected):
    assert detector.detect(text, hint=hint, country=country).language == expected


def test_detect_language_returns_only_our_codes():
    assert detect_language("hello there my friend") is None
    assert detect_language("как получить патент") == "ru"


@pytest.mark.parametrize(("current", "text", "expected"), [
    ("ky", "патент", "ky"),  # one borrowed word never flips the language
    ("ky", "регистрация", "ky"),
    ("tg", "ok", "tg"),
    ("ky", "спасибо", "ky"),
    ("ky", "я не понял", "ky"),  # one real word
    ("uz-Cyrl", "патент канча", "uz-Cyrl"),  # канча is Kyrgyz and Uzbek typed without қ
    ("ky", "как получить патент в москве", "ru"),
    ("ru", "патентти кантип алам", "ky"),
    ("ru", "шиносномаамро гум кардам чӣ кор кунам", "tg"),
    ("uz", "патент олиш учун нима керак", "uz-Cyrl"),  # Uzbek in Cyrillic: follow the script
    ("uz-Cyrl", "patent olish uchun nima kerak", "uz"),
    ("uz", "Patent qancha turadi?", "uz"),
    ("ru", "1", "ru"),
    ("tg", "меню", "tg"),
])
def test_a_conversation_changes_language_only_on_a_confident_message(detector, current, text,
                                                                     expected):
    assert continue_language(detector, current, text) == expected


@pytest.mark.parametrize(("number", "country"), [
    ("+996555123456", "KG"),
    ("+996 (555) 12-34-56", "KG"),
    ("00992 93 123 4567", "TJ"),
    ("+998901234567", "UZ"),
    ("+79161234567", "RU"),
    ("+77011234567", "KZ"),
    ("+905321234567", "TR"),
    ("89161234567", None),  # a local number says nothing about the country
    ("+1", None),
    ("", None),
    (None, None),
    ("+99655512345678901234", None),
    ("+996abc", None),
])
def test_country_from_phone(number, country):
    assert country_from_phone(number) == country


def test_only_central_asian_countries_suggest_a_language():
    assert [language_for_country(c) for c in ("KG", "tj", "UZ", "RU", "KZ", None)] == [
        "ky", "tg", "uz", None, None, None]


@pytest.mark.parametrize("text", ["/start t-permits-registration",
                                  "/start@MigrantBot t-help-embassy"])
def test_a_deep_link_payload_is_not_read_as_words(detector, text):
    assert detector.detect(text, hint="ky").language == "ky"
    assert detector.detect(text).language is None
