"""Turn the ``content/`` folder into a :class:`ContentTree`.

The layout NGOs edit (see docs/content-guide.md)::

    content/menu.yaml              modules and the order of their topics, titles per language
    content/<lang>/<topic id>.md   one topic in one language: YAML front matter + Markdown

Every problem found is a :class:`Problem` with the file and line, so that a person who is
not a programmer can find the typo. ``load_content`` raises :class:`ContentError` when any
problem is an error; the serving code then keeps the last good tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from bot.content.model import ContentTree, Module, Source, TopicText
from bot.translit import uz_latin_to_cyrillic
from bot.types import CONTENT_LANGUAGES

TOPIC_ID = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class ContentError(Exception):
    """The content folder has errors; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors[:20]))


def _line_of(text: str, needle: str, default: int = 1) -> int:
    """The 1-based line where a front-matter key first appears."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(needle):
            return number
    return default


def _yaml_line(exc: yaml.YAMLError, offset: int = 0) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return (mark.line + 1 + offset) if mark is not None else 1 + offset


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(",") if s.strip())
    if isinstance(value, list):
        return tuple(str(s).strip() for s in value if str(s).strip())
    return ()


def parse_topic_file(path: Path, language: str, problems: list[Problem]) -> TopicText | None:
    """Read one topic file; append what is wrong with it to ``problems``."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, 1, f"not UTF-8 text ({exc.reason}); save it as UTF-8"))
        return None
    match = FRONT_MATTER.match(raw)
    if not match:
        problems.append(
            Problem(path, 1, "no front matter: the file must start with a line '---', "
                    "the fields (title, reviewed, sms …), and another '---'")
        )
        return None
    header_text = match.group(1)
    try:
        meta = yaml.safe_load(header_text) or {}
    except yaml.YAMLError as exc:
        problems.append(Problem(path, _yaml_line(exc, offset=1),
                                f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(path, 2, "front matter must be 'field: value' lines"))
        return None

    topic_id = str(meta.get("id") or path.stem)
    if topic_id != path.stem:
        problems.append(Problem(path, _line_of(header_text, "id:", 1) + 1,
                                f"id '{topic_id}' differs from the file name '{path.stem}'"))
    body = raw[match.end():].strip()
    body_line = raw[: match.end()].count("\n") + 1

    title = str(meta.get("title") or "").strip()
    if not title:
        problems.append(Problem(path, _line_of(header_text, "title:", 1) + 1, "no title"))
    reviewed = _as_date(meta.get("reviewed"))
    if meta.get("reviewed") is not None and reviewed is None:
        problems.append(Problem(path, _line_of(header_text, "reviewed:", 1) + 1,
                                "reviewed must be a date written YYYY-MM-DD"))

    sources: list[Source] = []
    raw_sources = meta.get("sources") or []
    if not isinstance(raw_sources, list):
        problems.append(Problem(path, _line_of(header_text, "sources:", 1) + 1,
                                "sources must be a list of '- url: …' entries"))
        raw_sources = []
    for item in raw_sources:
        if isinstance(item, str):
            sources.append(Source(url=item.strip(), date="n.d."))
        elif isinstance(item, dict) and item.get("url"):
            sources.append(Source(url=str(item["url"]).strip(),
                                  date=str(item.get("date") or "n.d."),
                                  title=str(item.get("title") or "")))
        else:
            problems.append(Problem(path, _line_of(header_text, "sources:", 1) + 1,
                                    "each source needs a url"))

    if not body:
        problems.append(Problem(path, body_line, "the answer text after the front matter is empty",
                                severity="warning"))
    return TopicText(
        topic_id=topic_id,
        language=language,
        title=title or topic_id,
        body=body,
        sms=str(meta.get("sms") or "").strip(),
        keywords=_strings(meta.get("keywords")),
        sources=tuple(sources),
        reviewed=reviewed,
        applies_to=str(meta.get("applies_to") or "").strip(),
        path=path,
    )


def parse_menu(path: Path, problems: list[Problem]) -> tuple[Module, ...]:
    if not path.is_file():
        problems.append(Problem(path, 1, "menu.yaml is missing: it lists the modules and topics"))
        return ()
    raw = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        problems.append(Problem(path, _yaml_line(exc), f"not valid YAML: "
                                f"{getattr(exc, 'problem', exc)}"))
        return ()
    entries = data.get("modules") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(path, 1, "menu.yaml needs 'modules:' with a list of modules"))
        return ()
    modules: list[Module] = []
    seen_topics: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.append(Problem(path, 1, "every module needs an id"))
            continue
        module_id = str(entry["id"])
        line = _line_of(raw, f"- id: {module_id}")
        titles = entry.get("title") or {}
        if not isinstance(titles, dict):
            problems.append(Problem(path, line, f"module {module_id}: title must be one line "
                                    "per language (ru: …, ky: …)"))
            titles = {}
        titles = {str(k): str(v) for k, v in titles.items()}
        if "uz" in titles and "uz-Cyrl" not in titles:
            titles["uz-Cyrl"] = uz_latin_to_cyrillic(titles["uz"])
        for lang in CONTENT_LANGUAGES:
            if lang not in titles:
                problems.append(Problem(path, line, f"module {module_id}: no title in {lang}"))
        topics = _strings(entry.get("topics"))
        for topic_id in topics:
            topic_line = _line_of(raw, f"- {topic_id}", line)
            if not TOPIC_ID.match(topic_id):
                problems.append(Problem(path, topic_line, f"'{topic_id}' is not a topic id "
                                        "(like permits.russia-patent)"))
            if topic_id in seen_topics:
                problems.append(Problem(path, topic_line, f"topic {topic_id} is listed twice"))
            seen_topics.add(topic_id)
        modules.append(Module(module_id, MappingProxyType(titles), topics))
    return tuple(modules)


