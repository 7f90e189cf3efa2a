"""Which of our languages a message is written in.

First contact (:func:`detect`), in this order:

1. Greetings and thanks alone ("салам", "salom", "рахмат", "hi") are shared by several
   languages: a strong hint decides (Telegram ``language_code`` ky/tg/uz, or the SMS
   sender's country +996/+992/+998); else a greeting only one language uses ("привет",
   "саламатсызбы"); else Russian if Telegram says ``ru``; else nobody can tell → the menu.
2. Otherwise every word is scored against character n-gram profiles of its own script
   (:mod:`bot.understanding.langmodel`, built from seed texts, the catalogs and the content), plus
   evidence from distinctive letters (Tajik ӣ ӯ ҷ, Uzbek ў and o'/g', Kyrgyz ң ө ү, қ ғ ҳ of
   Tajik and Uzbek). A clear winner is the answer; a close race is settled by a hint among
   the two leaders; English or nothing recognisable → hints, else the menu.
3. Uzbek is answered in the script it was written in: Cyrillic letters → ``uz-Cyrl``.

Mid-conversation (:func:`continue_language`): the stored choice holds unless a message of
at least two real words is confidently in another language (a single word is often a
borrowed term — "патент", "регистрация", "ok" — so it never flips the language). An Uzbek
reader who changes script is followed at once: ``uz`` ⇄ ``uz-Cyrl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.content.model import ContentTree
from bot.phone import country_from_phone, language_for_country
from bot.types import LANGUAGES
from bot.understanding.langcorpus import build_corpus
from bot.understanding.langmodel import Profile, build_profiles, normalize, script_of, words

__all__ = ["Detection", "Detector", "continue_language", "country_from_phone", "default_detector",
           "detect", "detect_language", "detector_for", "is_greeting"]

OUR_FAMILIES = ("ru", "ky", "tg", "uz")
#: Margin (in nats) between the two best families for a first-contact answer …
FIRST_MARGIN = 1.5
#: … and for changing the language of a conversation already under way.
SWITCH_MARGIN = 20.0
SWITCH_MIN_WORDS = 2
#: A one-word message overrides a ky/tg/uz hint only by this much.
ONE_WORD_OVER_HINT = 40.0
#: Words scored at most: the first forty say which language a long message is in.
MAX_WORDS = 40
#: Evidence a distinctive letter adds, per occurrence (at most three are counted).
LETTER_BONUS = 4.0

# Letters only some of our languages use (lower case).
_LETTER_EVIDENCE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ӣӯҷ", ("tg",)),
    ("ў", ("uz",)),
    ("ңөү", ("ky",)),
    ("қғҳ", ("tg", "uz")),
    ("щ", ("ru",)),
)

_ALL = frozenset(OUR_FAMILIES)
# Greetings, thanks and other words that say little on their own: the families using them.
_PHATIC: Mapping[str, frozenset[str]] = {
    **dict.fromkeys(("салам", "salam", "салем"), frozenset({"ky", "tg", "uz"})),
    **dict.fromkeys(("салом", "salom", "ассалом", "assalom"), frozenset({"tg", "uz"})),
    **dict.fromkeys(
        ("ассалому", "ассаламу", "ассалоому", "assalomu", "assalamu", "алейкум", "алайкум",
         "aleykum", "alaykum", "alaikum", "алейком", "салому"), frozenset({"ky", "tg", "uz"})),
    **dict.fromkeys(("саламатсызбы", "саламатсынбы", "саламатчылык", "саламатсыздарбы"),
                    frozenset({"ky"})),
    **dict.fromkeys(("рахмат", "rahmat", "ракмат", "чоң", "ассалому-алейкум"),
                    frozenset({"ky", "tg", "uz"})),
    **dict.fromkeys(("раҳмат", "rahmet"), frozenset({"tg", "uz"})),
    **dict.fromkeys(("ташаккур", "tashakkur"), frozenset({"tg"})),
    **dict.fromkeys(
        ("привет", "приветствую", "здравствуйте", "здраствуйте", "здрасте", "здравствуй",
         "добрый", "доброе", "день", "утро", "вечер", "спасибо", "privet", "zdravstvuyte",
         "zdravstvuite", "spasibo", "да", "нет", "ок", "хорошо"), frozenset({"ru"})),
    **dict.fromkeys(
        ("hi", "hello", "hey", "ok", "okay", "thanks", "yes", "no", "bro", "брат", "brat",
         "ака", "aka", "ука", "uka", "ассалам", "assalam"), _ALL),
    # Whom a greeting is addressed to, and "how are you": "Ассалому алейкум, бародарон" is
    # still a greeting (issue 16); a question after them still makes it a question.
    **dict.fromkeys(("бародар", "бародарон", "бародарҷон", "додар", "додарон", "дӯстон",
                     "хубед"), frozenset({"tg"})),
    **dict.fromkeys(("байке", "эже", "агай", "досторум", "туугандар", "кандайсыз",
                     "кандайсың"), frozenset({"ky"})),
    **dict.fromkeys(("birodar", "birodarlar", "do'stlar", "биродар", "дўстлар", "qalaysiz",
                     "қалайсиз", "yaxshimisiz", "яхшимисиз"), frozenset({"uz"})),
    **dict.fromkeys(("опа", "opa"), frozenset({"tg", "uz"})),
    **dict.fromkeys(("всем", "друзья", "ребята", "братья", "земляки", "дорогие"),
                    frozenset({"ru"})),
}


@dataclass(frozen=True)
class Detection:
    """What a message says about its language; ``language`` is None when it cannot tell."""

    language: str | None
    confident: bool = False
    reason: str = ""  # "greeting", "model", "hint", "country" or "" (nothing to go on)
    margin: float = 0.0
    content_words: int = 0  # words that are not greetings and have three letters or more
    scores: Mapping[str, float] = field(default_factory=dict)


class Detector:
    """The n-gram profiles of our languages and the rules around them; immutable, reusable."""

    def __init__(self, profiles: Mapping[tuple[str, str], Profile]) -> None:
        self._profiles = profiles
        # People write the same few thousand words; scoring one under five profiles is
        # most of a detection, so each word is scored once (10,000 words: a few MB at most).
        self._word_scores = lru_cache(maxsize=10_000)(self._score_word)

    def _score_word(self, word: str) -> tuple[str, tuple[tuple[str, float], ...]]:
        """The word's script, and its log-likelihood under each family with that script."""
        script = script_of(word)
        return script, tuple((family, profile.score(word))
                             for family in (*OUR_FAMILIES, "en")
                             if (profile := self._profiles.get((family, script))) is not None)

    def family_scores(self, tokens: list[str], text: str) -> dict[str, float]:
        """Log-likelihood of the words under each family, plus distinctive-letter evidence."""
        scored = [self._word_scores(word) for word in tokens]
        latin_only = all(script == "Latn" for script, _ in scored)
        families = [f for f in (*OUR_FAMILIES, "en") if f != "en" or latin_only]
        scores: dict[str, float] = dict.fromkeys(families, 0.0)
        for _, by_family in scored:
            seen = dict(by_family)
            for family in list(scores):
                if family in seen:
                    scores[family] += seen[family]
                else:  # no profile of this family in the word's script: out of the race
                    del scores[family]
        for letters, families in _LETTER_EVIDENCE:
            hits = min(3, sum(text.count(letter) for letter in letters))
            for family in families:
                if family in scores:
                    scores[family] += LETTER_BONUS * hits
        if "'" in text and "uz" in scores:  # o' g' — Uzbek Latin
            hits = min(3, text.count("o'") + text.count("g'"))
            scores["uz"] += LETTER_BONUS * hits
        return scores

    def detect(self, text: str, hint: str | None = None, country: str | None = None) -> Detection:
        """The language to answer a first message in (see the module docstring)."""
        normal = normalize(_drop_commands(text))
        tokens = words(normal)[:MAX_WORDS]
        cyrillic = sum(script_of(w) == "Cyrl" for w in tokens) * 2 > len(tokens)
        if not tokens:  # nothing to read: only an explicit uz-Cyrl hint says which script
            cyrillic = (hint or "").replace("_", "-").lower() == "uz-cyrl"
        strong, weak = _hints(hint, country)
        if not tokens or all(w in _PHATIC for w in tokens):
            return _by_greeting(tokens, strong, weak, cyrillic)
        content = sum(1 for w in tokens if w not in _PHATIC and len(w) >= 3)
        scores = self.family_scores(tokens, normal)
        ranked = sorted(scores, key=lambda f: scores[f], reverse=True)
        best = ranked[0]
        margin = scores[best] - scores[ranked[1]] if len(ranked) > 1 else 0.0
        if best == "en":
            return _by_greeting([], strong, weak, cyrillic, scores)
        if margin < FIRST_MARGIN:  # a close race: a hint among the two leaders, or ask
            for chosen in (strong, weak):
                if chosen is not None and chosen in ranked[:2]:
                    return Detection(_script(chosen, cyrillic), False, "hint", margin, content,
                                     scores)
            return Detection(None, False, "", margin, content, scores)
        if (content <= 1 and strong is not None and strong != best and strong in scores
                and scores[best] - scores[strong] < ONE_WORD_OVER_HINT):
            # one word is often a borrowed term ("регистрация"): the person's own choice wins
            return Detection(_script(strong, cyrillic), False, "hint", margin, content, scores)
        return Detection(_script(best, cyrillic), margin >= SWITCH_MARGIN, "model", margin,
                         content, scores)


