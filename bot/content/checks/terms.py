"""The glossary (``content/glossary.yaml``): a term it names as wrong is a warning with
the term to use, in what a reader reads (not keywords or examples)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from bot.content.loader import Problem
from bot.content.topicfile import TopicFile


def check(file: TopicFile) -> Iterator[Problem]:
    glossary = file.resources.glossary
    if glossary is None:
        return
    text = file.text
    # The answer (title, applies_to and body, read together) and the SMS are read apart:
    # a rule for "the first mention" applies to each.
    units = ((("title", text.title), ("applies_to", text.applies_to), ("body", text.body)),
             (("sms", text.sms),))
    for unit in units:
        joined = "\n".join(value for _, value in unit)
        findings = glossary.findings(joined, file.language)
        for finding in findings:
            start = 0
            for field, value in unit:  # back from the joined text to the field
                if finding.offset < start + len(value) + 1:
                    local = replace(finding, offset=finding.offset - start)
                    yield file.problem(file.line_in(field, value, local), finding.message,
                                       "warning", "glossary")
                    break
                start += len(value) + 1
