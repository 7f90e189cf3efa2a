"""The dashboard page: the report as HTML tables, and the data its script draws as charts.

Every word goes through ``tr`` (Russian or English, ``bot/stats/words.py``); topics show
by their titles in the page's language with the id beside. The page works from 390 px
wide (a phone) up: tables scroll sideways inside their box, charts take the box's width.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from string import Template
from urllib.parse import urlencode

from bot.stats.formats import (
    channels_text,
    matrix,
    noise_text,
    share_text,
    shown_text,
    to_json,
    topic_label,
    topic_title,
)
from bot.stats.report import ALL_CHANNELS, Report, Titles
from bot.stats.words import LANGUAGES, Words

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The channel filter's choices: "" is the default (Telegram and SMS).
CHANNEL_CHOICES = ("", "telegram", "sms", "simulator", ALL_CHANNELS)
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}


def template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def html_table(header: Sequence[str], lines: Iterable[Sequence[str]],
               numeric_from: int = 1) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td{" class=n" if i >= numeric_from else ""}>{html.escape(cell)}</td>'
            for i, cell in enumerate(line)) + "</tr>"
        for line in lines)
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _channel_label(choice: str, tr: Words) -> str:
    return {"": tr("Telegram and SMS"), "telegram": "Telegram", "sms": "SMS",
            "simulator": tr("Simulator (NGO previews)"),
            ALL_CHANNELS: tr("Every channel")}[choice]


def _channel_options(selected: str, tr: Words) -> str:
    return "".join(
        f'<option value="{c}"{" selected" if c == selected else ""}>'
        f"{html.escape(_channel_label(c, tr))}</option>" for c in CHANNEL_CHOICES)


def _words_for_script(tr: Words) -> dict[str, str]:
    return {
        "empty": tr("Nothing to show in this period (or every count is hidden)."),
        "unmatched": tr("not understood"),
        "didyoumean": tr("did you mean"),
        "of": tr("of"),
        "people": tr("people"),
    }


def render_dashboard(report: Report, nonce: str, tr: Words, titles: Titles,
                     channel: str = "") -> str:
    k = report.min_count

    def n(value: int | None) -> str:
        return shown_text(value, k)

    data = to_json(report, titles, tr)
    data["words"] = _words_for_script(tr)
    script_data = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    since, until = str(report.since), str(report.until)
    query = {"since": since, "until": until, "channel": channel, "lang": tr.language}
    per_day_language: dict[date, list[str]] = {}
    for day, language, count in report.day_language:
        per_day_language.setdefault(day, []).append(f"{language} {n(count)}")
    languages, topic_rows = matrix(report)
    other_languages = " · ".join(
        f'<a href="/stats?{html.escape(urlencode({**query, "lang": lang}))}" lang="{lang}"'
        f'{" aria-current=true" if lang == tr.language else ""}>{LANGUAGE_NAMES[lang]}</a>'
        for lang in LANGUAGES)
    values = {
        "lang": tr.language,
        "nonce": nonce,
        "css": template("base.css"),
        "script": template("dashboard.js"),
        "data": script_data,
        "since": html.escape(since),
        "until": html.escape(until),
        "query": html.escape(urlencode(query)),
        "languages_nav": other_languages,
        "channel_options": _channel_options(channel, tr),
        "summary": html.escape(
            tr("From {since} to {until} (days in UTC), {channels}: {total} messages answered.",
               since=since, until=until, channels=channels_text(report, tr),
               total=n(report.total))),
        "privacy": html.escape(
            tr("Counts below {k} are shown as <{k} and not drawn, so that no small group can "
               "be singled out.", k=k) + " " + noise_text(report, tr) + " "
            + tr("Nothing here can point back to a person: no phone numbers, Telegram ids, "
                 "names or message texts are recorded.")),
        "table_days": html_table(
            (tr("day"), tr("messages"), tr("by language"), tr("people")),
            [(str(d), n(m), ", ".join(per_day_language.get(d, [])), n(p))
             for d, m, p in report.days]),
        "table_topics": html_table(
            (tr("topic"), tr("id"), tr("messages")),
            [(topic_title(t, tr, titles), t or "—", n(c)) for t, c in report.topics],
            numeric_from=2),
        "table_understanding": html_table(
            (tr("language"), tr("messages"), tr("not understood"), tr("share"),
             tr("did you mean"), tr("share")),
            [(u.language, n(u.messages), n(u.unmatched), share_text(u.unmatched_share),
              n(u.didyoumean), share_text(u.didyoumean_share)) for u in report.understanding]),
        "table_matrix": html_table(
            (tr("topic"), *languages),
            [(topic_label(t, tr, titles), *(c if isinstance(c, str) else n(c) for c in counts))
             for t, counts in topic_rows]),
        "table_channels": html_table(
            (tr("channel"), tr("messages")), [(c, n(m)) for c, m in report.channels]),
    }
    for key, text in _headings(tr).items():
        values[key] = html.escape(text)
    return Template(template("dashboard.html")).substitute(values)


def _headings(tr: Words) -> dict[str, str]:
    return {
        "t_title": tr("Usage statistics"),
        "t_heading": tr("What migrants ask"),
        "t_from": tr("From"),
        "t_to": tr("to"),
        "t_channels": tr("Channels"),
        "t_show": tr("Show"),
        "t_csv": tr("Download CSV"),
        "t_sign_out": tr("Sign out (everywhere)"),
        "t_days": tr("Messages per day, by language"),
        "t_topics": tr("Top topics"),
        "t_understanding": tr("Not understood and “did you mean”, by language"),
        "t_understanding_note": tr(
            "“Not understood”: the question matched no topic. “Did you mean”: it was close to "
            "some topics and they were offered — often the sign of a missing example or "
            "topic. Shares are of each language's messages."),
        "t_matrix": tr("Topics by language"),
        "t_channel_counts": tr("Channels"),
        "t_people": tr("Unique people per day"),
        "t_people_note": tr(
            "Different senders a day, counted without knowing who they are (see the README's "
            "privacy section). Someone writing by SMS and in Telegram counts twice; the "
            "simulator's users are not counted."),
        "t_numbers": tr("Numbers"),
    }
