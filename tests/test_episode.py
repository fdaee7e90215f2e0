"""The example article, end to end on the offline voice: what a listener actually gets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from audiocast.episode import EpisodeOptions, plan
from audiocast.sources import read_source

from .conftest import EXAMPLE, BuiltEpisode, decode_mp3, mp3_info, read_id3, rms_dbfs, run_cli

HEADINGS = ["北约-乌克兰理事会外长会议", "西巴尔干地区", "北马其顿与欧安组织"]
TITLE = "布林肯前往布鲁塞尔，北约加强对乌克兰的承诺"


def vtt_cues(path: Path, line_joiner: str = "") -> list[tuple[int, int, str]]:
    """(start ms, end ms, text) of every cue in a WebVTT file; lines joined as the language writes."""
    cues = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        timing = [line for line in lines if "-->" in line]
        if timing:
            start, end = (_ms(part.strip()) for part in timing[0].split("-->"))
            cues.append((start, end, line_joiner.join(lines[lines.index(timing[0]) + 1 :])))
    return cues


def _ms(stamp: str) -> int:
    hours, minutes, rest = stamp.split(":")
    seconds, millis = rest.split(".")
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def test_summary_line_names_duration_size_chapters_and_files(example_episode: BuiltEpisode) -> None:
    line = example_episode.result.out.splitlines()[0]  # the line after it says how to play (test_playlist.py)
    assert re.fullmatch(rf"{re.escape(str(example_episode.mp3))}: \d+:\d\d, \d+\.\d MB, 4 chapters; beside it: .+", line)
    for suffix in (".vtt", ".srt", ".chapters.json", ".transcript.txt"):
        assert example_episode.sidecar(suffix).name in line
        assert example_episode.sidecar(suffix).stat().st_size > 0


def test_mp3_decodes_and_lasts_as_long_as_the_text_needs(example_episode: BuiltEpisode) -> None:
    samples = decode_mp3(example_episode.mp3)
    seconds = len(samples) / 22050
    script = plan(read_source(str(EXAMPLE)), EpisodeOptions(engine="espeak"))
    pauses = sum(segment.pause_after_ms for segment in script.segments) / 1000
    # Mandarin is spoken at roughly 3-7 characters a second; pauses come on top.
    assert script.text_length / 7 + pauses < seconds < script.text_length / 3 + pauses
    info = mp3_info(example_episode.mp3)
    assert info.channels == 1 and info.bitrate == 64000
    assert abs(info.length - seconds) < 0.2


def test_pauses_are_silent_and_segments_are_speech(example_episode: BuiltEpisode) -> None:
    samples = decode_mp3(example_episode.mp3)
    cues = vtt_cues(example_episode.sidecar(".vtt"))
    heading_start = next(start for start, _, text in cues if text == HEADINGS[0])
    # The heading pause (1200 ms in the zh-CN profile) precedes each heading: the middle of it is silent.
    assert rms_dbfs(samples, heading_start - 900, heading_start - 300) < -60
    assert rms_dbfs(samples, heading_start + 100, heading_start + 900) > -40


def test_chapters_are_the_opening_and_the_three_sections_at_their_cue_times(example_episode: BuiltEpisode) -> None:
    tags = read_id3(example_episode.mp3)
    chapters = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    assert [frame.sub_frames["TIT2"].text[0] for frame in chapters] == [TITLE, *HEADINGS]
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == [frame.element_id for frame in chapters]
    cue_starts = {text: start for start, _, text in vtt_cues(example_episode.sidecar(".vtt"))}
    assert chapters[0].start_time == 0
    for frame, heading in zip(chapters[1:], HEADINGS, strict=True):
        assert frame.start_time == cue_starts[heading]
    ends = [frame.end_time for frame in chapters]
    assert ends[:-1] == [frame.start_time for frame in chapters[1:]]
    json_chapters = json.loads(example_episode.sidecar(".chapters.json").read_text(encoding="utf-8"))
    assert json_chapters["version"] == "1.2.0"
    assert [c["title"] for c in json_chapters["chapters"]] == [TITLE, *HEADINGS]
    assert [round(c["startTime"] * 1000) for c in json_chapters["chapters"]] == [f.start_time for f in chapters]


def test_each_caption_is_read_once_as_an_aside_with_its_lead_in() -> None:
    script = plan(read_source(str(EXAMPLE)), EpisodeOptions(engine="espeak"))
    asides = [segment for segment in script.segments if segment.role == "aside"]
    assert len(asides) == 2
    assert all(segment.voice == "aside" and segment.text.startswith("图片说明：") for segment in asides)
    assert all("美联社照片" not in segment.text for segment in asides)
    spoken = "".join(segment.text for segment in script.segments)
    assert spoken.count("检阅仪仗队") == 1  # the second caption is both alt text and <small>: read once
    assert spoken.count("安德鲁斯空军基地") == 1


def test_transcript_has_nothing_unspeakable(example_episode: BuiltEpisode) -> None:
    transcript = example_episode.sidecar(".transcript.txt").read_text(encoding="utf-8")
    for forbidden in ("http", "weserv", "<", "——"):
        assert forbidden not in transcript
    assert not re.search(r"&\w+;|&#\d+;", transcript)
    assert "安东尼·布林肯（Antony Blinken）" in transcript
    assert transcript.startswith(TITLE + "\n\n美国之音，2023年11月27日\n\n")
    assert transcript.rstrip().endswith("以上是美国之音的报道。")


def test_tags_read_back(example_episode: BuiltEpisode) -> None:
    tags = read_id3(example_episode.mp3)
    assert tags.version == (2, 3, 0)
    assert tags["TIT2"].text == [TITLE]
    assert tags["TPE1"].text == ["美国之音"]
    assert tags["TALB"].text == ["美国之音"]
    assert str(tags["TYER"].text[0]) == "2023" if "TYER" in tags else str(tags["TDRC"].text[0]).startswith("2023")
    assert tags["TLAN"].text == ["chi"]
    assert tags["TCON"].text == ["Podcast"]
    assert tags["WOAS"].url.startswith("https://www.voachinese.com/a/blinken")
    comment = tags.getall("COMM")[0]
    assert comment.text[0].startswith("据美国国务院一名高级官员称")
    lyrics = tags.getall("USLT")[0]
    assert lyrics.text == example_episode.sidecar(".transcript.txt").read_text(encoding="utf-8")
    cover = tags.getall("APIC")[0]
    assert cover.mime == "image/jpeg" and cover.data[:3] == b"\xff\xd8\xff" and len(cover.data) > 10_000


def test_captions_are_sentence_cues_of_at_most_two_short_lines(example_episode: BuiltEpisode) -> None:
    vtt = example_episode.sidecar(".vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    cues = vtt_cues(example_episode.sidecar(".vtt"))
    assert len(cues) > 40
    for block in vtt.split("\n\n")[1:]:
        text_lines = [line for line in block.splitlines() if "-->" not in line and line.strip()]
        assert 1 <= len(text_lines) <= 2
        assert all(len(line) <= 20 for line in text_lines), text_lines
    starts = [start for start, _, _ in cues]
    assert starts == sorted(starts)
    assert all(end >= start for start, end, _ in cues)
    srt = example_episode.sidecar(".srt").read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:00,000 --> ")
    assert srt.count(" --> ") == len(cues)


def test_narrator_and_aside_are_equally_loud(example_episode: BuiltEpisode) -> None:
    samples = decode_mp3(example_episode.mp3)
    cues = vtt_cues(example_episode.sidecar(".vtt"))
    aside = next((start, end) for start, end, text in cues if text.startswith("图片说明"))
    narration = next((start, end) for start, end, text in cues if text.startswith("据美国国务院"))
    assert abs(rms_dbfs(samples, *aside) - rms_dbfs(samples, *narration)) < 3


def test_rate_option_makes_speech_faster(tmp_path: Path) -> None:
    article = tmp_path / "short.txt"
    article.write_text("A short test\n\nThe quick brown fox jumps over the lazy dog. " * 1 + "\n", encoding="utf-8")
    normal, fast = tmp_path / "normal.mp3", tmp_path / "fast.mp3"
    for output, rate in ((normal, "+0%"), (fast, "+50%")):
        result = run_cli("episode", article, "-o", output, "--engine", "espeak", "--rate", rate, "--no-fetch-cover")
        assert result.code == 0, result.err
    assert mp3_info(fast).length < mp3_info(normal).length * 0.9


def test_the_episode_counts_the_clips_it_synthesised(tmp_path: Path) -> None:
    from audiocast.episode import make_episode
    from audiocast.synth import SynthOptions

    article = read_source(str(EXAMPLE))
    options = EpisodeOptions(engine="espeak", fetch_cover=False, synth=SynthOptions(cache_dir=tmp_path / "cache"))
    first = make_episode(article, tmp_path / "a.mp3", options)
    again = make_episode(article, tmp_path / "b.mp3", options)
    assert first.clips_synthesized == len(first.script.segments) > 20
    assert again.clips_synthesized == 0
