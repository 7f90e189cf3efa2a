"""Turn the ``content/`` folder into a :class:`ContentTree`.

The layout NGOs edit (see docs/content-guide.md)::

    content/menu.yaml              modules and the order of their topics, titles per language
    content/<lang>/<topic id>.md   one topic in one language: YAML front matter + Markdown

The loader finds what stops content from being served: a file it cannot read, a field
that is missing or of the wrong kind, a menu entry with no Russian text. Every problem is
a :class:`Problem` with the file and line, so that a person who is not a programmer can
find the typo. ``load_content`` raises :class:`ContentError` when any problem is an error;
the serving code then keeps the last good tree. The finer checks an editor wants before
publishing (SMS length, phone numbers, translations, review dates) are in
:mod:`bot.content.check`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from bot.content.model import ContentTree, Module, Source, TopicText
from bot.content.yamltext import describe_error, key_lines, parse_yaml
from bot.types import CONTENT_LANGUAGES, FALLBACK_LANGUAGE, LANGUAGES
from bot.understanding.translit import normalize_apostrophes, uz_latin_to_cyrillic

TOPIC_ID = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)
#: The fields a topic file may have; anything else is probably a typo.
FIELDS = ("id", "title", "applies_to", "reviewed", "keywords", "sources", "sms", "examples")

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, where it is and how bad it is."""

    path: Path
    line: int
    message: str
    severity: Severity = "error"
    code: str = ""  # a short name of the kind of problem, e.g. "sms-length"
    language: str = ""  # the language it concerns, when it concerns one

    def display(self, base: Path | None = None) -> str:
        """``file:line: severity: message``, the file relative to ``base`` when inside it."""
        path = self.path
        if base is not None:
            with contextlib.suppress(ValueError):
                path = self.path.relative_to(base)
        return f"{path}:{self.line}: {self.severity}: {self.message}"

    def __str__(self) -> str:
        return self.display()


class ContentError(Exception):
    """The content folder has errors; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors[:20]))


def _line_of(text: str, needle: str, default: int = 1) -> int:
    """The 1-based line where ``needle`` first starts a line (indentation ignored)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(needle):
            return number
    return default


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


