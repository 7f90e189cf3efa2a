"""The front matter: known fields, sizes a phone screen and a menu button can hold, and
sources written so that a reviewer can open them."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from bot.content.loader import FIELDS, Problem
from bot.content.textrules import SOURCE_DATE, url_problem
from bot.content.topicfile import TopicFile

TITLE_MAX = 45
BODY_MAX = 1800
KEYWORDS_MIN = 10


def check(file: TopicFile) -> Iterator[Problem]:
    text = file.text
    for name, line in text.lines.items():
        if "." in name or name in FIELDS:
            continue
        close = difflib.get_close_matches(name, FIELDS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield file.problem(line, f"unknown field '{name}'{hint}", "warning", "schema")
    if len(text.title) > TITLE_MAX:
        yield file.problem(text.line_of("title"), f"title has {len(text.title)} characters; "
                           f"keep it within {TITLE_MAX} (it is a menu button and an SMS line)",
                           "warning", "title-length")
    if len(text.body) > BODY_MAX:
        yield file.problem(text.body_line, f"the answer has {len(text.body)} characters; keep "
                           f"it under about {BODY_MAX} (a phone screen)", "warning",
                           "body-length")
    if len(text.keywords) < KEYWORDS_MIN:
        yield file.problem(text.line_of("keywords"), f"only {len(text.keywords)} keywords; "
                           f"give {KEYWORDS_MIN}-25 words people type about this topic",
                           "warning", "keywords")
    yield from _sources(file)


def _sources(file: TopicFile) -> Iterator[Problem]:
    text = file.text
    if not text.sources:
        yield file.problem(text.line_of("sources"), "no sources: list where the facts were "
                           "checked (url, date, title)", "warning", "sources")
    for index, source in enumerate(text.sources):
        line = text.line_of(f"sources.{index}")
        problem = url_problem(source.url)
        if problem:
            yield file.problem(line, f"source url {problem}", code="url")
        if not SOURCE_DATE.match(source.date.strip()):
            yield file.problem(line, f"source date '{source.date}' must be YYYY-MM-DD, "
                               "YYYY-MM, YYYY or n.d.", code="schema")
