"""Captions of long and odd text: every word shown once, in order, on cues that fit the screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audiocast.models import Article, Block, BlockKind, Placed, Script, Timeline
from audiocast.profiles import VoiceProfile, load_profile
from audiocast.publish.captions import LINE_CHARS, MAX_LINES, to_vtt
from audiocast.script import build_script
from audiocast.script.sentences import request_bytes
from audiocast.timing import spread_cues

from .test_episode import vtt_cues

EN, ZH = load_profile("en-US"), load_profile("zh-CN")


def article(title: str, *blocks: Block, language: str = "en-US") -> Article:
    return Article(id="x", title=title, link="https://example.org/a.html",
                   published=dt.datetime(2023, 11, 27, tzinfo=dt.UTC), source_name="VOA", language=language,
                   blocks=blocks or (Block("paragraph", "Officials met on Monday."),))


def timeline_of(script: Script) -> Timeline:
    """Each segment placed one after another, its sentences timed by length (as without boundaries)."""
    placed, position = [], 0
    for segment in script.segments:
        end = position + 80 * len(segment.text)
        placed.append(Placed(segment, position, end, spread_cues(segment.sentences, position, end)))
        position = end + segment.pause_after_ms
    return Timeline(tuple(placed), position)


def shown_cues(script: Script, tmp_path: Path, role: str = "") -> list[tuple[int, int, str]]:
    """The cues of the WebVTT file, lines joined by newlines; only those of ``role``'s segments if given."""
    timeline = timeline_of(script)
    vtt = tmp_path / "captions.vtt"
    vtt.write_text(to_vtt(timeline, script.language), encoding="utf-8")
    spans = [(item.start_ms, item.end_ms) for item in timeline.placed if item.segment.role == role or not role]
    return [cue for cue in vtt_cues(vtt, line_joiner="\n") if any(a <= cue[0] < b for a, b in spans)]


def without_spaces(text: str) -> str:
    return "".join(text.split())


def cut_positions(cues: list[str], text: str) -> list[int]:
    """Where in ``text`` each cue but the last ends (cues drop the spaces they were cut at)."""
    cuts, position = [], 0
    for cue in cues[:-1]:
        for char in without_spaces(cue):
            position = text.index(char, position) + 1
        cuts.append(position)
    return cuts


def test_a_title_over_the_byte_limit_is_cut_into_segments_and_the_first_opens_the_chapter() -> None:
    title = "Harbor council treaty minister weather budget railway summit, officials said on Monday " * 12
    script = build_script(article(title), EN, max_segment_bytes=300)
    titles = [segment for segment in script.segments if segment.role == "title"]
    assert len(titles) >= 4
    assert all(request_bytes(segment.text) <= 300 for segment in titles)
    assert " ".join(segment.text for segment in titles) == title.strip()
    assert [segment.chapter for segment in titles] == [script.article.title] + [None] * (len(titles) - 1)
    assert [segment.ends_paragraph for segment in titles] == [False] * (len(titles) - 1) + [True]
    assert all(segment.text.endswith(",") or segment.text[-1].isalpha() for segment in titles)  # between words


@pytest.mark.parametrize("kind", ["heading", "figure", "quote"])
def test_headings_and_captions_over_the_limit_are_cut_too(kind: BlockKind) -> None:
    long_text = "布林肯周一抵达布鲁塞尔出席北约外长会议并与盟国讨论乌克兰问题" * 20
    script = build_script(article("标题", Block(kind, long_text), Block("paragraph", "正文。"), language="zh-CN"),
                          ZH, max_segment_bytes=300)
    role = {"heading": "heading", "figure": "aside", "quote": "body"}[kind]
    pieces = [segment for segment in script.segments if segment.role == role]
    assert len(pieces) > 1 and all(request_bytes(segment.text) <= 300 for segment in pieces)
    assert long_text in without_spaces("".join(segment.text for segment in pieces))
    if kind == "heading":
        assert [segment.chapter is not None for segment in pieces] == [True] + [False] * (len(pieces) - 1)


@pytest.mark.parametrize(("run", "language", "profile"), [
    ("harborcounciltreatyministerweatherbudget", "en-US", EN),
    ("美国国务卿布林肯周一抵达布鲁塞尔出席北约外长会议", "zh-CN", ZH),
], ids=["latin", "cjk"])
def test_a_ten_thousand_character_one_word_title_is_cut_under_the_limit_and_captioned_whole(
    run: str, language: str, profile: VoiceProfile, tmp_path: Path
) -> None:
    title = (run * (10_000 // len(run) + 1))[:10_000]
    script = build_script(article(title, language=language), profile, max_segment_bytes=3000)
    titles = [segment for segment in script.segments if segment.role == "title"]
    assert len(titles) > 1 and all(request_bytes(segment.text) <= 3000 for segment in titles)
    assert "".join(segment.text for segment in titles) == title
    cues = shown_cues(script, tmp_path)
    assert without_spaces("".join(text for _, _, text in cues)) == without_spaces(
        "".join(segment.text for segment in script.segments))
    width = LINE_CHARS["cjk" if language.startswith("zh") else "latin"]
    assert all(len(text.replace("\n", "")) <= MAX_LINES * width for _, _, text in cues)
    assert [start for start, _, _ in cues] == sorted(start for start, _, _ in cues)


def test_a_long_sentence_is_cut_between_words_and_numbers_and_keeps_every_character(tmp_path: Path) -> None:
    sentence = ("图片说明：2023年11月27日，美国国务卿布林肯抵达马里兰州安德鲁斯空军基地前往布鲁塞尔参加北约外长会议，"
                "会议将讨论对乌克兰的援助和北约-乌克兰理事会（NATO-Ukraine Council）的工作。")
    script = build_script(article("标题", Block("paragraph", sentence * 3), language="zh-CN"), ZH)
    body = [text.replace("\n", "") for _, _, text in shown_cues(script, tmp_path, "body")]
    assert without_spaces("".join(body)) == without_spaces(sentence * 3)  # nothing lost, nothing shown twice
    for cut in cut_positions(body, sentence * 3):
        before, after = (sentence * 3)[cut - 1], (sentence * 3)[cut]
        assert not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()), cut
    assert all(len(cue) <= 2 * LINE_CHARS["cjk"] for cue in body)


def test_a_word_wider_than_a_cue_stays_whole_and_the_rest_is_balanced_around_it(tmp_path: Path) -> None:
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2
    sentence = "The minister said " * 5 + word + " was found in the harbor" * 5 + "."
    script = build_script(article("Title", Block("paragraph", sentence)), EN)
    body = [text.replace("\n", " ") for _, _, text in shown_cues(script, tmp_path, "body")]
    assert " ".join(body) == sentence
    assert any(word in cue for cue in body)
    assert all(len(cue) <= len(word) + 1 for cue in body)
