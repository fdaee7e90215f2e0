"""WebVTT and SRT captions from the timeline: sentence cues, at most two short lines each.

A sentence too long for two lines is shown as several cues, cut at commas (or spaces) and timed
in proportion to their length inside the sentence's real time span.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from ..language import is_cjk
from ..models import Cue, Timeline
from ..script.speech import speakable
from .timecodes import srt_time, vtt_time

LINE_CHARS = {"cjk": 18, "latin": 42}
"""Caption line widths: about 18 Chinese characters or 42 Latin ones, as broadcast guides advise."""
MAX_LINES = 2

_BREAK_AFTER = re.compile(r"[，、,；;：:。！？!?）)”」]\s*|\s+")


def display_cues(timeline: Timeline, language: str) -> list[tuple[Cue, list[str]]]:
    """Every cue of the timeline cut to fit the screen, with its lines."""
    width = LINE_CHARS["cjk" if is_cjk(language) else "latin"]
    result = []
    for cue in timeline.cues:
        for piece in _split_cue(cue, width * MAX_LINES):
            result.append((piece, _wrap(piece.text, width)))
    return result


def to_vtt(timeline: Timeline, language: str) -> str:
    lines = ["WEBVTT", f"Language: {language}", ""]
    for cue, text_lines in display_cues(timeline, language):
        lines += [f"{vtt_time(cue.start_ms)} --> {vtt_time(cue.end_ms)}", *(_vtt_escape(t) for t in text_lines), ""]
    return "\n".join(lines)


def to_srt(timeline: Timeline, language: str) -> str:
    lines: list[str] = []
    for number, (cue, text_lines) in enumerate(display_cues(timeline, language), start=1):
        lines += [str(number), f"{srt_time(cue.start_ms)} --> {srt_time(cue.end_ms)}", *text_lines, ""]
    return "\n".join(lines)


def _split_cue(cue: Cue, max_chars: int) -> list[Cue]:
    """Cut a cue's text into pieces of at most ``max_chars``, sharing its time by length.

    >>> [c.text for c in _split_cue(Cue(0, 900, "一二三，四五六，七八九"), 8)]
    ['一二三，', '四五六，七八九']
    """
    pieces = _pieces(cue.text, max_chars)
    total = sum(len(piece) for piece in pieces)
    span = cue.end_ms - cue.start_ms
    cues, consumed = [], 0
    for piece in pieces:
        start = cue.start_ms + span * consumed // total
        consumed += len(piece)
        cues.append(Cue(start, cue.start_ms + span * consumed // total, piece.strip()))
    return cues


def _pieces(text: str, max_chars: int) -> list[str]:
    """The fewest pieces of at most ``max_chars``, cut at break points and as even as possible.

    Even pieces keep a short tail from hanging alone on a cue; a cut never leaves punctuation
    alone either:

    >>> _pieces("The harbor reopened on Tuesday after a closure, officials said.", 50)
    ['The harbor reopened on Tuesday', 'after a closure, officials said.']
    >>> _pieces("一二三四五六七。", 7)
    ['一二三四', '五六七。']
    """
    units = [part for atom in _atoms(text) for part in _even_parts(atom, max_chars)]
    count = _fewest_groups(units, max_chars)
    return [piece.strip() for piece in _balanced(units, count) if piece.strip()]


def _fewest_groups(units: list[str], max_chars: int) -> int:
    """How many pieces greedy packing needs (greedy is optimal for the count)."""
    groups, length = 0, max_chars + 1
    for unit in units:
        if length + len(unit.rstrip()) <= max_chars:
            length += len(unit)
        else:
            groups, length = groups + 1, len(unit)
    return max(groups, 1)


def _balanced(units: list[str], count: int) -> list[str]:
    """Split ``units`` into ``count`` consecutive groups whose longest is as short as possible."""
    ends = [0]
    for unit in units:
        ends.append(ends[-1] + len(unit))

    def width(first: int, last: int) -> int:
        return len("".join(units[first:last]).strip())

    # best[k][i]: (longest piece, cut positions) for the first i units in k pieces.
    best: list[dict[int, tuple[int, tuple[int, ...]]]] = [{0: (0, ())}]
    for pieces in range(1, count + 1):
        row: dict[int, tuple[int, tuple[int, ...]]] = {}
        for end in range(pieces, len(units) + 1):
            options = [
                (max(longest, width(start, end)), (*cuts, end))
                for start, (longest, cuts) in best[pieces - 1].items()
                if start < end
            ]
            row[end] = min(options)
        best.append(row)
    cuts = (0, *best[count][len(units)][1])
    return ["".join(units[a:b]) for a, b in itertools.pairwise(cuts)]


def _even_parts(run: str, max_chars: int) -> list[str]:
    """``run`` in the fewest near-equal parts of at most ``max_chars``; never inside a Latin word or a
    number, and punctuation stays with the words before it.

    >>> _even_parts("美国国务卿布林肯于2023年11月27日抵达", 10)
    ['美国国务卿布林肯', '于2023年11', '月27日抵达']
    >>> _even_parts("NATOUkraineCouncilNATOUkraineCouncil in Brussels", 20)
    ['NATOUkraineCouncilNATOUkraineCouncil', ' in Brussels']
    """
    if len(run.strip()) <= max_chars:
        return [run]
    count = -(-len(run) // max_chars)
    size = -(-len(run) // count)
    cuts = sorted({_nearest_cut(run, start) for start in range(size, len(run), size)} - {0, len(run)})
    parts = [run[a:b] for a, b in itertools.pairwise([0, *cuts, len(run)])]
    while len(parts) > 1 and not speakable(parts[-1]):
        parts[-2] += parts.pop()
    return parts


def _nearest_cut(text: str, position: int) -> int:
    """The place nearest ``position`` that does not split a Latin word or a number."""
    for distance in range(len(text)):
        for candidate in (position - distance, position + distance):
            if 0 < candidate < len(text) and _splittable(text, candidate):
                return candidate
    return position


def _splittable(text: str, position: int) -> bool:
    before, after = text[position - 1], text[position]
    return not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum())


def _atoms(text: str) -> Iterable[str]:
    start = 0
    for match in _BREAK_AFTER.finditer(text):
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _wrap(text: str, width: int) -> list[str]:
    """At most two lines of at most ``width`` characters, broken near the middle, at punctuation or
    spaces where possible.

    >>> _wrap("The Secretary of State flew to Brussels on Monday for talks.", 42)
    ['The Secretary of State flew to', 'Brussels on Monday for talks.']
    >>> _wrap("周三，布林肯将率领美国代表团前往北约成员国北马其顿，", 18)
    ['周三，布林肯将率领美国代表', '团前往北约成员国北马其顿，']
    """
    if len(text) <= width:
        return [text]
    natural = [match.end() for match in _BREAK_AFTER.finditer(text) if 0 < match.end() < len(text)]
    anywhere = [i for i in range(1, len(text)) if _splittable(text, i)]
    for candidates in (natural, anywhere):
        fitting = [i for i in candidates if len(text[:i].rstrip()) <= width and len(text[i:].strip()) <= width]
        if fitting:
            cut = min(fitting, key=lambda i: abs(len(text) / 2 - i))
            return [text[:cut].rstrip(), text[cut:].strip()]
    return [text]


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "→")
