"""Which of our languages a message is written in (first-message detection).

Distinctive letters decide first; then frequent words; then the channel's hints.
Returns ``None`` when the text says too little — the caller then asks.
"""

from __future__ import annotations

import re

from bot.types import LANGUAGES

_WORD = re.compile(r"[\w'ʻ‘’`]+")

_COMMON_WORDS: dict[str, frozenset[str]] = {
    "ru": frozenset(
        [
            "как",
            "что",
            "где",
            "мне",
            "меня",
            "нужно",
            "нужна",
            "помощь",
            "работа",
            "работу",
            "патент",
            "паспорт",
            "можно",
            "почему",
            "сколько",
            "если",
            "не",
            "у",
            "в",
            "на",
            "и",
            "я",
            "kak",
            "chto",
            "gde",
            "mne",
            "nuzhno",
            "rabota",
            "rabotu",
            "pomosh",
            "skolko",
        ]
    ),
    "ky": frozenset(
        [
            "кантип",
            "эмне",
            "кайда",
            "керек",
            "жардам",
            "иш",
            "иштөө",
            "барбы",
            "жок",
            "мен",
            "менин",
            "каттоо",
            "болот",
            "үчүн",
        ]
    ),
    "tg": frozenset(
        [
            "чӣ",
            "тавр",
            "куҷо",
            "кор",
            "ман",
            "барои",
            "мехоҳам",
            "ёрӣ",
            "лозим",
            "аст",
            "дар",
            "бо",
            "шиноснома",
        ]
    ),
    "uz": frozenset(
        [
            "qanday",
            "nima",
            "qayerda",
            "kerak",
            "yordam",
            "ish",
            "men",
            "menga",
            "uchun",
            "bor",
            "yo'q",
            "qancha",
            "olish",
            "pasport",
            "ruxsatnoma",
        ]
    ),
    "uz-Cyrl": frozenset(
        ["қандай", "нима", "қаерда", "керак", "ёрдам", "иш", "менга", "учун", "қанча", "олиш"]
    ),
}

_COUNTRY_LANGUAGE = {"KG": "ky", "TJ": "tg", "UZ": "uz"}


def _by_letters(text: str) -> str | None:
    lower = text.lower()
    if re.search("[ӣӯҷ]", lower):
        return "tg"
    if "ў" in lower:
        return "uz-Cyrl"
    if re.search("[ңөү]", lower):
        return "ky"
    if re.search("[қғҳ]", lower):
        return "tg"  # Tajik is likelier than Uzbek Cyrillic without ў
    if re.search(r"\b\w*(o'|g')\w*|[ʻ‘’`]", lower) and re.search("[a-z]", lower):
        return "uz"
    return None


def _by_words(text: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _COMMON_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] == 0 or ranked[0] == ranked[1]:
        return None
    return best


def detect_language(text: str, hint: str | None = None, country: str | None = None) -> str | None:
    """A language code from ``LANGUAGES``, or ``None`` when too short to tell."""
    found = _by_letters(text) or _by_words(text)
    if found:
        return found
    if hint:
        base = hint.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    if country and country.upper() in _COUNTRY_LANGUAGE:
        return _COUNTRY_LANGUAGE[country.upper()]
    if re.search("[а-яё]", text.lower()) and len(_WORD.findall(text)) >= 3:
        return "ru"
    return None
