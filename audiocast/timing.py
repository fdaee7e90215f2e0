"""When each word and sentence of a segment is heard: an engine's boundaries become episode cues.

Engines report *words* (edge-tts ``WordBoundary``, espeak-ng word events), each a piece of the
segment's text with its time inside the clip. Here they are found in the text in order, widened to
*tiles* that cover the whole text (a word keeps the punctuation after it, so "Brussels." and
"表示，" are words, and an opening quote or bracket goes with the word it opens), and made
episode-absolute: monotonic, and inside their segment. The script's sentences are timed by the
words they contain, never by the engine's own sentence split (espeak, for one, ends a sentence
after "Mr."). A clip without boundaries gets sentence cues timed by length, and no words.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Sequence

from .models import Boundary, Clip, Cue, Placed, Segment

Timed = tuple[int, int, int, int]
"""A word: its (start, end) in a text and the (from, to) milliseconds it is heard at."""

_OPENING = frozenset({"Ps", "Pi"})
"""Unicode categories of punctuation that opens what follows: brackets, opening quotes."""
_BRACKETS = _OPENING | {"Pe", "Pf"}
"""... and closing ones: never inside a word ("（Jens Stoltenberg）11月" is two)."""


def place(segment: Segment, clip: Clip, start_ms: int, end_ms: int) -> Placed:
    """``segment`` placed at ``start_ms``–``end_ms`` of the episode, with its sentence and word cues."""
    words = word_cues(segment.text, clip.boundaries, start_ms, end_ms)
    return Placed(segment, start_ms, end_ms, sentence_cues(segment, words, start_ms, end_ms), words)


def tiles(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of each word's tile: ``spans`` (ascending, non-empty character ranges of
    the words) widened to cover ``text``.

    The text between two words goes to the first up to the first space or opening punctuation,
    the rest to the second; tiles never start or end with white space.

    >>> text = 'He said: “NATO meets.” 北约表示，将举行'
    >>> [text[a:b] for a, b in tiles(text, [(0, 2), (3, 7), (10, 14), (15, 20), (23, 25), (25, 27), (28, 29)])]
    ['He', 'said:', '“NATO', 'meets.”', '北约', '表示，', '将举行']
    """
    if not spans:
        return []
    cuts = [0]
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        gap = text[end:next_start]
        opening = (i for i, char in enumerate(gap) if char.isspace() or unicodedata.category(char) in _OPENING)
        cuts.append(end + next(opening, len(gap)))
    cuts.append(len(text))
    return [_stripped(text, start, end) for start, end in itertools.pairwise(cuts)]


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


def located(text: str, boundaries: Sequence[Boundary]) -> list[tuple[int, int, Boundary]]:
    """Each boundary found in ``text`` in order, as (start, end, boundary); a boundary that is not a
    piece of the text after the previous one (an engine that reworded it) is left out.

    >>> [(a, b) for a, b, _ in located("Allies meet. Allies", [Boundary(0, 1, "Allies"), Boundary(1, 1, "x"),
    ...                                                        Boundary(2, 1, "Allies")])]
    [(0, 6), (13, 19)]
    """
    found: list[tuple[int, int, Boundary]] = []
    cursor = 0
    for boundary in boundaries:
        start = text.find(boundary.text, cursor) if boundary.text.strip() else -1
        if start >= 0:
            cursor = start + len(boundary.text)
            found.append((start, cursor, boundary))
    return found


def word_cues(text: str, boundaries: Sequence[Boundary], start_ms: int, end_ms: int) -> tuple[Cue, ...]:
    """The words of ``text`` with episode-absolute times, for a clip placed at ``start_ms``–``end_ms``.

    Starts never go back, and each word ends after it starts, before the next one starts and
    inside the segment.

    >>> word_cues("Hi, all.", [Boundary(100, 200, "Hi"), Boundary(250, 900, "all")], 1000, 1800)
    (Cue(start_ms=1100, end_ms=1250, text='Hi,'), Cue(start_ms=1250, end_ms=1800, text='all.'))
    """
    found = [(a, b, bound.offset_ms, bound.offset_ms + bound.duration_ms) for a, b, bound in located(text, boundaries)]
    words = tiled_words(text, [word for timed in found for word in one_by_one(text, timed)])
    if not words:  # no boundaries, or none of them a piece of the text
        return ()
    starts = list(itertools.accumulate((_within(start_ms + begin, start_ms, end_ms) for _, _, begin, _ in words), max))
    ends = [_within(start_ms + end, start_ms, end_ms) for *_, end in words]
    limits = [*starts[1:], end_ms]
    return tuple(
        Cue(begin, min(max(begin, finish), limit), text[a:b])
        for begin, finish, limit, (a, b, _, _) in zip(starts, ends, limits, words, strict=True)
    )


