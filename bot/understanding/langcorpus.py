"""The text the language profiles learn from: seed texts, the catalogs and the content.

Each text is also added the way people really type it: without the letters a Russian
keyboard lacks (Kyrgyz ө→о, Tajik ҳ→х, Uzbek ў→у …), and in Latin letters (Russian
"kak poluchit patent", Tajik "chi tavr", Kyrgyz "kantip"). Uzbek is learned from Latin and
transliterated to Cyrillic with :mod:`bot.understanding.translit`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po

from bot.content.model import ContentTree
from bot.understanding.translit import uz_cyrillic_to_latin, uz_latin_to_cyrillic

#: The families the model tells apart; ``en`` is there only to recognise "not ours".
FAMILIES: tuple[str, ...] = ("ru", "ky", "tg", "uz", "en")
SEED_DIR = Path(__file__).parent / "langdata"

#: How much a text counts, by where it comes from. Content is formal and quotes Russian
#: document names in every language, so it counts less than the seed texts.
SEED_WEIGHT, CATALOG_WEIGHT, CONTENT_WEIGHT = 1.0, 0.6, 0.25
CONTENT_CHARS = 20_000  # per language: enough vocabulary, a bounded start-up cost

Corpus = dict[tuple[str, str], list[tuple[str, float]]]

_STRIP = {
    "ky": str.maketrans("өүң", "оун"),
    "tg": str.maketrans("ӣӯҷҳқғ", "иучхкг"),
    "uz-Cyrl": str.maketrans("ўқғҳ", "укгх"),
}

_CYRILLIC_TO_LATIN_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}
# A second spelling of the letters people write in more than one way.
_LATIN_VARIANTS = {"ж": "j", "х": "x", "й": "i", "ы": "i", "ц": "c", "щ": "sh", "ю": "iu",
                   "я": "ia", "ь": "'"}
_LATIN_EXTRA = {
    "ky": {"ө": "o", "ү": "u", "ң": "n"},
    "tg": {"ӣ": "i", "ӯ": "u", "ҷ": "j", "ҳ": "h", "қ": "q", "ғ": "g'", "х": "kh"},
}


def _to_latin(text: str, family: str, variant: bool) -> str:
    table = {**_CYRILLIC_TO_LATIN_COMMON, **_LATIN_EXTRA.get(family, {})}
    if variant:
        table.update(_LATIN_VARIANTS)
        if family == "tg":
            table.update({"ҷ": "j", "х": "x", "ғ": "gh", "қ": "k"})
    return "".join(table.get(ch, ch) for ch in text.lower())


def variants(family: str, script: str, text: str) -> list[tuple[tuple[str, str], str]]:
    """The text under the (family, script) keys it trains, including typed-as-people-type forms."""
    out: list[tuple[tuple[str, str], str]] = []
    if family == "uz":
        latin = text if script == "Latn" else uz_cyrillic_to_latin(text)
        cyrillic = text if script == "Cyrl" else uz_latin_to_cyrillic(text)
        out.append((("uz", "Latn"), latin))
        out.append((("uz", "Latn"), latin.replace("'", "")))
        out.append((("uz", "Cyrl"), cyrillic))
        out.append((("uz", "Cyrl"), cyrillic.lower().translate(_STRIP["uz-Cyrl"])))
        return out
    out.append(((family, script), text))
    if script == "Cyrl":
        if family in _STRIP:
            out.append(((family, "Cyrl"), text.lower().translate(_STRIP[family])))
        out.append(((family, "Latn"), _to_latin(text, family, variant=False)))
        out.append(((family, "Latn"), _to_latin(text, family, variant=True)))
    return out


def _add(corpus: Corpus, family: str, script: str, text: str, weight: float) -> None:
    for key, form in variants(family, script, text):
        corpus.setdefault(key, []).append((form, weight))


def seed_texts(seed_dir: Path = SEED_DIR) -> dict[str, str]:
    """The hand-written seed text of each family (comment lines dropped)."""
    texts = {}
    for family in FAMILIES:
        path = seed_dir / f"{family}.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
        texts[family] = "\n".join(line for line in lines if not line.startswith("#"))
    return texts


_CATALOG_FAMILY = {"ru": ("ru", "Cyrl"), "ky": ("ky", "Cyrl"), "tg": ("tg", "Cyrl"),
                   "uz": ("uz", "Latn"), "uz_Cyrl": ("uz", "Cyrl"), "en": ("en", "Latn")}


def catalog_texts(locales_dir: Path) -> list[tuple[str, str, str]]:
    """(family, script, text) for every translated interface string."""
    out = []
    for po in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        key = _CATALOG_FAMILY.get(po.parent.parent.name)
        if key is None:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            out.extend((*key, s) for s in strings if s)
    return out


def content_texts(content: ContentTree) -> list[tuple[str, str, str]]:
    """(family, script, text) from the topics and module titles, at most CONTENT_CHARS
    each, shared evenly among a language's topics: taken in file order, the first topics
    filled the budget, and a language's vocabulary changed with every topic added."""
    written = [(language, text) for (_, language), text in sorted(content.texts.items())
               if not text.derived and language in FAMILIES]
    topics = Counter(language for language, _ in written)
    out: list[tuple[str, str, str]] = []
    for language, text in written:
        share = CONTENT_CHARS // topics[language]
        body = " ".join((text.title, text.sms, *text.keywords, text.body))[:share]
        out.append((language, "Latn" if language == "uz" else "Cyrl", body))
    for module in content.modules:
        for language, title in module.titles.items():
            if language in FAMILIES:
                out.append((language, "Latn" if language == "uz" else "Cyrl", title))
    return out


def build_corpus(locales_dir: Path | None, content: ContentTree | None,
                 seeds: dict[str, str] | None = None) -> Corpus:
    """All training text, weighted by source, under its (family, script) keys."""
    corpus: Corpus = {}
    for family, text in (seeds or seed_texts()).items():
        _add(corpus, family, "Latn" if family in ("uz", "en") else "Cyrl", text, SEED_WEIGHT)
    sources: Iterable[tuple[str, str, str, float]] = ()
    if locales_dir is not None:
        sources = [(*entry, CATALOG_WEIGHT) for entry in catalog_texts(locales_dir)]
    if content is not None:
        sources = [*sources, *((*entry, CONTENT_WEIGHT) for entry in content_texts(content))]
    for family, script, text, weight in sources:
        _add(corpus, family, script, text, weight)
    return corpus
