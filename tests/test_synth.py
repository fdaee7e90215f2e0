"""The synthesis wrapper against the fake edge service: each scenario asserts what the user gets.

The real edge-tts client, the real edge engine and the real MP3 decoder run; only the service is
fake. Backoff is shrunk to milliseconds so the retry scenarios stay fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import edge_tts.constants
import pytest

from audiocast.audio import decode_clip
from audiocast.cache import ClipCache, ClipKey
from audiocast.engines.base import Engine
from audiocast.engines.edge import ENDPOINT_ENV, BoundaryKind, EdgeEngine
from audiocast.engines.espeak import EspeakEngine
from audiocast.episode import EpisodeOptions, make_episode
from audiocast.errors import EngineUnavailable, NoAudioError, ProfileError, SynthError, TransientSynthError
from audiocast.feedbuild import BuildOptions, build_feed, load_feed_config
from audiocast.feedbuild import build as feed_build
from audiocast.feedbuild.state import load_state
from audiocast.models import Clip, Segment
from audiocast.profiles import VoiceProfile, load_profile, parse_profile
from audiocast.sources import read_source
from audiocast.synth import MAX_JOBS, SynthOptions, SynthSession, synthesize_async
from tests.conftest import EXAMPLE, ROOT, run_cli
from tests.fake_edge import FRAME_MS, FakeEdge, boundaries, fake_edge, full_clip_ms
from tests.feed_helpers import ARTICLES, write_definition

__all__ = ["fake_edge"]  # the fixture, used by name

FAST = SynthOptions(jobs=1, timeout=2.0, retries=3, backoff=0.005)
ZH = load_profile("zh-CN")
NARRATOR, ASIDE, FALLBACK = "zh-CN-XiaoxiaoNeural", "zh-CN-YunxiNeural", "zh-CN-YunyangNeural"
TURN_CUT = "edge service closed the connection before the end of the turn"
TEXTS = [
    "美国国务卿布林肯周一表示，北约盟国将在布鲁塞尔举行外长会议。",
    "会议将讨论对乌克兰的支持。",
    "图片说明：布林肯在记者会上讲话。",
    "他说，北约的大门仍然敞开。",
]


def segments(texts: Sequence[str] = TEXTS, voice: str = "narrator") -> list[Segment]:
    return [
        Segment("body", text, "zh-CN", "aside" if voice == "aside" else "narrator", 300, (text,), chapter="c")
        for text in texts
    ]


def run(
    texts: Sequence[str] = TEXTS,
    options: SynthOptions = FAST,
    *,
    engine: Engine | None = None,
    profile: VoiceProfile = ZH,
    done: list[int] | None = None,
) -> list[Clip]:
    on_clip = (lambda index, clip, cached: done.append(index)) if done is not None else None
    coroutine = synthesize_async(segments(texts), profile, engine or EdgeEngine(), options, on_clip)
    return asyncio.run(asyncio.wait_for(coroutine, 30))


def without_fallback(profile: VoiceProfile) -> VoiceProfile:
    voices = {engine: {k: v for k, v in roles.items() if k != "fallback"} for engine, roles in profile.voices.items()}
    return dataclasses.replace(profile, voices=voices)


def test_normal_clips_come_back_in_script_order_with_one_callback_each(fake_edge: FakeEdge) -> None:
    done: list[int] = []
    texts = [f"第{number}段。" + TEXTS[number % 4] for number in range(8)]

    clips = run(texts, dataclasses.replace(FAST, jobs=4), done=done)

    assert ["".join(b.text for b in clip.boundaries[:3]) for clip in clips] == [f"第{number}段" for number in range(8)]
    assert sorted(done) == list(range(8))
    assert all(clip.voice == NARRATOR for clip in clips)
    assert 2 <= fake_edge.max_active <= 4
    assert len(fake_edge.turns) == 8


def test_jobs_are_bounded() -> None:
    with pytest.raises(ValueError, match=f"jobs must be between 1 and {MAX_JOBS}"):
        SynthOptions(jobs=MAX_JOBS + 1)
    with pytest.raises(ValueError):
        SynthOptions(jobs=0)


def test_403_once_then_fine(fake_edge: FakeEdge) -> None:
    fake_edge.script("403")

    [clip] = run(TEXTS[:1])

    assert clip.audio and fake_edge.handshakes == 2  # edge-tts's own clock-skew retry absorbed it


def test_403_always_fails_with_one_line_naming_the_segment(fake_edge: FakeEdge) -> None:
    fake_edge.script(*["403"] * 20)

    with pytest.raises(TransientSynthError) as raised:
        run(TEXTS[:1])

    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("segment 1 of 1 (body, '美国国务卿布林肯周一表示，北约盟国将在布鲁塞尔…'): ")
    assert "edge service refused the request (HTTP 403)" in message
    assert message.endswith("gave up after 4 attempts; rerun to try again, or use --engine espeak")
    assert fake_edge.handshakes == 8  # 4 attempts, each with edge-tts's one 403 retry
    assert not fake_edge.turns


def test_429_and_503_then_fine(fake_edge: FakeEdge, caplog: pytest.LogCaptureFixture) -> None:
    fake_edge.script("429", "503")

    with caplog.at_level(logging.INFO, logger="audiocast.synth"):
        [clip] = run(TEXTS[:1])

    assert len(decode_clip(clip)) > 3000
    assert fake_edge.handshakes == 3
    retries = [r.getMessage() for r in caplog.records if r.name.startswith("audiocast")]
    assert "HTTP 429" in retries[0] and "attempt 2 of 4" in retries[0]
    assert "HTTP 503" in retries[1] and "attempt 3 of 4" in retries[1]


def test_no_audio_is_retried(fake_edge: FakeEdge) -> None:
    fake_edge.script("no_audio", "no_audio")

    [clip] = run(TEXTS[:1])

    assert clip.voice == NARRATOR
    assert [turn.action for turn in fake_edge.turns] == ["no_audio", "no_audio", "ok"]


def test_no_audio_always_without_a_fallback_voice_fails(fake_edge: FakeEdge) -> None:
    fake_edge.block_voice(NARRATOR)

    with pytest.raises(NoAudioError, match=f"edge voice {NARRATOR} returned no audio; gave up after 4 attempts"):
        run(TEXTS[:1], profile=without_fallback(ZH))


def test_a_silent_hang_is_cut_by_the_outer_timeout_and_retried(fake_edge: FakeEdge) -> None:
    fake_edge.script("hang")
    started = time.monotonic()

    [clip] = run(TEXTS[:1], dataclasses.replace(FAST, timeout=0.4))

    assert time.monotonic() - started >= 0.4  # waited the timeout out; the fake saw the hang and then a retry
    assert clip.audio and [turn.action for turn in fake_edge.turns] == ["hang", "ok"]


def test_a_hang_on_every_attempt_names_the_timeout(fake_edge: FakeEdge) -> None:
    fake_edge.script(*["hang"] * 3)

    with pytest.raises(TransientSynthError, match=r"no answer within 0\.3 s; gave up after 2 attempts"):
        run(TEXTS[:1], dataclasses.replace(FAST, timeout=0.3, retries=1))


def test_a_close_before_turn_end_is_caught_as_truncation_and_retried(
    fake_edge: FakeEdge, caplog: pytest.LogCaptureFixture
) -> None:
    fake_edge.script("truncate")

    with caplog.at_level(logging.INFO, logger="audiocast.synth"):
        [clip] = run(TEXTS[:1])

    assert [turn.action for turn in fake_edge.turns] == ["truncate", "ok"]
    assert len(decode_clip(clip)) >= clip.boundaries[-1].offset_ms + clip.boundaries[-1].duration_ms
    [retry] = [r.getMessage() for r in caplog.records if r.name == "audiocast.synth"]
    assert retry.startswith(f"{TURN_CUT} (after ")


def test_truncation_every_time_fails(fake_edge: FakeEdge) -> None:
    fake_edge.fail_text("北约", "truncate")

    with pytest.raises(TransientSynthError, match=rf"{TURN_CUT} \(after \d+ bytes of its audio\); gave up after 4"):
        run(TEXTS[:1])


def test_a_blocked_voice_is_replaced_by_the_fallback_for_the_rest_of_the_run(
    fake_edge: FakeEdge, caplog: pytest.LogCaptureFixture
) -> None:
    fake_edge.block_voice(NARRATOR)

    with caplog.at_level(logging.WARNING):
        clips = run(TEXTS * 2)

    assert [clip.voice for clip in clips] == [FALLBACK] * 8
    tried = Counter(turn.voice for turn in fake_edge.turns)
    assert tried[FALLBACK] == 8
    assert 4 <= tried[NARRATOR] < 4 * 8  # segments stop trying the silent voice once one gave up on it
    [warning] = [r.getMessage() for r in caplog.records if r.name.startswith("audiocast")]
    assert (
        warning == f"edge voice {NARRATOR} returned no audio; reading its segments with the fallback voice {FALLBACK}"
    )


def test_a_blocked_fallback_too_fails_naming_the_fallback(fake_edge: FakeEdge) -> None:
    fake_edge.block_voice(NARRATOR)
    fake_edge.block_voice(FALLBACK)

    with pytest.raises(NoAudioError, match=f"edge voice {FALLBACK} returned no audio"):
        run(TEXTS[:1])


def test_slow_responses_are_waited_for_not_retried_and_overlap(fake_edge: FakeEdge) -> None:
    fake_edge.slow_delay = 0.25
    fake_edge.script(*["slow"] * 8)

    clips = run(TEXTS * 2, dataclasses.replace(FAST, jobs=4, timeout=2.0))

    assert len(clips) == 8 and fake_edge.handshakes == 8  # waited for, never retried
    assert 2 <= fake_edge.max_active <= 4  # overlapping, never more than --jobs (a count, not a clock)


def test_a_failure_cancels_the_rest_and_keeps_finished_clips_cached(fake_edge: FakeEdge, tmp_path: Path) -> None:
    options = dataclasses.replace(FAST, cache_dir=tmp_path, retries=0, timeout=2.0)  # time for the others to finish on a busy machine
    fake_edge.fail_text("敞开", "hang")

    with pytest.raises(TransientSynthError, match=r"^segment 4 of 4 .*rerun to resume from the cached clips"):
        run(TEXTS, options)
    fake_edge.reset()
    clips = run(TEXTS, options)

    assert [turn.text for turn in fake_edge.turns] == [TEXTS[3]]  # only the missing clip is made
    assert len(clips) == 4


def test_the_offline_engine_passes_the_same_checks_at_any_rate(tmp_path: Path) -> None:
    english = load_profile("en-US")
    texts = ["Photo caption:", "NATO foreign ministers meet in Brussels on Tuesday.", "2023"]
    for rate in ("-50%", "+0%", "+100%"):
        options = dataclasses.replace(FAST, rate=rate, jobs=2, retries=0)
        chinese = run(TEXTS, options, engine=EspeakEngine())
        latin = run(texts, options, engine=EspeakEngine(), profile=english)
        assert [clip.format for clip in chinese + latin] == ["pcm_s16le"] * 7


def test_a_non_transient_error_is_not_retried(fake_edge: FakeEdge) -> None:
    broken = dataclasses.replace(ZH, voices={**ZH.voices, "edge": {"narrator": "not-a-voice", "aside": ASIDE}})

    with pytest.raises(SynthError, match=r"^segment 1 of 1 .*'not-a-voice' is not an edge voice") as raised:
        run(TEXTS[:1], profile=broken)

    assert not isinstance(raised.value, TransientSynthError)
    assert "gave up" not in str(raised.value)
    assert fake_edge.handshakes == 0


# --- rates are checked before anything is synthesised -----------------------------------------


@pytest.mark.parametrize("rate", ["fast", "15%", "+1.5%", "-100%", "-150%", "-51%", "+101%", "+300%"])
def test_a_rate_voices_do_not_honour_is_refused_up_front(rate: str) -> None:
    with pytest.raises(ValueError, match=r"^rate must (look like \+10% or -10%|be between -50% and \+100%), got "):
        SynthOptions(rate=rate)


def test_the_rate_range_ends_are_accepted() -> None:
    assert [SynthOptions(rate=rate).rate for rate in ("-50%", "+100%")] == ["-50%", "+100%"]


def test_the_episode_command_refuses_a_rate_out_of_range_as_a_usage_error(tmp_path: Path) -> None:
    mp3 = tmp_path / "x.mp3"
    common: list[str | Path] = ["episode", EXAMPLE, "-o", mp3, "--engine", "espeak", "--no-cache"]

    result = run_cli(*common, "--no-fetch-cover", "--rate=-100%")

    assert result.code == 2, result.err
    assert "rate must be between -50% and +100%, got '-100%'" in result.err
    assert "synthesis failed unexpectedly" not in result.err
    assert not mp3.exists()


def test_a_profile_rate_out_of_range_is_refused_naming_the_file_and_key() -> None:
    text = (ROOT / "voices" / "zh-CN.toml").read_text(encoding="utf-8")
    assert 'rate = "+0%"' in text

    with pytest.raises(
        ProfileError, match=r"^mine\.toml: \[prosody\] rate must be between -50% and \+100%, got '\+300%'"
    ):
        parse_profile(text.replace('rate = "+0%"', 'rate = "+300%"'), origin="mine.toml")


# --- a service that cannot be reached: one line, quickly ----------------------------------------


@pytest.fixture
def dead_endpoint(monkeypatch: pytest.MonkeyPatch) -> str:
    """An endpoint on a loopback port nothing listens on; returns its host:port."""
    from tests.test_edge_engine import closed_port

    host = f"127.0.0.1:{closed_port()}"
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://{host}/consumer/speech/synthesize/readaloud/edge/v1")
    monkeypatch.setattr("edge_tts.communicate.WSS_URL", edge_tts.constants.WSS_URL)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    return host


def test_a_dead_service_stops_the_run_after_one_backoff_with_one_line(
    dead_endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    texts = [f"第{number}段。" + TEXTS[number % 4] for number in range(28)]
    started = time.monotonic()

    with caplog.at_level(logging.INFO), pytest.raises(EngineUnavailable) as raised:
        run(texts, SynthOptions(jobs=4, backoff=0.5))  # the default retries, a short backoff

    assert time.monotonic() - started < 2  # one backoff (0.25-0.5 s), not 28 segments' worth of retries
    message = str(raised.value)
    assert message.startswith(f"cannot connect to the edge service at {dead_endpoint} (")
    assert re.search(
        r"; stopped after \d+ failed connections in a row; check the network, or use --engine espeak", message
    )
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []  # retries are at debug level


def test_the_episode_command_against_a_dead_service_prints_one_line(dead_endpoint: str, tmp_path: Path) -> None:
    started = time.monotonic()

    result = run_cli("episode", EXAMPLE, "-o", tmp_path / "x.mp3", "--engine", "edge", "--no-cache", "--no-fetch-cover")

    assert time.monotonic() - started < 5  # the first retry, after about a second, trips the breaker
    assert result.code == 1
    [line] = result.err.splitlines()
    assert line.startswith(f"error: cannot connect to the edge service at {dead_endpoint} (")
    assert line.endswith("or use --engine espeak to read offline")
    assert not (tmp_path / "x.mp3").exists()


def test_a_service_that_comes_up_within_one_backoff_is_not_given_up_on(dead_endpoint: str) -> None:
    port = int(dead_endpoint.split(":")[1])
    fake = FakeEdge(port=port)

    async def start_late() -> list[Clip]:
        run = synthesize_async(segments(), ZH, EdgeEngine(), SynthOptions(jobs=4, backoff=1.0))
        synthesis = asyncio.create_task(run)
        await asyncio.sleep(0.05)  # every first attempt has been refused by now
        await asyncio.to_thread(fake.start)
        return await asyncio.wait_for(synthesis, 30)

    try:
        clips = asyncio.run(start_late())
    finally:
        fake.stop()

    assert len(clips) == 4 and len(fake.turns) == 4


def test_one_kind_of_trouble_on_many_segments_is_logged_once(
    fake_edge: FakeEdge, caplog: pytest.LogCaptureFixture
) -> None:
    fake_edge.script("503", "503", "503", "503")

    with caplog.at_level(logging.DEBUG, logger="audiocast.synth"):
        clips = run(TEXTS, dataclasses.replace(FAST, jobs=4))

    assert len(clips) == 4 and fake_edge.handshakes == 8
    retries = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "audiocast.synth"]
    assert len(retries) == 4 and all("edge service is failing (HTTP 503)" in message for _, message in retries)
    assert [level for level, _ in retries].count(logging.INFO) == 1


# --- decode once; cached clips are not checked again ------------------------------------------------


def test_a_fresh_clip_comes_back_decoded_and_the_cache_keeps_the_engine_mp3(
    fake_edge: FakeEdge, tmp_path: Path
) -> None:
    [clip] = run(TEXTS[:1], dataclasses.replace(FAST, cache_dir=tmp_path))

    assert (clip.format, clip.sample_rate, clip.voice) == ("pcm_s16le", 24000, NARRATOR)
    assert "".join(b.text for b in clip.boundaries) == TEXTS[0].replace("，", "").replace("。", "")  # its words
    stored = ClipCache(tmp_path).get(ClipKey.of(EdgeEngine(), ZH.voice_for("edge", "narrator"), TEXTS[0]))
    assert stored is not None
    assert stored.format == "mp3" and stored.audio.startswith(b"\xff\xf3")  # 24 kHz / 48 kbps frames
    assert len(stored.audio) < len(clip.audio) / 7  # the compact audio, not the 384 kbps PCM
    assert abs(len(decode_clip(stored)) - len(decode_clip(clip))) <= 1


class _Decodes:
    """Counts ffmpeg runs that decode (no libmp3lame in the command), via a process audit hook."""

    installed: _Decodes | None = None

    def __init__(self) -> None:
        self.count = 0

    @classmethod
    def counter(cls) -> _Decodes:
        if cls.installed is None:  # audit hooks cannot be removed: one for the session
            cls.installed = cls()
            sys.addaudithook(cls.installed.hook)
        return cls.installed

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "subprocess.Popen" and "ffmpeg" in str(args[0]) and "libmp3lame" not in args[1]:
            self.count += 1


@pytest.fixture
def decodes() -> Iterator[_Decodes]:
    counter = _Decodes.counter()
    counter.count = 0
    yield counter


def test_an_episode_decodes_each_clip_once_fresh_or_cached(
    fake_edge: FakeEdge, tmp_path: Path, decodes: _Decodes
) -> None:
    article = read_source(str(EXAMPLE))
    options = EpisodeOptions(engine="edge", fetch_cover=False, synth=SynthOptions(jobs=4, cache_dir=tmp_path / "c"))

    cold = make_episode(article, tmp_path / "a.mp3", options)
    cold_decodes, decodes.count = decodes.count, 0
    rerun = make_episode(article, tmp_path / "b.mp3", options)

    segments = len(cold.script.segments)
    assert len(fake_edge.turns) == segments
    assert cold_decodes == segments  # in validation only; assembly gets the PCM
    assert decodes.count == segments  # each cached MP3 in assembly only, not validated again
    assert rerun.duration_ms == cold.duration_ms
    assert rerun.timeline == cold.timeline


# --- callers learn which clips were synthesised ----------------------------------------------------


def test_the_callback_says_which_clips_came_from_the_cache(fake_edge: FakeEdge, tmp_path: Path) -> None:
    options = dataclasses.replace(FAST, cache_dir=tmp_path)
    run(TEXTS[:2], options)
    seen: dict[int, bool] = {}

    coroutine = synthesize_async(
        segments(), ZH, EdgeEngine(), options, lambda index, _, cached: seen.update({index: cached})
    )
    asyncio.run(asyncio.wait_for(coroutine, 30))

    assert seen == {0: True, 1: True, 2: False, 3: False}
    assert len(fake_edge.turns) == 4  # two, then the two new ones


# --- no cut-off clip is accepted -------------------------------------------------------------------

META = "美国之音 2023年11月27日"
"""A one-sentence meta line: its only boundary covers it, and its digits make it quick to read."""


def test_a_one_sentence_clip_cut_short_is_retried_and_comes_back_whole(fake_edge: FakeEdge) -> None:
    fake_edge.script("truncate")

    [clip] = run([META])

    assert [turn.action for turn in fake_edge.turns] == ["truncate", "ok"]
    assert abs(len(decode_clip(clip)) - full_clip_ms(META)) <= FRAME_MS


def test_a_cut_turn_in_a_multi_sentence_clip_is_retried_and_comes_back_whole(fake_edge: FakeEdge) -> None:
    text = "美国之音 2023年11月27日报道。北约外长会议 11月28日至29日在 Brussels 举行。"
    fake_edge.script("truncate")

    [clip] = run([text])

    assert [turn.action for turn in fake_edge.turns] == ["truncate", "ok"]
    assert abs(len(decode_clip(clip)) - full_clip_ms(text)) <= FRAME_MS
    assert [boundary.text for boundary in clip.boundaries] == [word for *_, word in boundaries(text, "+0%", True)]


@pytest.mark.parametrize(
    ("text", "boundary", "caught_by"),
    [
        (META, "SentenceBoundary", "too short for 9.0 speech units"),
        ("美国之音 2023年11月27日报道。北约外长会议将于周二举行。", "SentenceBoundary", "its timings stop at character 19 of 32"),
        (META, "WordBoundary", "its timings stop at character 4 of 16"),
    ],
    ids=["one sentence: its pace", "two sentences: its timings", "one sentence's words: their timings"],
)
def test_audio_dropped_in_a_turn_that_ends_properly_is_caught_and_retried(
    fake_edge: FakeEdge, caplog: pytest.LogCaptureFixture, text: str, boundary: BoundaryKind, caught_by: str
) -> None:
    fake_edge.script("drop")

    with caplog.at_level(logging.INFO, logger="audiocast.synth"):
        [clip] = run([text], engine=EdgeEngine(boundary=boundary))

    assert [turn.action for turn in fake_edge.turns] == ["drop", "ok"]
    assert abs(len(decode_clip(clip)) - full_clip_ms(text)) <= FRAME_MS
    [retry] = [r.getMessage() for r in caplog.records if r.name == "audiocast.synth"]
    assert f"edge voice {NARRATOR} sent truncated audio (" in retry and caught_by in retry


def test_an_offline_clip_of_one_very_long_word_is_accepted_without_retry(caplog: pytest.LogCaptureFixture) -> None:
    word = "a" * 10_000  # a hostile one-word title: espeak-ng says it in about 75 s, 133 letters a second

    with caplog.at_level(logging.DEBUG, logger="audiocast.synth"):
        [clip] = run([word], dataclasses.replace(FAST, timeout=0.01), engine=EspeakEngine())

    assert clip.engine == "espeak" and len(decode_clip(clip)) > 60_000  # not timed: a thread cannot be stopped
    assert [r.getMessage() for r in caplog.records if r.name == "audiocast.synth"] == []


def test_retry_lines_appear_once_per_kind_across_a_feed_build(
    fake_edge: FakeEdge, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One episode at a time: the fake draws its refusals in the order handshakes arrive (it learns
    the text only after), so with episodes overlapping, which segment runs out of tries would be a
    matter of timing. The next test overlaps them, with cuts only."""
    monkeypatch.setattr(feed_build, "ONLINE_EPISODES_AT_ONCE", 1)
    fake_edge.cut, fake_edge.refuse, fake_edge.seed = 0.25, 0.3, 7
    definition = write_definition(tmp_path, ARTICLES, engine="edge")

    with caplog.at_level(logging.INFO, logger="audiocast"):
        report = build_feed(load_feed_config(definition), BuildOptions(cache_dir=tmp_path / "cache", jobs=4))

    assert report.episodes == 3
    cut = {turn.text for turn in fake_edge.turns if turn.action == "truncate"}
    assert len(episodes_reading(report.output, cut)) >= 2 and fake_edge.refused >= 2  # each kind, several episodes
    retries = [r.getMessage() for r in caplog.records if r.name == "audiocast.synth"]
    assert sum(line.startswith(TURN_CUT) for line in retries) == 1
    assert sum(line.startswith("edge service is failing (HTTP 503)") for line in retries) == 1
    assert len(retries) == 2, retries


