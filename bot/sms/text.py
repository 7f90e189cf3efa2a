"""Plain text for SMS, both ways: what a handset sent, and content made fit for a handset."""

from __future__ import annotations

import re
import unicodedata

#: Twilio delivers at most 1,600 characters; anything longer is cut, never refused.
MAX_INBOUND = 1600

_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # controls, invisible formatting, surrogates


def clean_inbound(raw: str) -> str:
    """A message body with control and invisible characters removed, cut at 1,600."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(ch for ch in text
                   if ch == "\n" or unicodedata.category(ch) not in _DROP_CATEGORIES)
    return text.strip()[:MAX_INBOUND].strip()


def printable(text: str) -> str:
    """Without control characters other than the line break (XML and handsets reject them)."""
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")


_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")
_SINGLE_STAR = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_BULLET = re.compile(r"^(\s*)[*+]\s+", re.M)
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t]+")


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2).strip()
    bare = re.sub(r"^https?://", "", url).rstrip("/")
    return label if label in (url, bare) else f"{label} {bare}"


def sms_plain(markdown: str) -> str:
    """Markdown as a handset shows it: no markup, one line break between paragraphs.

    Every character is paid for, so blank lines, ``**`` and link syntax go; list dashes
    and numbers stay because they carry meaning.
    """
    text = _LINK.sub(_link, markdown)
    text = _EMPHASIS.sub(r"\2", text)
    text = _SINGLE_STAR.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _BULLET.sub(r"\1- ", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", text).strip()
