"""Assembly with real clips from the offline engine: pauses, timeline, voices, encoding."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import audiocast
from audiocast.audio import assemble, decode_clip, mix
from audiocast.engines.espeak import EspeakEngine
from audiocast.errors import AssembleError
from audiocast.models import Clip
from audiocast.profiles import load_profile
from audiocast.script import build_script
from audiocast.sources import read_source, read_text_as_article
from audiocast.synth import SynthOptions, synthesize

from .conftest import EXAMPLE, decode_mp3, rms_dbfs

ZH = load_profile("zh-CN")
NO_CACHE = SynthOptions(jobs=1, cache_dir=None)


@pytest.fixture(scope="module")
def example_clips() -> tuple[audiocast.models.Script, list[Clip]]:
    script = build_script(read_source(str(EXAMPLE)), ZH)
    return script, synthesize(script, ZH, EspeakEngine(), NO_CACHE)


def test_asides_are_read_by_the_aside_voice(example_clips: tuple[audiocast.models.Script, list[Clip]]) -> None:
    script, clips = example_clips
    for segment, clip in zip(script.segments, clips, strict=True):
        expected = ZH.voices["espeak"]["aside" if segment.role == "aside" else "narrator"]
        assert clip.voice == expected
    narrator = EspeakEngine().synthesize_now("图片说明：测试。", ZH.voice_for("espeak", "narrator"))
    aside = EspeakEngine().synthesize_now("图片说明：测试。", ZH.voice_for("espeak", "aside"))
    assert narrator.audio != aside.audio  # the same words sound different


def test_timeline_lays_segments_out_with_the_scripts_pauses(
    example_clips: tuple[audiocast.models.Script, list[Clip]],
) -> None:
    script, clips = example_clips
    timeline = mix(script, clips).timeline
    placed = timeline.placed
    assert placed[0].start_ms == 0
    for before, after in itertools.pairwise(placed):
        assert after.start_ms - before.end_ms in range(before.segment.pause_after_ms - 1,
                                                       before.segment.pause_after_ms + 2)
    assert timeline.duration_ms - placed[-1].end_ms in range(script.segments[-1].pause_after_ms - 1,
                                                             script.segments[-1].pause_after_ms + 2)
    for item, clip in zip(placed, clips, strict=True):
        assert abs((item.end_ms - item.start_ms) - len(decode_clip(clip))) <= 1
        assert all(item.start_ms <= cue.start_ms <= cue.end_ms <= item.end_ms for cue in item.cues)


def test_offline_engine_reports_word_times() -> None:
    text = "第一句话。第二句话！第三句？"
    clip = EspeakEngine().synthesize_now(text, ZH.voice_for("espeak", "narrator"))
    words = [b.text for b in clip.boundaries]
    assert "".join(words) == text and len(words) >= 6  # words of one to three characters, punctuation kept
    assert {"话。", "话！", "句？"} <= {word[-2:] for word in words}  # no word runs over a sentence end
    offsets = [b.offset_ms for b in clip.boundaries]
    second = offsets[next(index for index, word in enumerate(words) if index and word.startswith("第"))]
    assert offsets[0] == 0 and offsets == sorted(offsets) and second > 300


def test_encoded_mp3_is_silent_in_pauses(tmp_path: Path) -> None:
    article = read_text_as_article("Test\n\nOne sentence here.\n\nAnother sentence there.\n", "x")
    profile = load_profile("en-US")
    script = build_script(article, profile)
    clips = synthesize(script, profile, EspeakEngine(), NO_CACHE)
    output = tmp_path / "t.mp3"
    timeline = assemble(script, clips, output, bitrate=32)
    samples = decode_mp3(output)
    for item in timeline.placed[:-1]:
        gap_start, gap_end = item.end_ms + 100, item.end_ms + item.segment.pause_after_ms - 100
        assert rms_dbfs(samples, gap_start, gap_end) < -60
        assert rms_dbfs(samples, item.start_ms, item.end_ms) > -35


def test_truncated_mp3_clip_is_an_assemble_error() -> None:
    with pytest.raises(AssembleError, match="does not decode"):
        decode_clip(Clip(b"ID3\x03\x00garbage" * 10, "mp3", 24000, engine="edge", voice="v"))


def test_public_surface() -> None:
    assert sorted(audiocast.__all__) == [
        "AudiocastError", "EpisodeOptions", "assemble", "build_script", "load_profile", "make_episode",
        "read_source", "synthesize",
    ]
