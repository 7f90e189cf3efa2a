"""The glossary ``content/glossary.yaml``: one term per legal concept and language.

Each concept gives the preferred term per language and, where the language review
settled it, the variants to avoid. A variant matches at the start of a word, in any case,
with any ending (Россия → Россияда, IIV → IIVdan), so one entry covers a word's forms.
``ok_in`` lists phrases in which an avoided word is right ("Орусиянын ИИМи");
``first_only`` holds only the first mention in a text to the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.loader import Problem
from bot.content.sidefile import Item, read_list, unknown_fields
from bot.content.textrules import Finding, without_addresses
from bot.types import CONTENT_LANGUAGES

FILE_NAME = "glossary.yaml"
CONCEPT_FIELDS = ("id", "en", *CONTENT_LANGUAGES)
LANGUAGE_FIELDS = ("use", "avoid", "ok_in", "first_only", "why", "open")


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as written in the glossary, matching its words' other forms too."""
    parts = []
    for token in phrase.split():
        part = re.escape(token)
        if token[-1].isalpha():
            part += r"[^\W\d_]*"  # any ending: Россияда, IIVdan, реестрге
        parts.append(part)
    start = r"(?<![^\W\d_])" if phrase[:1].isalpha() else ""
    return re.compile(start + r"\s+".join(parts), re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    concept: str
    language: str
    wrong: str  # as the glossary writes it
    use: str  # what to write instead
    pattern: re.Pattern[str]
    ok_in: tuple[re.Pattern[str], ...]
    first_only: bool

    def findings(self, text: str) -> list[Finding]:
        plain = without_addresses(text)
        fine = [m.span() for pattern in self.ok_in for m in pattern.finditer(plain)]
        found = []
        for match in self.pattern.finditer(plain):
            if not any(start <= match.start() < end for start, end in fine):
                word = match.group()
                where = "at its first mention " if self.first_only else ""
                found.append(Finding(match.start(), word, f"glossary ({self.concept}): write "
                                     f"'{self.use}' {where}instead of '{word}'"))
            if self.first_only:
                break
        return found


@dataclass(frozen=True)
class Term:
    """One concept in one language, for people reading the glossary (review sheet)."""

    concept: str
    meaning: str
    language: str
    use: str
    open: str = ""


@dataclass(frozen=True)
class Glossary:
    path: Path
    terms: tuple[Term, ...]
    rules: Mapping[str, tuple[Rule, ...]]

    def findings(self, text: str, language: str) -> list[Finding]:
        """Avoided terms in ``text``, in order."""
        found = [f for rule in self.rules.get(language, ()) for f in rule.findings(text)]
        return sorted(found, key=lambda f: f.offset)


def read_glossary(directory: Path, problems: list[Problem]) -> Glossary | None:
    """The glossary of ``directory``; None when it has none (then no term is checked)."""
    path = directory / FILE_NAME
    if not path.is_file():
        return None
    items = read_list(path, "terms", problems)
    if items is None:
        return None
    terms: list[Term] = []
    rules: dict[str, list[Rule]] = {}
    seen: dict[str, int] = {}
    for item in items:
        problems.extend(unknown_fields(path, item, CONCEPT_FIELDS))
        concept = str(item.data.get("id") or "").strip()
        if not concept:
            problems.append(Problem(path, item.line, "every term needs an id (a short Latin "
                                    "name)", code="glossary"))
            continue
        if concept in seen:
            problems.append(Problem(path, item.line_of("id"), f"term {concept} is listed twice "
                                    f"(also on line {seen[concept]})", code="duplicate-id"))
            continue
        seen[concept] = item.line_of("id")
        meaning = str(item.data.get("en") or "").strip()
        for language in CONTENT_LANGUAGES:
            if language not in item.data:
                continue
            parsed = _language(path, item, concept, language, problems)
            if parsed is None:
                continue
            term, language_rules = parsed
            terms.append(Term(concept, meaning, language, term.use, term.open))
            rules.setdefault(language, []).extend(language_rules)
    return Glossary(path, tuple(terms), {k: tuple(v) for k, v in rules.items()})


@dataclass(frozen=True)
class _Parsed:
    use: str
    open: str


def _language(path: Path, item: Item, concept: str, language: str,
              problems: list[Problem]) -> tuple[_Parsed, list[Rule]] | None:
    value: Any = item.data[language]
    line = item.line_of(language)

    def problem(message: str) -> None:
        problems.append(Problem(path, line, f"term {concept}, {language}: {message}",
                                code="glossary"))

    if isinstance(value, str):
        return _Parsed(value.strip(), ""), []
    if not isinstance(value, dict):
        problem("write the term (ky: Орусия) or a block with use: and avoid:")
        return None
    for name in value:
        if name not in LANGUAGE_FIELDS:
            problem(f"unknown field '{name}' (use {', '.join(LANGUAGE_FIELDS)})")
    use = str(value.get("use") or "").strip()
    if not use:
        problem("no 'use:': the term to write")
        return None
    avoid = value.get("avoid") or []
    if isinstance(avoid, list):
        pairs = [(str(wrong).strip(), use) for wrong in avoid]
    elif isinstance(avoid, dict):
        pairs = [(str(wrong).strip(), str(right).strip()) for wrong, right in avoid.items()]
    else:
        problem("avoid must be a list [a, b] or 'wrong: right' lines")
        return None
    if pairs and value.get("open"):
        problem("a question still 'open' cannot have words to avoid: settle it first")
        return None
    ok_in = value.get("ok_in") or []
    if not isinstance(ok_in, list):
        problem("ok_in must be a list of phrases [a, b]")
        return None
    ok_patterns = tuple(phrase_pattern(str(p)) for p in ok_in if str(p).strip())
    rules = [Rule(concept, language, wrong, right, phrase_pattern(wrong), ok_patterns,
                  bool(value.get("first_only"))) for wrong, right in pairs if wrong]
    for rule in rules:
        if rule.findings(rule.use):
            problem(f"the term to use, '{rule.use}', contains '{rule.wrong}', which it says "
                    "to avoid: add the term to ok_in")
            return None
    return _Parsed(use, str(value.get("open") or "").strip()), rules