def _text(value: Any) -> str | None:
    """A field that must be text: None when it is a list or a mapping instead."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return None
    return str(value).strip()


def parse_topic_file(path: Path, language: str, problems: list[Problem]) -> TopicText | None:
    """Read one topic file; append what is wrong with it to ``problems``."""
    try:
        raw = path.read_text(encoding="utf-8-sig")  # Notepad may add a byte-order mark
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, 1, f"not UTF-8 text ({exc.reason}); save it as UTF-8",
                                code="encoding"))
        return None
    match = FRONT_MATTER.match(raw)
    if not match:
        problems.append(
            Problem(path, 1, "no front matter: the file must start with a line '---', "
                    "the fields (title, reviewed, sms …), and another '---'",
                    code="front-matter")
        )
        return None
    header_text = match.group(1)
    try:
        node, meta = parse_yaml(header_text)
        meta = meta or {}
    except yaml.YAMLError as exc:
        line, message = describe_error(header_text, exc, offset=1)
        problems.append(Problem(path, line, f"front matter is not valid YAML: {message}",
                                code="yaml"))
        return None
    if not isinstance(meta, dict) or node is None:
        problems.append(Problem(path, 2, "front matter must be 'field: value' lines",
                                code="yaml"))
        return None
    lines, repeated = key_lines(node, offset=1)
    for key, first, again in repeated:
        problems.append(Problem(path, again, f"{key} is written twice (also on line {first}); "
                                "keep one", code="duplicate-field"))

    def error(field: str, message: str, code: str = "schema") -> None:
        problems.append(Problem(path, lines.get(field, 2), message, code=code))

    topic_id = str(meta.get("id") or path.stem)
    if topic_id != path.stem:
        error("id", f"id '{topic_id}' differs from the file name '{path.stem}'", "id")
    elif not TOPIC_ID.match(topic_id):
        error("id", f"'{topic_id}' is not a topic id (like permits.russia-patent: "
                    "small Latin letters, digits and '-', one dot)", "id")

    rest = raw[match.end():]
    body = rest.strip()
    body_start = match.end() + len(rest) - len(rest.lstrip())
    body_line = raw[:body_start].count("\n") + 1
    if not body:
        problems.append(Problem(path, body_line, "the answer text after the front matter "
                                "is empty", code="body"))

    title = _text(meta.get("title"))
    if title is None:
        error("title", "title must be one line of text")
    elif not title:
        error("title", "no title: add a line 'title: …' (the menu label of this topic)")
    if meta.get("reviewed") is None:
        error("reviewed", "no reviewed date: add a line 'reviewed: YYYY-MM-DD', the day "
                          "the text was last checked against its sources", "reviewed")
    reviewed = _as_date(meta.get("reviewed"))
    if meta.get("reviewed") is not None and reviewed is None:
        error("reviewed", "reviewed must be a date written YYYY-MM-DD", "reviewed")
    sms = _text(meta.get("sms"))
    if sms is None:
        error("sms", "sms must be text (one paragraph), not a list")
    applies_to = _text(meta.get("applies_to"))
    if applies_to is None:
        error("applies_to", "applies_to must be one line of text")
    if meta.get("keywords") is not None and not isinstance(meta["keywords"], list | str):
        error("keywords", "keywords must be a list: keywords: [word, another word]")
    if meta.get("examples") is not None and not isinstance(meta["examples"], list):
        error("examples", "examples must be a list, one question a line: '  - как получить "
                          "патент'", "examples")

    sources: list[Source] = []
    raw_sources = meta.get("sources") or []
    if not isinstance(raw_sources, list):
        error("sources", "sources must be a list of '- url: …' entries")
        raw_sources = []
    for index, item in enumerate(raw_sources):
        if isinstance(item, str):
            sources.append(Source(url=item.strip(), date="n.d."))
        elif isinstance(item, dict) and item.get("url"):
            sources.append(Source(url=str(item["url"]).strip(),
                                  date=str(item.get("date") or "n.d."),
                                  title=str(item.get("title") or "")))
        else:
            error(f"sources.{index}", "each source needs a url: '- url: https://…'")

    text = TopicText(
        topic_id=topic_id,
        language=language,
        title=title or topic_id,
        body=body,
        sms=sms or "",
        keywords=_strings(meta.get("keywords")),
        examples=_strings(meta.get("examples")),
        sources=tuple(sources),
        reviewed=reviewed,
        applies_to=applies_to or "",
        path=path,
        lines=MappingProxyType(lines),
        body_line=body_line,
    )
    return _normalized_uz(text) if language == "uz" else text


def _normalized_uz(text: TopicText) -> TopicText:
    """Uzbek Latin with the plain apostrophe only, whatever the keyboard typed (GSM-7)."""
    return replace(
        text,
        title=normalize_apostrophes(text.title),
        body=normalize_apostrophes(text.body),
        sms=normalize_apostrophes(text.sms),
        applies_to=normalize_apostrophes(text.applies_to),
        keywords=tuple(normalize_apostrophes(k) for k in text.keywords),
        examples=tuple(normalize_apostrophes(e) for e in text.examples),
    )


def parse_menu(path: Path, problems: list[Problem]) -> tuple[Module, ...]:
    if not path.is_file():
        problems.append(Problem(path, 1, "menu.yaml is missing: it lists the modules and topics",
                                code="menu"))
        return ()
    raw = path.read_text(encoding="utf-8-sig")
    try:
        root, data = parse_yaml(raw)
        data = data or {}
    except yaml.YAMLError as exc:
        line, message = describe_error(raw, exc)
        problems.append(Problem(path, line, f"not valid YAML: {message}", code="yaml"))
        return ()
    entries = data.get("modules") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(path, 1, "menu.yaml needs 'modules:' with a list of modules",
                                code="menu"))
        return ()
    nodes = _module_nodes(root)
    modules: list[Module] = []
    seen_topics: dict[str, int] = {}
    seen_modules: dict[str, int] = {}
    for index, entry in enumerate(entries):
        node = nodes[index] if index < len(nodes) else None
        line = node.start_mark.line + 1 if node is not None else 1
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.append(Problem(path, line, "every module needs an id", code="menu"))
            continue
        module_id = str(entry["id"])
        entry_lines, _ = key_lines(node, 0) if node is not None else ({}, [])
        if module_id in seen_modules:
            problems.append(Problem(path, line, f"module {module_id} is listed twice (also on "
                                    f"line {seen_modules[module_id]})", code="duplicate-id"))
            continue
        seen_modules[module_id] = line
        titles = entry.get("title") or {}
        if not isinstance(titles, dict):
            problems.append(Problem(path, line, f"module {module_id}: title must be one line "
                                    "per language (ru: …, ky: …)", code="menu"))
            titles = {}
        titles = {str(k): str(v) for k, v in titles.items()}
        for lang in titles:
            if lang not in LANGUAGES:
                problems.append(Problem(path, line, f"module {module_id}: unknown language "
                                        f"'{lang}' (use {', '.join(LANGUAGES)})",
                                        severity="warning", code="menu"))
        if "uz" in titles and "uz-Cyrl" not in titles:
            titles["uz-Cyrl"] = uz_latin_to_cyrillic(normalize_apostrophes(titles["uz"]))
        if FALLBACK_LANGUAGE not in titles:
            problems.append(Problem(path, line, f"module {module_id}: no title in "
                                    f"{FALLBACK_LANGUAGE}", code="menu"))
        for lang in CONTENT_LANGUAGES:
            if lang not in titles and lang != FALLBACK_LANGUAGE:
                problems.append(Problem(path, line, f"module {module_id}: no title in {lang} "
                                        "(the Russian one is shown)", severity="warning",
                                        code="missing-translation", language=lang))
        sms_titles = _sms_titles(entry.get("sms"), module_id, path, line, problems)
        topics = _strings(entry.get("topics"))
        topic_lines: dict[str, int] = {}
        for position, topic_id in enumerate(topics):
            topic_line = entry_lines.get(f"topics.{position}", line)
            topic_lines.setdefault(topic_id, topic_line)
            if not TOPIC_ID.match(topic_id):
                problems.append(Problem(path, topic_line, f"'{topic_id}' is not a topic id "
                                        "(like permits.russia-patent)", code="id"))
            if topic_id in seen_topics:
                problems.append(Problem(path, topic_line, f"topic {topic_id} is listed twice "
                                        f"(also on line {seen_topics[topic_id]})",
                                        code="duplicate-id"))
            seen_topics.setdefault(topic_id, topic_line)
        modules.append(Module(module_id, MappingProxyType(titles), topics, line=line,
                              topic_lines=MappingProxyType(topic_lines),
                              sms_titles=MappingProxyType(sms_titles)))
    return tuple(modules)


def _sms_titles(raw: object, module_id: str, path: Path, line: int,
                problems: list[Problem]) -> dict[str, str]:
    """A module's ``sms:`` names (``ru: Документы``), like its titles; optional."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(path, line, f"module {module_id}: sms must be one short name "
                                "per language (ru: …, ky: …)", code="menu"))
        return {}
    names = {str(k): str(v).strip() for k, v in raw.items() if str(v).strip()}
    if "uz" in names and "uz-Cyrl" not in names:
        names["uz-Cyrl"] = uz_latin_to_cyrillic(normalize_apostrophes(names["uz"]))
    if "uz" in names:
        names["uz"] = normalize_apostrophes(names["uz"])
    return names


