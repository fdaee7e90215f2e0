"""WebVTT and SRT captions from the timeline: sentence cues, at most two short lines each.

A sentence too long for two lines is shown as several cues, cut at commas (or spaces) and timed
in proportion to their length inside the sentence's real time span.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
from collections.abc import Iterable

from ..language import is_cjk
from ..models import Cue, Timeline
from ..text import speakable
from .timecodes import srt_time, vtt_ms, vtt_time

LINE_CHARS = {"cjk": 18, "latin": 42}
"""Caption line widths: about 18 Chinese characters or 42 Latin ones, as broadcast guides advise."""
MAX_LINES = 2

_VTT_TIMING = re.compile(r"((?:\d+:)?\d\d:\d\d\.\d{3}) --> ((?:\d+:)?\d\d:\d\d\.\d{3})")
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


def read_vtt(text: str) -> tuple[Cue, ...]:
    r"""The cues of a WebVTT file :func:`to_vtt` wrote, their lines joined by a line break; text that
    is not a cue (the header, a damaged block) is passed over. ``→`` in a cue may have been ``-->``.

    >>> read_vtt("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nA &lt; B &amp;\nC.\n\n"
    ...          "01:00:01.500 --> 01:00:02.000\nThen →.\n")
    (Cue(start_ms=0, end_ms=1500, text='A < B &\nC.'), Cue(start_ms=3601500, end_ms=3602000, text='Then →.'))
    """
    cues = []
    for block in text.split("\n\n"):
        timing, *lines = block.strip("\n").split("\n")
        if (found := _VTT_TIMING.fullmatch(timing)) and lines:
            cues.append(Cue(vtt_ms(found[1]), vtt_ms(found[2]), html.unescape("\n".join(lines))))
    return tuple(cues)


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

    A word too long for one cue that :func:`_even_parts` keeps whole sets the width of every piece.
    """
    if len(text.strip()) <= max_chars:  # most sentences: no need to weigh cuts
        return [text.strip()] if text.strip() else []
    units = _Units([part for atom in _atoms(text) for part in _even_parts(atom, max_chars)])
    limit = max(max_chars, units.widest())
    return [piece.strip() for piece in units.balanced(limit) if piece.strip()]


