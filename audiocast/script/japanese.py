"""Japanese as the offline voice can read it: every word in its spoken kana.

espeak-ng reads kana but not kanji: "政府は月曜日、措置を発表した" comes out as Chinese-sounding
syllables at a third of the pace, and the particles は and を as "ha" and "wo". A morphological
analyser (MeCab through fugashi, with the UniDic Lite dictionary) gives each word's pronunciation in
katakana — セーフワゲツヨービ — which espeak-ng reads as Japanese. The online voices read kanji
themselves, so only the offline engine applies this; captions and transcripts keep the written text,
and positions in the reading map back to it (the same ``Spoken`` as spoken numbers).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from .numbers import Spoken, rewritten

READING_VERSION = 1
"""Raised whenever a change makes the same Japanese text sound different (part of the offline
engine's version, so cached clips are made again)."""

_UNKNOWN = {"", "*"}
"""What UniDic gives as the pronunciation of a word it has none for (punctuation, Latin, digits)."""


def japanese_reading(text: str) -> Spoken:
    """``text`` with each word replaced by its pronunciation in katakana.

    >>> reading = japanese_reading("政府は発表した。ABC")
    >>> reading.text, reading.written_position(reading.text.index("ABC"))
    ('セーフワハッピョーシタ。ABC', 8)
    """
    return rewritten(text, _pronunciations(text))


def _pronunciations(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, katakana) of each word of ``text`` whose pronunciation differs from its spelling."""
    cursor = 0
    for word in _tagger()(text):
        surface: str = word.surface
        start = text.find(surface, cursor)
        if start < 0:
            continue
        cursor = start + len(surface)  # past every word found, so a later word is not matched in an earlier one
        pronunciation = word.feature.pron
        if pronunciation is not None and pronunciation not in _UNKNOWN and pronunciation != surface:
            yield start, cursor, pronunciation


@functools.cache
def _tagger() -> Any:
    """MeCab with UniDic Lite, loaded on first use (about 50 ms; only Japanese needs it)."""
    import fugashi

    return fugashi.Tagger()
