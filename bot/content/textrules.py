"""Rules over plain text: phone numbers, web addresses, letters of each language.

Pure functions: a string goes in, a list of ``Finding`` (where in the string, what is
wrong) comes out. :mod:`bot.content.check` turns findings into ``file:line`` problems.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from bot.understanding.translit import ADDRESS_RE


@dataclass(frozen=True)
class Finding:
    offset: int  # where in the text the thing starts
    snippet: str  # the text found, to show and to find the line
    message: str


# --- phone numbers -----------------------------------------------------------------------

_GROUP = r"[^\W_]*\d[^\W_]*"  # a run of letters and digits with at least one digit
_SEP = r"[ \-\u00a0]{1,2}"  # not "(" or ".": "+7 925 045 4744 (2025)" ends before "("
#: +7 925 045 4744, +7 (495) 967-98-44, and typos such as +7 925 O45 4744
_INTERNATIONAL = re.compile(
    rf"(?<![\w+])\+ ?(?:\d{{1,3}}[ \-]?\(\d{{2,5}}\)|\d[^\W_]*)(?:{_SEP}{_GROUP})*")
#: Russian numbers written from inside Russia: 8 (495) 967-98-44, 8 800 …
_RUSSIAN_NATIONAL = re.compile(rf"(?<![\w+.,])8[ \-]?(?:\(\d{{3,5}}\)|800)(?:{_SEP}{_GROUP})+")
#: Kyrgyz toll-free: 0800 0000 189
_TOLL_FREE = re.compile(rf"(?<![\w+.,])0800(?:{_SEP}{_GROUP})+")
#: A number followed by one of these is an amount, not a phone number.
_AMOUNT_AFTER = re.compile(
    r"\s*(?:руб|rubl|₽|\$|€|£|сом|so'm|som\b|сомонӣ|сомони|somoni|тенге|tenge|теңге|"
    r"долл|dollar|евро|evro|%)", re.IGNORECASE)
#: How many digits a number has, country code included, for the countries we serve.
_DIGITS_BY_CODE = {"7": 11, "996": 12, "992": 12, "998": 12}


@dataclass(frozen=True)
class Phone:
    offset: int
    text: str  # as written, without a trailing word such as "-ga"
    digits: str


def find_phones(text: str) -> list[Phone]:
    """Phone numbers written with a country code, as 8 (…)/8 800 …, or 0800 …."""
    found: list[Phone] = []
    for pattern in (_INTERNATIONAL, _RUSSIAN_NATIONAL, _TOLL_FREE):
        for match in pattern.finditer(text):
            raw = re.sub(r"[^\W\d_]+$", "", match.group())  # 4744ga → 4744 (a suffix)
            raw = raw.rstrip(" -.(")
            if _AMOUNT_AFTER.match(text, match.start() + len(raw)):
                continue
            if any(match.start() < p.offset + len(p.text) and p.offset < match.end()
                   for p in found):
                continue
            found.append(Phone(match.start(), raw, re.sub(r"\D", "", raw)))
    return sorted(found, key=lambda p: p.offset)


def phone_findings(text: str) -> list[Finding]:
    """Phone numbers that cannot be dialled as written."""
    findings: list[Finding] = []
    for phone in find_phones(text):
        letters = re.findall(r"[^\W\d_]", phone.text)
        if letters:
            findings.append(Finding(phone.offset, phone.text,
                                    f"phone number '{phone.text}' has letters among its digits "
                                    f"({''.join(letters)}): type digits only"))
            continue
        digits = phone.digits
        if phone.text.startswith("+"):
            if len(digits) < 5:
                continue  # "+3 hours", not a phone number
            code = next((c for c in ("996", "992", "998", "7") if digits.startswith(c)), None)
            if code is not None and len(digits) != _DIGITS_BY_CODE[code]:
                want = _DIGITS_BY_CODE[code]
                findings.append(Finding(
                    phone.offset, phone.text,
                    f"phone number '{phone.text}' has {len(digits)} digits; a number starting "
                    f"+{code} has {want} (+{code} and {want - len(code)} more)"))
            elif code is None and not 8 <= len(digits) <= 15:
                findings.append(Finding(phone.offset, phone.text,
                                        f"phone number '{phone.text}' has {len(digits)} digits; "
                                        "international numbers have 8 to 15"))
        elif digits.startswith("8") and len(digits) != 11:
            findings.append(Finding(phone.offset, phone.text,
                                    f"phone number '{phone.text}' has {len(digits)} digits; a "
                                    "Russian number starting 8 has 11"))
    return findings


# --- web addresses -----------------------------------------------------------------------

#: How a source gives its date: 2025-09-06, 2025-09, 2025, or n.d. (no date).
SOURCE_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|n\.d\.)$")
_SCHEME_LIKE = re.compile(r"\b[a-zA-Z]{3,6}:/+\S*")


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a full web address (``https://host/…``), or None."""
    if not url or any(ch.isspace() for ch in url):
        return f"'{url}' is not a web address (spaces inside?)"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        if not parts.scheme or "://" not in url:
            return f"'{url}' must start with https:// (or http://)"
        return f"'{url}' must start with https:// or http://, not {parts.scheme}://"
    host = parts.hostname or ""
    if not host or "." not in host.strip(".") or host.startswith(".") or ".." in host:
        return f"'{url}' has no site name after {parts.scheme}://"
    if not re.fullmatch(r"[\w.-]+", host):
        return f"'{url}' has a site name with characters that cannot be in one: '{host}'"
    return None