def is_greeting(text: str) -> bool:
    """Greetings or thanks and nothing else ("Салам!", "assalomu alaykum", "hi")."""
    tokens = words(normalize(_drop_commands(text)))
    return bool(tokens) and all(w in _PHATIC for w in tokens)


def _drop_commands(text: str) -> str:
    """Commands are not language; neither is a deep link's payload (``/start t-permits-…``)."""
    if text.lstrip().lower().startswith("/start"):
        return ""
    return " ".join(w for w in text.split() if not w.startswith("/"))


def _hints(hint: str | None, country: str | None) -> tuple[str | None, str | None]:
    """(strong, weak) family hints. Telegram's ``ru`` is weak: it is the default of most
    phones in the region, whatever their owner's language; ky/tg/uz are chosen on purpose."""
    base = (hint or "").replace("_", "-").split("-")[0].lower()
    from_country = language_for_country(country)
    if base in ("ky", "tg", "uz"):
        return base, None
    if from_country is not None:
        return from_country, "ru" if base == "ru" else None
    return None, "ru" if base == "ru" else None


def _script(family: str, cyrillic: bool) -> str:
    return "uz-Cyrl" if family == "uz" and cyrillic else family


def _by_greeting(tokens: list[str], strong: str | None, weak: str | None, cyrillic: bool,
                 scores: Mapping[str, float] | None = None) -> Detection:
    """A message of greetings only (or nothing readable): hints first, then the greeting."""
    sets = [_PHATIC[w] for w in tokens if w in _PHATIC]
    candidates = frozenset.intersection(*sets) if sets else _ALL
    if not candidates:
        candidates = frozenset.union(*sets)
    if strong is not None:
        return Detection(_script(strong, cyrillic), reason="hint", scores=scores or {})
    if len(candidates) == 1:
        (only,) = candidates
        return Detection(_script(only, cyrillic), reason="greeting", scores=scores or {})
    if weak is not None and weak in candidates:
        return Detection(weak, reason="hint", scores=scores or {})
    return Detection(None, scores=scores or {})