def one_by_one(text: str, timed: Timed) -> list[Timed]:
    """A timed piece of ``text`` as its space-separated words, its time shared by their letters and
    digits; a piece without a space (any piece of Chinese or Japanese) is left as it is.

    espeak-ng times an unstressed word with the next one, as they are spoken ("the season"), so a
    word mark may hold several written words.

    >>> one_by_one("In the season, it", (3, 14, 200, 800))
    [(3, 6, 200, 400), (7, 14, 400, 800)]
    """
    start, end, begin, finish = timed
    words = [(start + match.start(), start + match.end()) for match in re.finditer(r"\S+", text[start:end])]
    if len(words) < 2:
        return [timed]
    weights = [max(1, sum(char.isalnum() for char in text[a:b])) for a, b in words]
    total, span = sum(weights), max(0, finish - begin)
    cuts = [begin + span * done // total for done in itertools.accumulate(weights, initial=0)]
    return [(a, b, cut, next_cut) for (a, b), (cut, next_cut) in zip(words, itertools.pairwise(cuts), strict=True)]


def tiled_words(text: str, words: Sequence[Timed]) -> list[Timed]:
    """``words`` (ascending, each (start, end) in ``text`` and (from, to) in ms) widened to :func:`tiles`;
    words that meet inside a token of a spaced script are one ("9:00", "AT&T").

    >>> tiled_words("At 9:00 sharp", [(0, 2, 0, 90), (3, 4, 100, 300), (5, 7, 310, 500), (8, 13, 520, 900)])
    [(0, 2, 0, 90), (3, 7, 100, 500), (8, 13, 520, 900)]
    >>> tiled_words("（Jens）11月，2024年", [(1, 5, 0, 90), (6, 8, 100, 300), (8, 9, 310, 500), (10, 14, 510, 700)])
    [(0, 6, 0, 90), (6, 8, 100, 300), (8, 10, 310, 500), (10, 15, 510, 700)]
    """
    joined: list[Timed] = []
    for (start, end), (_, _, begin, finish) in zip(tiles(text, [word[:2] for word in words]), words, strict=True):
        if joined and _inside_token(text, joined[-1][1], start):
            first, _, first_begin, last_finish = joined[-1]
            joined[-1] = (first, end, first_begin, max(last_finish, finish))
        else:
            joined.append((start, end, begin, finish))
    return joined


def _inside_token(text: str, end: int, start: int) -> bool:
    """Whether tiles ending at ``end`` and starting at ``start`` meet inside one spaced-script word:
    nothing between them, a letter or digit at the seam, and no wide character there (a Chinese or
    Japanese character is a word of its own, "，" or "。" ends one) nor a bracket or quote."""
    seam = text[end - 1 : start + 1] if end == start else ""
    return len(seam) == 2 and any(char.isalnum() for char in seam) and not any(map(_parts_words, seam))


def _parts_words(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF" or unicodedata.category(char) in _BRACKETS


def _within(value: int, low: int, high: int) -> int:
    return min(max(value, low), high)


def sentence_cues(segment: Segment, words: Sequence[Cue], start_ms: int, end_ms: int) -> tuple[Cue, ...]:
    """The script's sentences as cues, each starting when its first word is heard; spread by length
    when there are no words."""
    if not words:
        return spread_cues(segment.sentences, start_ms, end_ms)
    marks = _character_times(words)
    starts, consumed = [], 0
    for sentence in segment.sentences:
        starts.append(min(_time_at(consumed, marks), end_ms))
        consumed += _letters(sentence)
    ends = [*starts[1:], end_ms]
    timed = zip(starts, ends, segment.sentences, strict=True)
    return tuple(Cue(begin, max(begin, finish), sentence) for begin, finish, sentence in timed)


def _letters(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def _character_times(words: Sequence[Cue]) -> list[tuple[int, int, int, int]]:
    """(first character, last character, start ms, end ms) of each word, counting non-space
    characters, so the script's sentences (which may differ from the text in white space) can be
    laid over the words that tile the text."""
    marks, position = [], 0
    for word in words:
        length = _letters(word.text)
        marks.append((position, position + length, word.start_ms, word.end_ms))
        position += length
    return marks


def _time_at(character: int, marks: Sequence[tuple[int, int, int, int]]) -> int:
    """When the ``character``-th non-space character is heard, interpolated inside its word.

    >>> _time_at(5, [(0, 4, 0, 400), (4, 14, 500, 1500)])
    600
    """
    found = bisect.bisect_right(marks, character, key=lambda mark: mark[1])  # the first mark ending after it
    if found == len(marks):
        return marks[-1][3] if marks else 0
    first, last, start, end = marks[found]
    share = (character - first) / max(1, last - first)
    return start + round(max(0.0, share) * (end - start))


def spread_cues(sentences: Sequence[str], start_ms: int, end_ms: int) -> tuple[Cue, ...]:
    """Time sentences in proportion to their length when the engine gave no boundaries.

    >>> spread_cues(["ab", "cdef"], 0, 600)
    (Cue(start_ms=0, end_ms=200, text='ab'), Cue(start_ms=200, end_ms=600, text='cdef'))
    """
    total = sum(len(sentence) for sentence in sentences) or 1
    cues, consumed = [], 0
    for sentence in sentences:
        begin = start_ms + (end_ms - start_ms) * consumed // total
        consumed += len(sentence)
        cues.append(Cue(begin, start_ms + (end_ms - start_ms) * consumed // total, sentence))
    return tuple(cues)