def url_findings(text: str) -> list[Finding]:
    """Web addresses written with a scheme in running text that are broken."""
    findings = []
    for match in _SCHEME_LIKE.finditer(text):
        url = match.group().rstrip(".,;:!?)»\"'")
        problem = url_problem(url)
        if problem:
            findings.append(Finding(match.start(), url, problem))
    return findings


# --- letters -----------------------------------------------------------------------------

#: Letters each language needs: a long text without any of them was typed with Russian
#: lookalikes (н for ң, х for ҳ …).
DISTINCTIVE = {"ky": "ңөү", "tg": "ӣӯҷҳқғ"}
#: Characters that look like a letter of ours but belong to another alphabet (Kazakh,
#: Bashkir, Altai, Abkhaz, Greek, Latin): never right in our texts.
LOOKALIKES = {
    "ɵ": "ө", "Ɵ": "Ө", "θ": "ө", "Θ": "Ө", "ӧ": "ө", "Ӧ": "Ө", "ҥ": "ң", "Ҥ": "Ң",
    "ӊ": "ң", "Ӊ": "Ң", "ұ": "ү", "Ұ": "Ү", "ӱ": "ү", "Ӱ": "Ү", "ҹ": "ҷ", "Ҹ": "Ҷ",
    "ҡ": "қ", "Ҡ": "Қ", "ӄ": "қ", "Ӄ": "Қ", "ҝ": "қ", "Ҝ": "Қ", "ӻ": "ғ", "Ӻ": "Ғ",
    "һ": "ҳ", "Һ": "Ҳ", "ӥ": "ӣ", "Ӥ": "Ӣ", "ĭ": "ӣ", "ū": "ӯ",
}
#: Letters of a neighbour language typed for one's own: Uzbek ў for Tajik ӯ and back.
SUBSTITUTES = {
    "tg": {"ў": "ӯ", "Ў": "Ӯ"},
    "uz-Cyrl": {"ӯ": "ў", "Ӯ": "Ў", "ҷ": "ж", "Ҷ": "Ж"},
}
UZ_APOSTROPHES = "ʻ‘’`ʼ´"
_WORD = re.compile(r"[^\W\d_]+")
_LONG_ENOUGH = 200  # letters: below this a text may lack the distinctive ones honestly
#: A Latin name with a Cyrillic suffix is how people write: Telegramда, WhatsAppтан.
_ANY_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_ANY_CYRILLIC = re.compile(r"[\u0400-\u04ff\u0500-\u052f]")
_NAME_AND_SUFFIX = re.compile(r"[A-Za-z]{3,}[^\W\d_A-Za-z]{1,6}")


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return "Latin"
    if name.startswith("CYRILLIC"):
        return "Cyrillic"
    return "other"


@lru_cache(maxsize=8192)  # every rule asks again for the same field: reloads repeat it all
def without_addresses(text: str) -> str:
    """The text with web addresses (мвд.рф, gov.uz) blanked out, offsets unchanged."""
    return ADDRESS_RE.sub(lambda m: " " * len(m.group()), text)


def mixed_script_findings(text: str) -> list[Finding]:
    """Words that mix Latin and Cyrillic letters: a lookalike typed by mistake."""
    findings = []
    for match in _WORD.finditer(without_addresses(text)):
        word = match.group()
        if not (_ANY_LATIN.search(word) and _ANY_CYRILLIC.search(word)):
            continue
        if _NAME_AND_SUFFIX.fullmatch(word):
            continue
        latin = "".join(ch for ch in word if _script(ch) == "Latin")
        cyrillic = "".join(ch for ch in word if _script(ch) == "Cyrillic")
        odd, kind = (latin, "Latin") if len(latin) <= len(cyrillic) else (cyrillic, "Cyrillic")
        findings.append(Finding(match.start(), word,
                                f"the word '{word}' mixes Latin and Cyrillic letters "
                                f"({kind} '{odd}'): retype it"))
    return findings