def test_retry_lines_appear_once_per_kind_across_episodes_made_at_once(
    fake_edge: FakeEdge, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Episodes read online are made at once, each in its thread, sharing one session: a kind of
    retry met in several of them at the same time is still one line. Cuts are drawn by text and
    how often it was asked for, so the arrival order does not change which turns are cut."""
    fake_edge.cut, fake_edge.seed, fake_edge.latency = 0.25, 7, (0.02, 0.05)
    definition = write_definition(tmp_path, ARTICLES, engine="edge")

    with caplog.at_level(logging.INFO, logger="audiocast"):
        report = build_feed(load_feed_config(definition), BuildOptions(cache_dir=tmp_path / "cache", jobs=8))

    assert report.episodes == 3
    cut = {turn.text for turn in fake_edge.turns if turn.action == "truncate"}
    assert len(episodes_reading(report.output, cut)) >= 2
    retries = [r.getMessage() for r in caplog.records if r.name == "audiocast.synth"]
    assert len(retries) == 1 and retries[0].startswith(TURN_CUT), retries


def episodes_reading(output: Path, texts: set[str]) -> set[str]:
    """Titles of the episodes whose transcript holds any of ``texts``."""
    state = load_state(output)
    assert state is not None
    return {
        record.episode.title
        for record in state.episodes
        if any(text in (output / record.episode.sidecars["txt"]).read_text(encoding="utf-8") for text in texts)
    }


@pytest.mark.parametrize("rate", ["-50%", "+0%", "+100%"])
def test_genuine_clips_are_never_taken_for_cut_off_before_or_after_the_pace_is_learnt(
    fake_edge: FakeEdge, caplog: pytest.LogCaptureFixture, rate: str
) -> None:
    """Short, numeric and punctuation-heavy texts, judged first by the fixed bound, then by the pace."""
    odd = ["好。", "2023", "1000000000", "……！？", "（美联社照片）", "NATO", META, "G7峰会于2023年5月19日在广岛举行。"]
    options = dataclasses.replace(FAST, jobs=4, rate=rate, session=SynthSession())

    with caplog.at_level(logging.DEBUG, logger="audiocast.synth"):
        before = run(odd, options)
        run(TEXTS * 2, options)  # enough clips to learn the voice's pace
        after = run(odd, options)

    assert [r.getMessage() for r in caplog.records if r.name == "audiocast.synth"] == []
    assert len(fake_edge.turns) == 2 * len(odd) + 2 * len(TEXTS)
    assert [len(decode_clip(clip)) for clip in after] == [len(decode_clip(clip)) for clip in before]