def _module_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "modules" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


def derive_uz_cyrillic(text: TopicText) -> TopicText:
    """Uzbek in Cyrillic letters, transliterated from the Latin file."""
    return TopicText(
        topic_id=text.topic_id,
        language="uz-Cyrl",
        title=uz_latin_to_cyrillic(text.title),
        body=uz_latin_to_cyrillic(text.body),
        sms=uz_latin_to_cyrillic(text.sms),
        keywords=text.keywords + tuple(uz_latin_to_cyrillic(k) for k in text.keywords),
        examples=tuple(uz_latin_to_cyrillic(e) for e in text.examples),
        sources=text.sources,
        reviewed=text.reviewed,
        applies_to=uz_latin_to_cyrillic(text.applies_to),
        path=text.path,
        derived=True,
        lines=text.lines,
        body_line=text.body_line,
    )


def scan_content(directory: Path) -> tuple[ContentTree, list[Problem]]:
    """Read everything under ``directory``; never raises for bad content."""
    problems: list[Problem] = []
    menu_path = directory / "menu.yaml"
    modules = parse_menu(menu_path, problems)
    menu_lines = {t: m.topic_lines.get(t, m.line) for m in modules for t in m.topics}
    # A menu that cannot be read lists no topic: saying so of every file buries its error.
    menu_read = not any(p.path == menu_path and p.severity == "error" for p in problems)
    texts: dict[tuple[str, str], TopicText] = {}
    for language in (*CONTENT_LANGUAGES, "uz-Cyrl"):
        folder = directory / language
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            text = parse_topic_file(path, language, problems)
            if text is None:
                continue
            if text.topic_id not in menu_lines and menu_read:
                problems.append(Problem(path, 1, f"topic {text.topic_id} is not in menu.yaml, "
                                        "so nobody can reach it", severity="warning",
                                        code="unknown-id", language=language))
            texts[(text.topic_id, language)] = text
    for topic_id, line in menu_lines.items():
        if (topic_id, "uz") in texts and (topic_id, "uz-Cyrl") not in texts:
            texts[(topic_id, "uz-Cyrl")] = derive_uz_cyrillic(texts[(topic_id, "uz")])
        russian = directory / FALLBACK_LANGUAGE / f"{topic_id}.md"
        if (topic_id, FALLBACK_LANGUAGE) not in texts and TOPIC_ID.match(topic_id) \
                and not russian.is_file():  # a file with an error says so itself
            others = sorted(lang for (t, lang) in texts if t == topic_id)
            where = (f" ({', '.join(others)} have one, but Russian is what every language "
                     "falls back to)") if others else ""
            problems.append(Problem(menu_path, line, f"menu entry {topic_id} points nowhere: "
                                    f"there is no file ru/{topic_id}.md{where}",
                                    code="unknown-id"))
    tree = ContentTree(modules=modules, texts=MappingProxyType(texts))
    return tree, problems


def load_content(directory: Path) -> ContentTree:
    """The content tree, or :class:`ContentError` listing every error."""
    tree, problems = scan_content(directory)
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return tree