class _Units:
    """A cue's text as consecutive units, with the width of any run of them in constant time."""

    def __init__(self, units: list[str]) -> None:
        self.units = units
        self.count = len(units)
        self.ends = list(itertools.accumulate((len(unit) for unit in units), initial=0))
        blank = [not unit.strip() for unit in units]
        self.lead = [len(unit) - len(unit.lstrip()) for unit in units]
        self.trail = [len(unit) - len(unit.rstrip()) for unit in units]
        # first_text[i]: the first unit from i on with visible text; last_text[i]: the last one before i.
        self.first_text = [self.count] * (self.count + 1)
        for index in range(self.count - 1, -1, -1):
            self.first_text[index] = self.first_text[index + 1] if blank[index] else index
        self.last_text = [-1] * (self.count + 1)
        for index in range(1, self.count + 1):
            self.last_text[index] = self.last_text[index - 1] if blank[index - 1] else index - 1

    def width(self, first: int, last: int) -> int:
        """``len("".join(units[first:last]).strip())``, without joining."""
        opening, closing = self.first_text[first], self.last_text[last]
        if opening > closing:
            return 0
        return self.ends[closing + 1] - self.ends[opening] - self.lead[opening] - self.trail[closing]

    def widest(self) -> int:
        return max(self.width(index, index + 1) for index in range(self.count))

    def greedy(self, limit: int) -> list[int]:
        """Where each run starts when units are packed greedily into runs at most ``limit`` wide
        (greedy needs the fewest runs); a unit wider than ``limit`` is a run of its own."""
        starts = [0]
        for last in range(2, self.count + 1):
            if last - 1 > starts[-1] and self.width(starts[-1], last) > limit:
                starts.append(last - 1)
        return starts

    def greedy_from_end(self, limit: int) -> list[int]:
        """Where each run ends when packing greedily from the last unit backwards, ascending."""
        ends = [self.count]
        for first in range(self.count - 2, -1, -1):
            if first + 1 < ends[-1] and self.width(first, ends[-1]) > limit:
                ends.append(first + 1)
        return ends[::-1]

    def balanced(self, most: int) -> list[str]:
        """Split into the fewest runs at most ``most`` wide, the widest run as narrow as possible; of
        the ways to do that, each run ends as early as the runs before it allow.

        Only positions where such a split can cut are visited, and each looks back over one run's
        worth of units, so the work grows linearly with the text.
        """
        count = len(self.greedy(most))
        limit = self._narrowest(count, most)
        starts, ends = self.greedy(limit), self.greedy_from_end(limit)
        best: dict[int, tuple[int, int]] = {0: (0, 0)}  # position → (widest run up to it, previous cut)
        reached: dict[int, list[int]] = {0: [0]}  # runs so far → positions reached with that many
        for position in range(1, self.count + 1):
            runs_before = bisect.bisect_left(starts, position)  # the fewest runs the text before it needs
            runs_after = len(ends) - bisect.bisect_right(ends, position)
            if runs_before + runs_after != count:
                continue
            options = [
                (max(best[start][0], width), start)
                for start in reached.get(runs_before - 1, [])
                if (width := self.width(start, position)) <= limit
            ]
            if options:
                best[position] = min(options)
                reached.setdefault(runs_before, []).append(position)
        cuts = [self.count]
        while cuts[-1]:
            cuts.append(best[cuts[-1]][1])
        return ["".join(self.units[a:b]) for a, b in itertools.pairwise(reversed(cuts))]

    def _narrowest(self, count: int, high: int) -> int:
        """The narrowest width at which ``count`` runs hold every unit, knowing ``high`` will do."""
        low = self.widest()
        while low < high:
            middle = (low + high) // 2
            if len(self.greedy(middle)) <= count:
                high = middle
            else:
                low = middle + 1
        return low


def _even_parts(run: str, max_chars: int) -> list[str]:
    """``run`` in the fewest near-equal parts of at most ``max_chars``; never inside a Latin word or a
    number, and punctuation stays with the words before it.

    >>> _even_parts("美国国务卿布林肯于2023年11月27日抵达", 10)
    ['美国国务卿布林肯', '于2023年11', '月27日抵达']
    >>> _even_parts("NATOUkraineCouncilNATOUkraineCouncil in Brussels", 20)
    ['NATOUkraineCouncilNATOUkraineCouncil', ' in Brussels']

    Only a word more than ``max_chars`` long on both sides of an even cut is cut inside, as a last
    resort, so that no cue is unbounded:

    >>> _even_parts("x" * 25, 10)
    ['xxxxxxxxx', 'xxxxxxxxx', 'xxxxxxx']
    """
    if len(run.strip()) <= max_chars:
        return [run]
    count = -(-len(run) // max_chars)
    size = -(-len(run) // count)
    cuts = sorted({_nearest_cut(run, start, max_chars) for start in range(size, len(run), size)} - {0, len(run)})
    parts = [run[a:b] for a, b in itertools.pairwise([0, *cuts, len(run)])]
    while len(parts) > 1 and not speakable(parts[-1]):
        parts[-2:] = [parts[-2] + parts[-1]]
    return parts


def _nearest_cut(text: str, position: int, reach: int) -> int:
    """The place nearest ``position``, at most ``reach`` away, that does not split a Latin word or a
    number; ``position`` itself when there is none."""
    for distance in range(reach + 1):
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
    anywhere = (i for i in range(1, len(text)) if _splittable(text, i))
    for candidates in (natural, anywhere):
        fitting = [i for i in candidates if len(text[:i].rstrip()) <= width and len(text[i:].strip()) <= width]
        if fitting:
            cut = min(fitting, key=lambda i: abs(len(text) / 2 - i))
            return [text[:cut].rstrip(), text[cut:].strip()]
    return [text]


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "→")
