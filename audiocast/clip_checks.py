"""Is a clip from an online voice all of its text? The checks that catch audio cut off in transit.

The edge engine itself catches a turn that never ended (the clearest sign). These checks catch
what is left, from the clip alone:

- **timings**: the engine's boundaries say the text is heard later than the audio lasts;
- **coverage**: the boundaries are pieces of the text that stop before its end, and too little
  audio follows the last of them for the rest of the text (a service describes what it has
  spoken; a lost connection loses the rest). The edge engine asks for word boundaries, so this
  judges a clip of one sentence too; with sentence boundaries, a one-sentence clip's only
  boundary covers its text whatever happens to the audio and proves nothing: pace judges those;
- **pace**: the audio is far shorter than this voice takes for that much text. The yardstick is
  :class:`Pace`, the voice's own speed in the clips accepted so far (per engine, voice and
  script), and until it has heard a few, a bound of :data:`FASTEST_UNITS_PER_S`.

Text length is measured in *speech units*: a CJK character is one (about one syllable), any
other letter or digit a quarter, punctuation and spaces nothing. The bound errs long: numbers
("1000000" is three syllables in Chinese) and acronyms are slower than their units, not faster.

Offline clips are never judged: espeak-ng's output is deterministic and cannot be cut in transit.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Callable, Sequence

from .models import Boundary
from .text import is_syllabic
from .timing import located

FASTEST_UNITS_PER_S = 8.0
"""Speech units per second no voice beats at rate +0% before its own pace is known: the edge
voices speak 4–5 CJK characters (or about 15 Latin letters) a second, so this is twice that.
Keep the README's *When the service misbehaves* list in sync."""
OTHER_UNIT = 0.25
"""A Latin letter or a digit, in speech units (four of them are about one syllable)."""
PACE_SHARE = 0.5
"""A clip shorter than this share of what its voice's pace predicts is cut off. A clip cut by
the service is at most about a third through; genuine clips vary far less than twice."""
PACE_SAMPLES = 3
"""Accepted clips of a voice before its own pace replaces the fixed bound."""
LEARN_UNITS = 8.0
"""Shorter clips are not learnt from: their lead-in and tail silences would slow the pace."""
_RECENT = 64
_BOUNDARY_SLACK_MS = 500


def speech_units(text: str) -> float:
    """How much there is to say in ``text``, in speech units.

    >>> speech_units("北约外长会议。"), speech_units("NATO ministers meet"), speech_units("2023年")
    (6.0, 4.25, 2.0)
    """
    units = 0.0
    for char in text:
        if char.isalnum():
            units += 1.0 if is_syllabic(char) else OTHER_UNIT
    return units


def _script_class(text: str) -> str:
    """``cjk`` when most of ``text``'s speech units are CJK characters, else ``other``."""
    cjk = sum(1 for char in text if char.isalnum() and is_syllabic(char))
    return "cjk" if cjk * 2 >= speech_units(text) else "other"


class Pace:
    """How fast each voice has been heard to speak: ms per speech unit at rate +0%, per
    (engine, voice, script class), from the clips accepted so far. One ``Pace`` serves a whole
    feed build, so every episode after the first few clips is judged by the voice itself."""

    def __init__(self) -> None:
        self._heard: dict[tuple[str, str, str], deque[float]] = {}

    def observe(self, engine: str, voice: str, text: str, duration_ms: int, rate_percent: int) -> None:
        """Learn from an accepted clip of ``text`` that lasted ``duration_ms``."""
        units = speech_units(text)
        if units >= LEARN_UNITS:
            heard = self._heard.setdefault((engine, voice, _script_class(text)), deque(maxlen=_RECENT))
            heard.append(duration_ms * (1 + rate_percent / 100) / units)

    def shortest_ms(self, engine: str, voice: str, text: str, rate_percent: int) -> int:
        """The shortest audio still plausible for ``text`` in this voice at ``rate_percent``.

        >>> pace = Pace()
        >>> pace.shortest_ms("edge", "v", "北约外长会议将于周二举行。", 0)  # 12 units at 8 per s
        1500
        >>> for _ in range(3):
        ...     pace.observe("edge", "v", "北约外长会议将于周二举行。", 2640, 0)  # 220 ms a unit
        >>> pace.shortest_ms("edge", "v", "北约外长会议将于周二举行。", 0), pace.shortest_ms("edge", "v", "北约", 100)
        (1320, 110)
        """
        units = speech_units(text)
        heard = self._heard.get((engine, voice, _script_class(text)), ())
        if len(heard) >= PACE_SAMPLES:
            ms_per_unit = PACE_SHARE * statistics.median(heard)
        else:
            ms_per_unit = 1000 / FASTEST_UNITS_PER_S
        return int(units * ms_per_unit / (1 + rate_percent / 100))


def truncation(
    boundaries: Sequence[Boundary], duration_ms: int, text: str, shortest_ms: Callable[[str], int]
) -> str | None:
    """Why audio of ``duration_ms`` cannot be all of ``text``, or None when it is plausible;
    ``shortest_ms`` is the least time the voice can take to say a text (:meth:`Pace.shortest_ms`).

    >>> at_8_per_s = lambda text: int(speech_units(text) * 125)
    >>> truncation((), 3000, "One short sentence.", at_8_per_s) is None
    True
    >>> truncation((Boundary(100, 4000, "One short sentence."),), 1200, "One short sentence.", at_8_per_s)
    'it stops at 1.2 s but its text is spoken until 4.1 s'
    >>> truncation((), 900, "美国国务卿布林肯周一表示，北约盟国将在布鲁塞尔举行外长会议。", at_8_per_s)
    'it lasts 0.9 s, too short for 28.0 speech units'
    >>> truncation((Boundary(100, 900, "第一句。"),), 1100, "第一句。第二句话很长。", at_8_per_s)
    'its timings stop at character 4 of 11, 0.1 s before the audio ends'
    """
    heard_until = max((b.offset_ms + b.duration_ms for b in boundaries), default=0)
    if heard_until > duration_ms + _BOUNDARY_SLACK_MS:
        return f"it stops at {duration_ms / 1000:.1f} s but its text is spoken until {heard_until / 1000:.1f} s"
    covered = covered_until(boundaries, text)
    # The service may leave a sentence untimed, but then its audio still follows the timed ones.
    if covered is not None and duration_ms - heard_until < shortest_ms(text[covered:]):
        left = (duration_ms - heard_until) / 1000
        return f"its timings stop at character {covered} of {len(text)}, {left:.1f} s before the audio ends"
    if duration_ms < shortest_ms(text):
        return f"it lasts {duration_ms / 1000:.1f} s, too short for {speech_units(text):.1f} speech units"
    return None


def covered_until(boundaries: Sequence[Boundary], text: str) -> int | None:
    """Where in ``text`` the last boundary ends, when every boundary is a piece of it in order;
    None when there are none or the engine reworded any (then they prove nothing either way).

    >>> covered_until((Boundary(0, 1, "Allies"), Boundary(1, 1, "meet")), "Allies meet in Brussels.")
    11
    >>> covered_until((Boundary(0, 1, "allies"),), "Allies meet.") is None
    True
    """
    found = located(text, boundaries)
    return found[-1][1] if found and len(found) == len(boundaries) else None
