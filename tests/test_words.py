"""Word timings: both engines' words in the timeline and in the Podcasting 2.0 JSON transcript.

Real parts throughout: espeak-ng in process, the real edge-tts client against the fake service,
the MP3 decoded back for its length, the JSON parsed back.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.mp3 import MP3

from audiocast.episode import EpisodeOptions, make_episode
from audiocast.models import Article, Block, Boundary, Cue, Episode
from audiocast.sources import read_source
from audiocast.synth import SynthOptions
from audiocast.timing import word_cues

from .conftest import DATA, EXAMPLE
from .fake_edge import FakeEdge, boundaries, fake_edge
from .test_captions_props import _TEXTS, without_spaces

__all__ = ["fake_edge"]  # the fixture

ENGLISH = Article(
    id="words", title="Allies meet in Brussels", link="https://example.org/allies",
    published=dt.datetime(2024, 5, 2, tzinfo=dt.UTC), source_name="Example News", language="en-US",
    blocks=(
        Block("paragraph", "Foreign ministers met on Tuesday. They spoke about support for Ukraine, AT&T said."),
        Block("paragraph", "The talks end on Wednesday."),
    ),
)  # fmt: skip
CHINESE = Article(
    id="ci", title="北约外长会议", link="https://example.org/nato",
    published=dt.datetime(2024, 5, 2, tzinfo=dt.UTC), source_name="示例新闻", language="zh-CN",
    blocks=(Block("paragraph", "北约外长周二在布鲁塞尔举行会议。会议讨论了对乌克兰的支持。"),),
)  # fmt: skip


def _episode(article: Article, folder: Path, engine: str, cache: Path | None = None) -> Episode:
    options = EpisodeOptions(engine=engine, fetch_cover=False, synth=SynthOptions(jobs=1, cache_dir=cache))
    return make_episode(article, folder / "episode.mp3", options)


def _json_transcript(episode: Episode) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(episode.sidecars["words"]).read_text(encoding="utf-8"))
    return document


def _check_words(episode: Episode) -> list[dict[str, Any]]:
    """The JSON transcript's words: valid, in order, inside the audio and inside their segments;
    each sentence cue starts with a word."""
    document = _json_transcript(episode)
    assert Path(episode.sidecars["words"]).name == "episode.transcript.json"
    assert set(document) == {"version", "segments"} and document["version"] == "1.0.0"
    segments: list[dict[str, Any]] = document["segments"]
    assert all(set(entry) == {"speaker", "startTime", "endTime", "body"} for entry in segments)
    seconds = float(MP3(episode.audio_path).info.length)  # type: ignore[no-untyped-call, attr-defined]
    starts = [entry["startTime"] for entry in segments]
    assert starts == sorted(starts) and starts[0] >= 0
    assert all(e["startTime"] <= e["endTime"] <= seconds for e in segments)
    assert all(a["endTime"] <= b["startTime"] for a, b in itertools.pairwise(segments))
    words = [word for item in episode.timeline.placed for word in item.words]
    assert [(w.start_ms / 1000, w.end_ms / 1000, w.text) for w in words] == [
        (e["startTime"], e["endTime"], e["body"]) for e in segments
    ]
    for item in episode.timeline.placed:
        assert item.words, f"no words for {item.segment.text!r}"
        assert all(item.start_ms <= w.start_ms <= w.end_ms <= item.end_ms for w in item.words)
        assert {cue.start_ms for cue in item.cues} <= {word.start_ms for word in item.words}
        assert "".join("".join(w.text for w in item.words).split()) == "".join(item.segment.text.split())
    assert {e["speaker"] for e in segments} <= {"narrator", "aside"}
    return segments


def test_an_offline_english_episode_times_every_word(tmp_path: Path) -> None:
    episode = _episode(read_source(str(DATA / "read" / "english_voa.html")), tmp_path, "espeak")

    segments = _check_words(episode)
    text_words = [word for item in episode.timeline.placed for word in item.segment.text.split()]
    assert abs(len(segments) - len(text_words)) <= len(text_words) // 20  # a word spoken as two may stay two
    assert [e["body"] for e in segments][:4] == ["Blinken", "heads", "to", "Brussels"]
    assert "Mr." in [e["body"] for e in segments]  # its punctuation with it, and no sentence end
    assert segments[-1]["startTime"] > 30


def test_an_offline_english_episode_has_one_entry_per_written_word(tmp_path: Path) -> None:
    """espeak-ng times an unstressed word with the next ("the season" is one word mark); the JSON
    transcript still has each written word as an entry of its own, timed inside that mark."""
    episode = _episode(read_source(str(DATA / "read" / "english_voa.html")), tmp_path, "espeak")

    segments = _check_words(episode)
    bodies = [e["body"] for e in segments]
    assert bodies == [word for item in episode.timeline.placed for word in item.segment.text.split()]
    pairs = [(e, next_e) for e, next_e in itertools.pairwise(segments) if e["body"].lower() == "the"]
    assert len(pairs) >= 3  # "the" and the word it is spoken with, each its own stretch of audio
    assert all(the["startTime"] < the["endTime"] <= noun["startTime"] < noun["endTime"] for the, noun in pairs)


def test_an_offline_chinese_episode_times_words_of_a_few_characters(tmp_path: Path) -> None:
    episode = _episode(read_source(str(EXAMPLE)), tmp_path, "espeak")

    segments = _check_words(episode)
    han = sum(1 for item in episode.timeline.placed for char in item.segment.text if "\u4e00" <= char <= "\u9fff")
    bodies = [e["body"] for e in segments]
    assert han / 3 < len(segments) <= han  # one to three characters a word, numbers whole
    assert max(len(re.findall(r"[\u4e00-\u9fff]", body)) for body in bodies) <= 4
    assert {"2023", "（Antony", "Blinken）", "（NATO-Ukraine", "（VOA），"} <= set(bodies)  # written forms, names whole


@pytest.mark.parametrize("article", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_edge_word_boundaries_time_the_words_and_the_sentences(
    fake_edge: FakeEdge, tmp_path: Path, article: Article
) -> None:
    episode = _episode(article, tmp_path, "edge")

    segments = _check_words(episode)
    assert all(turn.word_boundaries for turn in fake_edge.turns)
    for item in episode.timeline.placed:  # each word starts exactly when the service said one starts
        spoken = [start for start, _, _ in boundaries(item.segment.text, "+0%", words=True)]
        starts = [word.start_ms - item.start_ms for word in item.words]
        assert starts[0] == spoken[0] and set(starts) <= set(spoken) and len(starts) >= len(spoken) * 0.8
    bodies = [e["body"] for e in segments]
    if article is ENGLISH:  # punctuation kept with its word, "AT&T" whole although timed as "AT" and "T"
        assert bodies[bodies.index("They") :][:8] == ["They", "spoke", "about", "support", "for", "Ukraine,", "AT&T",
                                                     "said."]  # fmt: skip
    else:
        assert "|新闻，|2024|年|" in "|".join(["", *bodies, ""])  # a number is no part of a Chinese word
        assert "|会议|讨论|了对|乌克|兰的|支持。|" in "|".join(["", *bodies, ""])  # the fake's pairs of characters


def test_a_rebuild_from_cached_clips_keeps_every_word_and_file(tmp_path: Path, fake_edge: FakeEdge) -> None:
    cache = tmp_path / "cache"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _episode(ENGLISH, tmp_path / "a", "edge", cache)
    turns = len(fake_edge.turns)
    again = _episode(ENGLISH, tmp_path / "b", "edge", cache)

    assert again.clips_synthesized == 0 and len(fake_edge.turns) == turns  # the cache carried the words
    assert again.timeline == first.timeline and all(item.words for item in again.timeline.placed)
    assert set(first.sidecars) == set(again.sidecars) >= {"vtt", "srt", "txt", "chapters", "words"}
    for kind, path in first.sidecars.items():
        assert Path(path).read_bytes() == Path(again.sidecars[kind]).read_bytes(), kind


def test_word_times_stay_in_order_and_inside_the_segment() -> None:
    """An engine's odd report (a word before the last one, one past the clip's end, one reworded)
    still gives words in order inside the segment, covering the text."""
    reported = [Boundary(300, 200, "Allies"), Boundary(100, 100, "meet"), Boundary(900, 100, "Brusels"),
                Boundary(1400, 5000, "Brussels")]  # fmt: skip
    words = word_cues("Allies meet in Brussels.", reported, 1000, 2500)

    assert words == (Cue(1300, 1300, "Allies"), Cue(1300, 1300, "meet"), Cue(2400, 2500, "in Brussels."))


@settings(max_examples=200, deadline=None)
@given(
    text=_TEXTS,
    picks=st.lists(st.tuples(st.integers(0, 10_000), st.integers(-500, 3000), st.integers(-100, 2000)), max_size=80),
    span=st.integers(0, 60_000),
)
def test_any_report_gives_words_that_cover_the_text_in_order_inside_the_segment(
    text: str, picks: list[tuple[int, int, int]], span: int
) -> None:
    """Whatever pieces of the text an engine times, in whatever order and at whatever times, the words
    cover the text once, start in order, and stay inside the segment; every sentence cue starts with
    a word."""
    pieces = re.findall(r"\w+|[^\w\s]+", text)
    reported = [Boundary(offset, duration, pieces[index % len(pieces)]) for index, offset, duration in picks if pieces]
    words = word_cues(text, reported, 1000, 1000 + span)

    if words:
        assert without_spaces("".join(word.text for word in words)) == without_spaces(text)
    assert all(word.text == word.text.strip() and word.text for word in words)
    assert [word.start_ms for word in words] == sorted(word.start_ms for word in words)
    assert all(1000 <= word.start_ms <= word.end_ms <= 1000 + span for word in words)
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(words))


_WORDS = st.lists(st.from_regex(r"[A-Za-z0-9]{1,8}[.,;:!?]?", fullmatch=True), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    written=_WORDS,
    runs=st.lists(st.integers(1, 4), min_size=40, max_size=40),
    times=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 2000)), min_size=40, max_size=40),
    spaces=st.sampled_from([" ", "  ", " \n"]),
)
def test_a_mark_holding_several_words_gives_each_word_inside_the_mark(
    written: list[str], runs: list[int], times: list[tuple[int, int]], spaces: str
) -> None:
    """An engine that times runs of words as one mark ("the season"): each written word is a word of
    its own, in order, inside its mark's time, the mark's time shared without gaps."""
    marks: list[tuple[list[str], int, int]] = []  # the words of each mark and its from/to ms
    clock, taken = 0, 0
    for run, (pause, length) in zip(runs, times, strict=True):
        if taken < len(written):
            marks.append((written[taken : taken + run], clock + pause, clock + pause + length))
            clock, taken = clock + pause + length, taken + run
    text = spaces.join(written)
    reported = [Boundary(begin, end - begin, spaces.join(words)) for words, begin, end in marks]
    cues = word_cues(text, reported, 0, clock)

    assert [cue.text for cue in cues] == written
    spans = [(begin, end) for words, begin, end in marks for _ in words]
    assert all(begin <= cue.start_ms <= cue.end_ms <= end for cue, (begin, end) in zip(cues, spans, strict=True))
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(cues))
    firsts = list(itertools.accumulate((len(words) for words, _, _ in marks), initial=0))
    for (_, begin, end), first, after in zip(marks, firsts, firsts[1:], strict=False):  # its words fill the mark
        assert (cues[first].start_ms, cues[after - 1].end_ms) == (begin, end)
