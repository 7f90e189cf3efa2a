"""The phone registry (``content/phones.yaml``): a number in a topic that the registry
lacks is an error. Numbers are found as the phone-format check finds them (with a
country code, 8 (…) … or 0800 …); a Russian 8 (495) … is the same number as +7 (495) …."""

from __future__ import annotations

from collections.abc import Iterator

from bot.content.loader import Problem
from bot.content.textrules import Finding, find_phones, phone_findings
from bot.content.topicfile import TopicFile


def check(file: TopicFile) -> Iterator[Problem]:
    book = file.resources.phonebook
    if book is None:
        return  # no registry, or a broken one: reported once, against the file itself
    registry = book.path.name
    for field, value in file.read_fields():
        malformed = {f.offset for f in phone_findings(value)}  # reported by the format check
        for phone in find_phones(value):
            if len(phone.digits) < 5 or phone.offset in malformed:
                continue  # "+3 hours" is no phone number
            if book.find(phone.digits) is not None:
                continue
            finding = Finding(phone.offset, phone.text, "")
            yield file.problem(file.line_in(field, value, finding), f"phone number "
                               f"'{phone.text}' is not in {registry}: add it there (who "
                               "answers, hours, which SIMs can dial it, source, date) before "
                               "publishing it", code="phone-registry")