def continue_language(detector: Detector, current: str, text: str) -> str:
    """The language to answer in when the conversation already has one.

    Uzbek in the other script switches at once (same language, the reader's letters). A
    different language needs two real words and a lead of ``SWITCH_MARGIN`` over the
    current language itself: "патент", "ok", "я не понял" or "патент канча" keep it.
    """
    found = detector.detect(text)
    if found.language is None or found.language == current or found.reason != "model":
        return current
    if {found.language, current} == {"uz", "uz-Cyrl"}:
        return found.language
    family = "uz" if current == "uz-Cyrl" else current
    lead = max(found.scores.values()) - found.scores.get(family, float("-inf"))
    if found.content_words >= SWITCH_MIN_WORDS and lead >= SWITCH_MARGIN:
        return found.language
    return current


_BY_TREE: dict[int, tuple[ContentTree | None, Path, Detector]] = {}
_BY_FINGERPRINT: dict[tuple[int, Path], Detector] = {}
_CACHE_SIZE = 4


def _fingerprint(content: ContentTree | None) -> int:
    if content is None:
        return 0
    return hash(tuple(
        (key, text.title, text.sms, text.keywords, text.body)
        for key, text in sorted(content.texts.items())
    ))


def detector_for(content: ContentTree | None, locales_dir: Path | None = None) -> Detector:
    """The detector trained on the seed texts, these catalogs and this content.

    Profiles take about half a second to build, so they are built once per distinct
    content (a hot reload that changed a text builds new ones; every app in the test
    suite loading the same files shares one) and looked up by the tree's identity first.
    A cached entry holds its tree, so the tree's ``id`` cannot be reused meanwhile.
    """
    locales = locales_dir or _default_locales()
    cached = _BY_TREE.get(id(content))
    # Called for every message: identity first, because comparing paths is not free.
    if (cached is not None and cached[0] is content
            and (cached[1] is locales or cached[1] == locales)):
        return cached[2]
    key = (_fingerprint(content), locales)
    detector = _BY_FINGERPRINT.get(key)
    if detector is None:
        detector = Detector(build_profiles(build_corpus(locales, content)))
        _trim(_BY_FINGERPRINT)
        _BY_FINGERPRINT[key] = detector
    _trim(_BY_TREE)
    _BY_TREE[id(content)] = (content, locales, detector)
    return detector


@lru_cache(maxsize=1)
def _default_locales() -> Path:
    from bot.config import ROOT

    return ROOT / "locales"


def _trim(cache: dict[Any, Any]) -> None:
    while len(cache) >= _CACHE_SIZE:
        cache.pop(next(iter(cache)))


@lru_cache(maxsize=1)
def default_detector() -> Detector:
    """The detector trained on the seed texts, the catalogs and the repository's content."""
    from bot.config import ROOT
    from bot.content.loader import scan_content

    content, _ = scan_content(ROOT / "content")  # a broken file must not stop detection
    return Detector(build_profiles(build_corpus(ROOT / "locales", content)))


def detect(text: str, hint: str | None = None, country: str | None = None,
           detector: Detector | None = None) -> Detection:
    """Detect with the default detector unless one is given."""
    return (detector or default_detector()).detect(text, hint, country)


def detect_language(text: str, hint: str | None = None, country: str | None = None) -> str | None:
    """A language code from ``LANGUAGES``, or ``None`` when too short to tell."""
    found = detect(text, hint, country).language
    return found if found in LANGUAGES else None
