"""Cutting a text into pages that each fit a budget of SMS segments.

Pages break after a whole line whenever that costs nothing (the page already takes every
segment it may), else after a sentence, so each page reads on its own (basic handsets may
show the parts of a long message separately or out of order). A sentence longer than a
page breaks between words, a word longer than a page anywhere.
"""

from __future__ import annotations

import re
from collections import deque
from itertools import pairwise

from bot.sms.segments import count_segments

_SENTENCE_END = re.compile(r"(?<=[.!?…;])[ ]+")


def fits(text: str, tail: str, segments: int) -> bool:
    """Whether ``text``, then ``tail`` on a line of its own, fits in ``segments`` parts."""
    message = f"{text}\n{tail}" if text and tail else text or tail
    return count_segments(message).segments <= segments


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


_WORD_GAP = re.compile(r"(?<=\S)\s+")
LINE, SENTENCE, WORD, PART = range(4)
Piece = tuple[str, int]  # text, and how finely it was cut (LINE … PART)


def _finer(piece: Piece) -> list[Piece]:
    """A piece cut smaller: a line into sentences, a sentence into words, else halves."""
    text, level = piece
    for pattern, finer_level in ((_SENTENCE_END, SENTENCE), (_WORD_GAP, WORD)):
        if finer_level <= level:
            continue
        cuts = [m.end() for m in pattern.finditer(text) if m.end() < len(text.rstrip())]
        if cuts:
            bounds = [0, *cuts, len(text)]
            return [(text[a:b], finer_level) for a, b in pairwise(bounds)]
    middle = max(1, len(text) // 2)
    return [(text[:middle], PART), (text[middle:], PART)]


def split_pages(text: str, segments: int, more_tail: str = "", last_tail: str = "") -> list[str]:
    """Pages of ``text``; each but the last fits beside ``more_tail``, the last beside
    ``last_tail``, within ``segments`` parts — measured on the message as it will be sent.

    The last page may be empty when only ``last_tail`` fits on it.
    """
    pieces: deque[Piece] = deque((line, LINE) for line in _lines(text.strip()))
    pages: list[str] = []
    while pieces:
        rest = "".join(piece for piece, _ in pieces).strip()
        if fits(rest, last_tail, segments):
            pages.append(rest)
            return pages
        chunk, taken = "", 0
        while pieces:
            if taken and len(pieces) == 1:
                break  # keep something for the last page, beside the options
            candidate = chunk + pieces[0][0]
            if fits(candidate.strip(), more_tail, segments):
                chunk, taken = candidate, taken + 1
                pieces.popleft()
                continue
            finer = _finer(pieces[0])
            if taken:
                # Cut the next line into sentences only when the page has room it would
                # otherwise waste; never end a page in the middle of a sentence by choice.
                page_is_full = not fits(chunk.strip(), more_tail, segments - 1)
                if page_is_full or finer[0][1] != SENTENCE:
                    break
            elif len(pieces[0][0]) <= 1:
                break
            pieces.popleft()
            pieces.extendleft(reversed(finer))
        if not taken:  # not even one character fits beside the tail: stop cutting
            pages.append(rest)
            return pages
        pages.append(chunk.strip())
    pages.append("")  # everything went onto "more" pages; the options get their own
    return pages
