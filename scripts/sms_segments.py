"""Average SMS segments per answered question, per language — what the SMS channel costs.

    .venv/bin/python scripts/sms_segments.py [--questions tests/data/questions.tsv]

The questions are the labelled set of real-looking questions in ``tests/data/questions.tsv``
(question, language, expected topic …). Each is asked by a reader whose language is
already known, through the same engine and SMS renderer as the Twilio channel. A question
counts as answered when the reply is a topic's answer (not a "did you mean" or the menu).

Columns: questions asked; answered; segments of the first reply as sent (all its
messages: the topic's SMS version, ending with "9 More"); segments to read the answer to
its end (the SMS version, then every page of the whole text); the same two with LAT
(Cyrillic in Latin letters) where the language is written in Cyrillic; and the ratio.

Beside them, what a person pays before asking anything: the first contact (a greeting
from a phone of that country, answered by the welcome and the numbered modules) and HELP.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from dataclasses import replace
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import ROOT
from bot.content.loader import load_content
from bot.content.model import ContentTree
from bot.engine import respond
from bot.i18n import Catalogs, catalogs
from bot.render.sms import render_sms_messages, render_sms_page
from bot.sms.latin import CYRILLIC_LANGUAGES
from bot.sms.segments import count_segments
from bot.types import LANGUAGES, Incoming, Reply, Session

QUESTIONS = ROOT / "tests" / "data" / "questions.tsv"
#: A first message per language, and the sender's country (as a phone number gives it).
GREETINGS = {"ru": ("Здравствуйте", None), "ky": ("Салам", "KG"), "tg": ("Салом", "TJ"),
             "uz": ("Salom", "UZ"), "uz-Cyrl": ("Салом", "UZ")}


def load_questions(path: Path) -> list[tuple[str, str]]:
    """(language, question) pairs; lines starting with # and the header are skipped."""
    with path.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")),
                          delimiter="\t")
        header = next(rows)
        text_at, language_at = header.index("question"), header.index("language")
        return [(row[language_at], row[text_at]) for row in rows if len(row) > language_at]


def segments(messages: list[str]) -> int:
    return sum(count_segments(m).segments for m in messages)


def whole_answer(reply: Reply, latin: bool, languages: Catalogs) -> int:
    """Segments to read a topic to its end: every page, as MORE brings them."""
    total, page = 0, 0
    while True:
        text, more = render_sms_page(replace(reply, page=page), latin=latin, catalogs=languages)
        total += count_segments(text).segments
        if not more:
            return total
        page += 1


async def measure(content: ContentTree, languages: Catalogs,
                  questions: list[tuple[str, str]]) -> dict[str, dict[str, list[int]]]:
    results: dict[str, dict[str, list[int]]] = {}
    for language, question in questions:
        if language not in LANGUAGES:
            continue
        row = results.setdefault(language, {"asked": [], "first": [], "whole": [],
                                            "first_lat": [], "whole_lat": []})
        row["asked"].append(1)
        session = Session(key="measure", language=language)
        reply, _ = await respond(Incoming("sms", "measure", question), session, content,
                                     languages)
        if reply.topic is None:
            continue
        for latin, suffix in ((False, ""), (True, "_lat")):
            if latin and language not in CYRILLIC_LANGUAGES:
                continue
            row["first" + suffix].append(
                segments(render_sms_messages(reply, latin=latin, catalogs=languages)))
            row["whole" + suffix].append(whole_answer(reply, latin, languages))
    return results


async def first_contact(content: ContentTree, languages: Catalogs) -> dict[str, tuple[int, int]]:
    """Segments of the answer to a greeting and to HELP, per language."""
    found: dict[str, tuple[int, int]] = {}
    for language, (greeting, country) in GREETINGS.items():
        session = Session(key="measure")
        hello, session = await respond(Incoming("sms", "measure", greeting, country_hint=country),
                                       session, content, languages)
        assert hello.language == language, (greeting, hello.language)
        helped, _ = await respond(Incoming("sms", "measure", "HELP"), session, content, languages)
        found[language] = (segments(render_sms_messages(hello, catalogs=languages)),
                           segments(render_sms_messages(helped, catalogs=languages)))
    return found


def average(values: list[int]) -> str:
    return f"{mean(values):.2f}" if values else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    args = parser.parse_args()
    content, languages = load_content(ROOT / "content"), catalogs(ROOT / "locales")
    results = asyncio.run(measure(content, languages, load_questions(args.questions)))
    contact = asyncio.run(first_contact(content, languages))
    print(f"{'language':9} {'hello':>5} {'HELP':>4} {'asked':>5} {'answered':>8} "
          f"{'segments':>8} {'to end':>7} {'LAT':>6} {'LAT end':>7} {'ratio':>6}")
    for language in LANGUAGES:
        row = results.get(language)
        if not row:
            continue
        ratio = (f"{mean(row['first']) / mean(row['first_lat']):.2f}"
                 if row["first_lat"] else "-")
        hello, helped = contact[language]
        print(f"{language:9} {hello:5d} {helped:4d} {len(row['asked']):5d} "
              f"{len(row['first']):8d} {average(row['first']):>8} {average(row['whole']):>7} "
              f"{average(row['first_lat']):>6} {average(row['whole_lat']):>7} {ratio:>6}")
    print("\nhello: segments of the first contact (a greeting answered by the welcome and the "
          "modules); HELP: of the help text;\nsegments: the first reply to a question as sent "
          "(the SMS version); to end: with every page of the whole text after it;\n"
          "LAT: Cyrillic in Latin letters (GSM-7); ratio: segments / LAT segments.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