def derive_uz_cyrillic(text: TopicText) -> TopicText:
    """Uzbek in Cyrillic letters, transliterated from the Latin file."""
    return TopicText(
        topic_id=text.topic_id,
        language="uz-Cyrl",
        title=uz_latin_to_cyrillic(text.title),
        body=uz_latin_to_cyrillic(text.body, keep_urls=True),
        sms=uz_latin_to_cyrillic(text.sms, keep_urls=True),
        keywords=text.keywords + tuple(uz_latin_to_cyrillic(k) for k in text.keywords),
        sources=text.sources,
        reviewed=text.reviewed,
        applies_to=uz_latin_to_cyrillic(text.applies_to),
        path=text.path,
        derived=True,
    )


def scan_content(directory: Path) -> tuple[ContentTree, list[Problem]]:
    """Read everything under ``directory``; never raises for bad content."""
    problems: list[Problem] = []
    modules = parse_menu(directory / "menu.yaml", problems)
    menu_topics = {t for m in modules for t in m.topics}
    texts: dict[tuple[str, str], TopicText] = {}
    for language in (*CONTENT_LANGUAGES, "uz-Cyrl"):
        folder = directory / language
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            text = parse_topic_file(path, language, problems)
            if text is None:
                continue
            if text.topic_id not in menu_topics:
                problems.append(Problem(path, 1, f"topic {text.topic_id} is not in menu.yaml, "
                                        "so nobody can reach it", severity="warning"))
            texts[(text.topic_id, language)] = text
    for topic_id in sorted(menu_topics):
        if (topic_id, "uz") in texts and (topic_id, "uz-Cyrl") not in texts:
            texts[(topic_id, "uz-Cyrl")] = derive_uz_cyrillic(texts[(topic_id, "uz")])
        if not any(key[0] == topic_id for key in texts):
            problems.append(Problem(directory / "menu.yaml",
                                    _line_of((directory / "menu.yaml").read_text("utf-8"),
                                             f"- {topic_id}"),
                                    f"menu entry {topic_id} points nowhere: no file "
                                    f"ru/{topic_id}.md"))
    tree = ContentTree(modules=modules, texts=MappingProxyType(texts))
    return tree, problems


def load_content(directory: Path) -> ContentTree:
    """The content tree, or :class:`ContentError` listing every error."""
    tree, problems = scan_content(directory)
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return tree
