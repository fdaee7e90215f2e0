"""Sentence ends, CJK-aware, and cutting text to fit one synthesis request.

Sentences end at 。！？；… and at Latin . ! ? followed by a space and a capital, digit or quote —
but not after an initial or an abbreviation (``ABBREVIATIONS``); closing quotes and brackets stay
with their sentence. Pieces always join back to the original text, so captions never lose or
invent words.
"""

from __future__ import annotations

import re
import string
from xml.sax.saxutils import escape

_CLOSERS = "”’」』）)]\"'》〉"
_END = re.compile(
    rf"(?:……|…|[。！？；!?]+|\.(?=[{re.escape(_CLOSERS)}]*(?:\s+[^a-z\s]|\s*$)))[{re.escape(_CLOSERS)}]*\s*"
)
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "col", "capt", "lt", "sgt",
    "rev", "vs", "vol", "fig", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "mon", "tue", "wed", "thu", "fri", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m",
})  # fmt: skip
"""Words whose full stop does not end a sentence (lower-case, without the final dot). Words that also end
sentences in their own right (no, etc, inc, sat, sun) are left out: a wrong merge is worse than a split."""
_WORD_CHARACTERS = frozenset(string.ascii_letters + ".")
_CLAUSE = re.compile(r"[，、,：:]\s*")


def split_sentences(text: str) -> list[str]:
    """Cut ``text`` after each sentence end; the pieces join back to ``text``.

    >>> split_sentences("他说：“好。”然后走了！Mr. Smith left. Then 6.3 km… At 6 p.m. on Nov. 27. J. Doe came.")
    ['他说：“好。”', '然后走了！', 'Mr. Smith left. ', 'Then 6.3 km… ', 'At 6 p.m. on Nov. 27. ', 'J. Doe came.']
    """
    sentences: list[list[str]] = []
    for piece in _cut_after(_END, text):
        if sentences and _ends_with_abbreviation(sentences[-1][-1]):
            sentences[-1].append(piece)
        else:
            sentences.append([piece])
    return ["".join(pieces) for pieces in sentences]


def _ends_with_abbreviation(piece: str) -> bool:
    """Whether ``piece`` stops at the dot of an initial (``J.``) or a known abbreviation (``Nov.``).

    >>> _ends_with_abbreviation("Mr. "), _ends_with_abbreviation("J. "), _ends_with_abbreviation("He left. ")
    (True, True, False)
    >>> _ends_with_abbreviation("at 6 p.m. "), _ends_with_abbreviation("U.S. "), _ends_with_abbreviation("6. ")
    (True, True, False)
    """
    piece = piece.rstrip()
    if not piece.endswith("."):
        return False
    start = len(piece) - 1  # the last word: letters and dots back from the final dot, read from its first letter
    while start and piece[start - 1] in _WORD_CHARACTERS:
        start -= 1
    stem = piece[start:-1].lstrip(".").lower()
    return bool(stem) and (len(stem) == 1 or stem in ABBREVIATIONS)


def fit(text: str, max_bytes: int) -> list[str]:
    """Sentences of ``text`` grouped into pieces of at most ``max_bytes`` (UTF-8, XML-escaped).

    Whole sentences are kept together; a sentence longer than the limit is cut at commas, a
    comma-less run between words, and a run with no space at the limit itself (any character
    boundary: for CJK the natural one, for a Latin run the last resort).

    >>> fit("一二三。四五六。七八九。", 24)
    ['一二三。四五六。', '七八九。']
    >>> fit("一二三四五六七八九十", 12)
    ['一二三四', '五六七八', '九十']
    """
    pieces: list[list[str]] = []
    size = 0  # bytes of the last piece; escaping is per character, so sizes add up
    for sentence in split_sentences(text):
        for part in _shorten(sentence, max_bytes):
            part_size = request_bytes(part)
            if pieces and size + part_size <= max_bytes:
                pieces[-1].append(part)
                size += part_size
            else:
                pieces.append([part])
                size = part_size
    return ["".join(parts) for parts in pieces]


def request_bytes(text: str) -> int:
    """Bytes ``text`` takes in a synthesis request, after XML escaping.

    >>> request_bytes("a&b"), request_bytes("北")
    (7, 3)
    """
    return len(escape(text).encode("utf-8"))


def _shorten(sentence: str, max_bytes: int) -> list[str]:
    if request_bytes(sentence) <= max_bytes:
        return [sentence]
    parts: list[str] = []
    for clause in _cut_after(_CLAUSE, sentence):
        parts.extend(_hard_cut(clause, max_bytes) if request_bytes(clause) > max_bytes else [clause])
    return parts


def _hard_cut(text: str, max_bytes: int) -> list[str]:
    """Cut a run with no sentence or clause end at the limit — between words where there are spaces.

    >>> _hard_cut("banana " * 4, 16)
    ['banana banana ', 'banana banana ']
    >>> _hard_cut("北约" * 5, 12), _hard_cut("x" * 10, 4)
    (['北约北约', '北约北约', '北约'], ['xxxx', 'xxxx', 'xx'])
    """
    pieces: list[str] = []
    start, size, space = 0, 0, -1  # the piece being filled: where it starts, its bytes, its last space
    for index, char in enumerate(text):
        char_size = request_bytes(char)
        if index > start and size + char_size > max_bytes:
            cut = space + 1 if space > start else index
            pieces.append(text[start:cut])
            size -= request_bytes(text[start:cut])
            start, space = cut, -1
        if char == " ":
            space = index
        size += char_size
    return [*pieces, text[start:]] if start < len(text) else pieces


def _cut_after(pattern: re.Pattern[str], text: str) -> list[str]:
    pieces, start = [], 0
    for match in pattern.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()] or [text]
