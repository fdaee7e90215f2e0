"""Sentence ends in the world's scripts, and cutting text to fit one synthesis request.

Sentences end at the marks of ``text.SENTENCE_MARKS`` (。！？； ! ? ؟ ۔ । ॥ ။ ។ ៕ ։ ። ፧), at …, at the
Greek question mark (a semicolon after a Greek letter), and at a full stop followed by a space —
unless the next sentence would begin with a lower-case letter, or the stop ends an initial, an
abbreviation of the language (``ABBREVIATIONS`` in English, ``LANGUAGE_ABBREVIATIONS``) or an
ordinal written with a dot ("am 27. November" in ``ORDINAL_DOT_LANGUAGES``). Closing quotes and
brackets stay with their sentence. Thai and Lao end sentences with a space, which they also put
between phrases: their spaces are not sentence ends, and ``fit`` cuts such text between words only
when it is too long for one request. Pieces always join back to the original text, so captions
never lose or invent words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from ..locales import written_in_latin
from ..text import CLAUSE_MARKS, CLOSERS, SENTENCE_MARKS, character_boundary

_GREEK = "\u0370-\u03ff\u1f00-\u1fff"
_END = re.compile(
    rf"(?:……|…|[{SENTENCE_MARKS}]+|(?:\.|(?<=[{_GREEK}]);)(?=[{re.escape(CLOSERS)}]*(?:\s|$)))"
    rf"[{re.escape(CLOSERS)}]*(?:[ \u00a0\u202f]»)?\s*"
)
"""A sentence end with the closing quotes and brackets after it (and a French « … » closing after its space)."""
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "col", "capt", "lt", "sgt",
    "rev", "vs", "vol", "fig", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "mon", "tue", "wed", "thu", "fri", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m",
})  # fmt: skip
"""English words whose full stop does not end a sentence (lower-case, without the final dot). Words that also
end sentences in their own right (no, etc, inc, sat, sun) are left out: a wrong merge is worse than a split.
They apply to English, and to text in languages not written in Latin letters (where a Latin "Mr." is
English); not to other Latin-script languages, where they are words ("mar" the sea, "sept" seven, "sen" you)."""
LANGUAGE_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "de": frozenset({"nr", "ca", "mio", "mrd", "dr", "prof", "st", "str", "bzw", "vgl", "inkl", "ggf", "evtl", "jh",
                     "abs", "tel", "hr", "fr"}),
    "es": frozenset({"sr", "sra", "srta", "dr", "dra", "ee.uu", "núm", "pág", "av", "gral", "lic"}),
    "pt": frozenset({"sr", "sra", "dr", "dra", "av", "prof", "profa", "pág"}),
    "it": frozenset({"sig", "sigg", "dott", "dott.ssa", "prof", "avv", "ing", "pag"}),
    "fr": frozenset({"av", "bd", "pr", "dr", "mgr"}),
    "vi": frozenset({"tp", "ths", "ts", "pgs", "gs", "bs", "pgs.ts", "gs.ts"}),
}  # fmt: skip
"""Other languages' abbreviations that are followed by a capital or a number ("5 Mio. Euro", "Nr. 5",
"TP. Hồ Chí Minh"); one followed by a lower-case word needs no entry."""
ORDINAL_DOT_LANGUAGES = frozenset({
    "de", "da", "nb", "nn", "no", "fi", "is", "fo", "cs", "sk", "pl", "hu", "tr", "hr", "bs", "sr", "sl", "et", "lv",
})  # fmt: skip
"""Languages that write ordinals as a number and a full stop ("am 27. November", "1. maja"), so that a stop
after a one- or two-digit number followed by a word does not end the sentence."""
_CLAUSE = re.compile(rf"[{CLAUSE_MARKS}]\s*")
_DASHES = " —–-"
_ORDINAL = re.compile(r"(?<![\d.,])\d{1,2}\.$")


@dataclass(frozen=True)
class _FullStops:
    """After which words a full stop followed by a space does not end the sentence."""

    abbreviations: frozenset[str]
    ordinals: bool


_CAUTIOUS = _FullStops(ABBREVIATIONS.union(*LANGUAGE_ABBREVIATIONS.values()), ordinals=True)


def split_sentences(text: str, language: str | None) -> list[str]:
    """Cut ``text`` in ``language`` (a BCP-47 tag) after each sentence end; the pieces join back to ``text``.
    With no language, only where no language would go on (what ``fit`` needs: never a cut mid-sentence).

    >>> split_sentences("他说：“好。”然后走了！Mr. Smith left. Then 6.3 km… At 6 p.m. on Nov. 27. J. Doe came.", "zh")
    ['他说：“好。”', '然后走了！', 'Mr. Smith left. ', 'Then 6.3 km… ', 'At 6 p.m. on Nov. 27. ', 'J. Doe came.']
    >>> split_sentences("Am 27. November stieg der Index. Dann fiel er.", "de-DE")
    ['Am 27. November stieg der Index. ', 'Dann fiel er.']
    >>> split_sentences("क्या वह आया? हाँ। वह आया॥ «Готово!» — сказал он. Τι ώρα είναι; Δέκα.", "mul")
    ['क्या वह आया? ', 'हाँ। ', 'वह आया॥ ', '«Готово!» — сказал он. ', 'Τι ώρα είναι; ', 'Δέκα.']
    """
    stops = _CAUTIOUS if language is None else _full_stops(language)
    sentences: list[list[str]] = []
    for piece in _cut_after(_END, text):
        if sentences and _goes_on(sentences[-1][-1], piece, stops):
            sentences[-1].append(piece)
        else:
            sentences.append([piece])
    return ["".join(pieces) for pieces in sentences]


@functools.cache
def _full_stops(language: str) -> _FullStops:
    family = language.replace("_", "-").split("-")[0].lower()
    english = family == "en" or not written_in_latin(language)
    abbreviations = LANGUAGE_ABBREVIATIONS.get(family, frozenset()) | (ABBREVIATIONS if english else frozenset())
    return _FullStops(abbreviations, ordinals=family in ORDINAL_DOT_LANGUAGES)


def _goes_on(sentence: str, following: str, stops: _FullStops) -> bool:
    """Whether ``sentence``, cut after a mark, goes on in ``following``: the next word is lower-case after
    a Latin . ! ?, or the full stop ends an initial or an abbreviation, or makes an ordinal.

    >>> stops = _full_stops("en-US")
    >>> _goes_on("Mr. ", "Smith", stops), _goes_on("J. ", "Doe", stops), _goes_on("He left. ", "Then", stops)
    (True, True, False)
    >>> _goes_on("at 6 p.m. ", "On", stops), _goes_on("U.S. ", "Army", stops), _goes_on("6. ", "Then", stops)
    (True, True, False)
    >>> _goes_on("в 2023 г. ", "в Москве", _full_stops("ru")), _goes_on("am 3. ", "Mai", _full_stops("de"))
    (True, True)
    """
    stopped = sentence.rstrip()
    mark = stopped.rstrip(CLOSERS)[-1:]
    if mark not in (".", "!", "?"):
        return False
    if following.lstrip(_DASHES)[:1].islower():  # «Готово!» — сказал он. / "Stop!" he said.
        return True
    if not stopped.endswith("."):
        return False
    if stops.ordinals and _ORDINAL.search(stopped) and following[:1].isalpha():
        return True
    start = len(stopped) - 1  # the last word: letters and dots back from the final dot, read from its first letter
    while start and (stopped[start - 1].isalpha() or stopped[start - 1] == "."):
        start -= 1
    stem = stopped[start:-1].lstrip(".").lower()
    return bool(stem) and (len(stem) == 1 or stem in stops.abbreviations)


def fit(text: str, max_bytes: int) -> list[str]:
    """Sentences of ``text`` grouped into pieces of at most ``max_bytes`` (UTF-8, XML-escaped).

    Whole sentences are kept together; a sentence longer than the limit is cut at commas, a
    comma-less run between words (at a space or a zero-width space: a Thai, Lao, Khmer or Myanmar
    run too), and a run with no space at the limit itself, between two user-perceived characters
    (for CJK the natural cut, for a Latin run the last resort).

    >>> fit("一二三。四五六。七八九。", 24)
    ['一二三。四五六。', '七八九。']
    >>> fit("一二三四五六七八九十", 12)
    ['一二三四', '五六七八', '九十']
    >>> fit("ภาษาไทย ใช้เว้นวรรค ระหว่างประโยค", 60)
    ['ภาษาไทย ใช้เว้นวรรค ', 'ระหว่างประโยค']
    """
    pieces: list[list[str]] = []
    size = 0  # bytes of the last piece; escaping is per character, so sizes add up
    for sentence in split_sentences(text, None):
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
    """Cut a run with no sentence or clause end at the limit — between words where there are spaces,
    else between two user-perceived characters, else (one character longer than the limit) anywhere.

    >>> _hard_cut("banana " * 4, 16)
    ['banana banana ', 'banana banana ']
    >>> _hard_cut("北约" * 5, 12), _hard_cut("x" * 10, 4)
    (['北约北约', '北约北约', '北约'], ['xxxx', 'xxxx', 'xx'])
    >>> _hard_cut("नमस्ते" * 2, 12)  # a conjunct and its vowel sign stay whole
    ['नम', 'स्ते', 'नम', 'स्ते']
    """
    pieces: list[str] = []
    start, size, space = 0, 0, -1  # the piece being filled: where it starts, its bytes, its last space
    for index, char in enumerate(text):
        char_size = request_bytes(char)
        while index > start and size + char_size > max_bytes:
            cut = space + 1 if space >= start else _cluster_start(text, index, start)
            pieces.append(text[start:cut])
            size -= request_bytes(text[start:cut])
            start, space = cut, -1
        if char in _WORD_SPACES:
            space = index
        size += char_size
    return [*pieces, text[start:]] if start < len(text) else pieces


_WORD_SPACES = " \u200b"
"""Where a run may be cut between words: a space, or the zero-width space that Thai, Lao, Khmer and
Myanmar text may carry between words."""


def _cluster_start(text: str, index: int, start: int) -> int:
    """Where to cut before ``index``: the start of the user-perceived character there, unless that
    is not after ``start`` (a character longer than the limit: cut it)."""
    cut = character_boundary(text, index, start)  # no further back than the piece: linear however long the cluster
    return cut if cut > start else index


def _cut_after(pattern: re.Pattern[str], text: str) -> list[str]:
    pieces, start = [], 0
    for match in pattern.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()] or [text]