def letter_findings(text: str, language: str) -> list[tuple[Finding, bool]]:
    """Wrong letters for ``language``; each with True when it is certainly an error."""
    findings: list[tuple[Finding, bool]] = []
    substitutes = SUBSTITUTES.get(language, {})
    for offset, ch in enumerate(without_addresses(text)):
        if ch in LOOKALIKES:
            findings.append((Finding(offset, ch, f"'{ch}' (U+{ord(ch):04X}) is a letter of "
                                     f"another alphabet: type '{LOOKALIKES[ch]}'"), True))
        elif ch in substitutes:
            findings.append((Finding(offset, ch, f"'{ch}' is not a {language} letter: type "
                                     f"'{substitutes[ch]}'?"), False))
        elif language == "uz" and ch in UZ_APOSTROPHES:
            findings.append((Finding(offset, ch, f"'{ch}' (U+{ord(ch):04X}): write o' g' and "
                                     "the sign ' with the plain apostrophe '"), False))
    return findings


def lacks_distinctive_letters(text: str, language: str) -> bool:
    """A long Kyrgyz or Tajik text with none of its own letters: typed with Russian ones."""
    needed = DISTINCTIVE.get(language)
    plain = without_addresses(text)
    return bool(needed) and sum(ch.isalpha() for ch in plain) >= _LONG_ENOUGH and not any(
        ch in needed for ch in plain.lower())


def cyrillic_words_outside_quotes(text: str) -> list[Finding]:
    """Cyrillic words in an Uzbek Latin text, except a term quoted in (…) or «…»."""
    findings = []
    plain = without_addresses(text)
    quoted = [(m.start(), m.end()) for m in re.finditer(r"\([^()\n]*\)|«[^«»\n]*»", plain)]
    for match in _WORD.finditer(plain):
        if not any(_script(ch) == "Cyrillic" for ch in match.group()):
            continue
        if any(start <= match.start() < end for start, end in quoted):
            continue
        findings.append(Finding(match.start(), match.group(),
                                f"'{match.group()}' is in Cyrillic letters in an Uzbek Latin "
                                "text"))
    return findings


# --- Kyrgyz typed with Russian letters ----------------------------------------------------

_TO_RUSSIAN = str.maketrans("ңөүҢӨҮ", "ноуНОУ")
#: Common Kyrgyz words with ң ө ү whose Russian-letter spelling is no Kyrgyz or Russian
#: word ("*": any ending). Words whose lookalike is a word too are left out: күн/кун,
#: үй/уй, көл/кол, бөлөт/болот, жаңы/жаны, кондум, миң/мин.
KY_WORDS = (  # noqa: SIM905 (a list of words reads best as words)
    "үчүн жөнүндө мүмкүн* мөөнөт* өлкө* төлө* күбөлү* өкүлчүлү* көзөмөл* өзбек* түркия* "
    "түштүк* сүрөт* көчүрмө* өзгөр* жөнөкөй* дүйшөмбү тиешелүү* милдеттүү* текшерүү* "
    "берүүчү* иштөө* кирүү* келүү* күндөн күндүн күндө күнгө күндөр* жүргүзө* түзүү* "
    "эскертүү* билдирүү* жиберүү* өтүп өткөн өтөт бүткө* жүргө* жүрөт төмөн*"
).split()
_KY_EXACT = {w.translate(_TO_RUSSIAN): w for w in KY_WORDS if not w.endswith("*")}
_KY_STEMS = {w[:-1].translate(_TO_RUSSIAN): w[:-1] for w in KY_WORDS if w.endswith("*")}
#: The polite -ңыз (-ңиз, -ңуз, -ңүз) with a case ending: сураңыз, паспортуңузду.
_KY_POLITE = re.compile(r"н(?=(?:ыз|из|уз)(?:[дгкт][аеоуыи]н?)?$)")


def kyrgyz_russian_letters(text: str) -> list[Finding]:
    """Kyrgyz words typed with Russian н о у where Kyrgyz needs ң ө ү."""
    findings = []
    for match in _WORD.finditer(without_addresses(text)):
        word = match.group()
        if _ANY_LATIN.search(word):
            continue
        lower = word.lower()
        meant = _KY_EXACT.get(lower)
        if meant is None:
            stem = next((s for s in _KY_STEMS if lower.startswith(s)), None)
            meant = f"{_KY_STEMS[stem]}…" if stem else None
        if meant is None and len(lower) >= 6:
            polite = _KY_POLITE.search(lower)
            if polite:
                meant = word[: polite.start()] + "ң" + word[polite.start() + 1:]
        if meant is not None:
            findings.append(Finding(match.start(), word, f"'{word}' looks like Kyrgyz "
                                    f"'{meant}' typed with Russian letters: type ң ө ү"))
    return findings
