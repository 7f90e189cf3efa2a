"""The words a reader reads: phone numbers that can be dialled, addresses that open, and
each language in its own letters (no lookalikes from another alphabet, no word mixing
Latin and Cyrillic, no Kyrgyz typed with Russian letters).

Only ``title``, ``applies_to``, ``sms`` and the answer: ``examples`` are questions as
people type them, mistakes included, and ``keywords`` only need to be single-script.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.content.loader import Problem
from bot.content.textrules import (
    DISTINCTIVE,
    kyrgyz_russian_letters,
    lacks_distinctive_letters,
    letter_findings,
    mixed_script_findings,
    phone_findings,
    url_findings,
)
from bot.content.topicfile import TopicFile


def check(file: TopicFile) -> Iterator[Problem]:
    for field, value in file.read_fields():
        for finding in phone_findings(value):
            yield file.problem(file.line_in(field, value, finding), finding.message,
                               code="phone")
        for finding in url_findings(value):
            yield file.problem(file.line_in(field, value, finding), finding.message, code="url")
        for finding in mixed_script_findings(value):
            yield file.problem(file.line_in(field, value, finding), finding.message,
                               code="letters")
    for keyword in file.text.keywords:
        for finding in mixed_script_findings(keyword):
            yield file.problem(file.line_in("keywords", keyword, finding),
                               f"keyword: {finding.message}", code="letters")
    yield from _letters(file)


def _letters(file: TopicFile) -> Iterator[Problem]:
    text = file.text
    reported: set[str] = set()  # once per kind of letter (or word) and file finds them all
    for field, value in file.read_fields():
        # the raw file: the apostrophes as typed, before the loader normalised them
        typed = file.typed(field, value)
        found = [(f, certain) for f, certain in letter_findings(typed, file.language)]
        if file.language == "ky":
            found += [(f, False) for f in kyrgyz_russian_letters(value)]
        for finding, certain in found:
            if finding.message in reported:
                continue
            reported.add(finding.message)
            yield file.problem(file.line_in(field, typed, finding), finding.message,
                               "error" if certain else "warning", "letters")
    whole = "\n".join((text.title, text.sms, text.body))
    if lacks_distinctive_letters(whole, file.language):
        needed = " ".join(DISTINCTIVE[file.language])
        yield file.problem(text.body_line, f"this {file.language} text has none of the "
                           f"letters {needed}: was it typed with Russian letters?", "warning",
                           "letters")
