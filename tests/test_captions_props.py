"""Properties of caption splitting over arbitrary text: nothing lost, times in order, cues bounded."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from audiocast.models import Cue, Placed, Segment, Timeline
from audiocast.publish.captions import LINE_CHARS, MAX_LINES, display_cues

_WORD = re.compile(r"[A-Za-z0-9]+")
_PIECES = st.sampled_from(["NATO", "Ukraine", "2023", "11.5", "a", "布林肯", "北约外长会议", "，", ",", "。", ". ",
                           "（", "）", "“", "”", " ", " ", "  ", "-", "…", "e\u0301", "\u05e9\u05dc\u05d5\u05dd"])
_LONG_WORDS = st.text(alphabet="abcXYZ0123", min_size=20, max_size=200)
_LONG_RUNS = st.text(alphabet="aZ09北约会", min_size=20, max_size=200)  # CJK with Latin words and numbers inside
_TEXTS = st.lists(st.one_of(_PIECES, _LONG_WORDS, _LONG_RUNS, st.text(min_size=1, max_size=3)), min_size=1, max_size=60).map("".join)


def without_spaces(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=200, deadline=None)
@given(text=_TEXTS, language=st.sampled_from(["en-US", "zh-CN"]), span=st.integers(0, 600_000))
def test_cues_cover_the_text_in_order_and_fit_except_for_long_words(text: str, language: str, span: int) -> None:
    text = text.strip()
    if not text:
        return
    segment = Segment(role="body", text=text, language=language, voice="narrator", pause_after_ms=0, sentences=(text,))
    timeline = Timeline((Placed(segment, 1000, 1000 + span, (Cue(1000, 1000 + span, text),)),), 1000 + span)
    cues = display_cues(timeline, language)
    assert without_spaces("".join(cue.text for cue, _ in cues)) == without_spaces(text)
    assert all(1000 <= cue.start_ms <= cue.end_ms <= 1000 + span for cue, _ in cues)
    assert [cue.start_ms for cue, _ in cues] == sorted(cue.start_ms for cue, _ in cues)
    width = LINE_CHARS["cjk" if language == "zh-CN" else "latin"] * MAX_LINES
    longest_word = max((len(word) for word in _WORD.findall(text)), default=0)
    assert all(len(cue.text) <= 2 * max(width, longest_word) for cue, _ in cues), [c.text for c, _ in cues]
