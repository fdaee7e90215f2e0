"""The clip cache: keys, atomic entries, damage detection, and reruns that ask the service nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import pytest

from audiocast.audio import decode_clip
from audiocast.cache import ClipCache, ClipKey, default_cache_dir
from audiocast.engines.edge import EdgeEngine
from audiocast.episode import EpisodeOptions, plan
from audiocast.models import Boundary, Clip
from audiocast.sources import read_source
from audiocast.synth import SynthOptions, synthesize_async
from tests.conftest import EXAMPLE, run_cli
from tests.fake_edge import FakeEdge, fake_edge
from tests.test_synth import FAST, TEXTS, ZH, segments

__all__ = ["fake_edge"]  # the fixture, used by name

KEY = ClipKey("edge", "edge-tts 7 mp3", "zh-CN-XiaoxiaoNeural", "+0%", "+0Hz", "+0%", "北约外长会议。")
CLIP = Clip(b"\xff\xf3\x64\xc4" * 100, "mp3", 24000, (Boundary(100, 900, "北约外长会议。"),), "edge", KEY.voice)


def test_a_stored_clip_comes_back_identical(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    cache.put(KEY, CLIP)

    assert cache.get(KEY) == CLIP
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == [f"{KEY.digest}.clip"]  # no temp left


@pytest.mark.parametrize("field", [field.name for field in dataclasses.fields(ClipKey)])
def test_every_part_of_the_key_matters(tmp_path: Path, field: str) -> None:
    cache = ClipCache(tmp_path)
    cache.put(KEY, CLIP)

    other = dataclasses.replace(KEY, **{field: getattr(KEY, field) + "x"})

    assert cache.get(other) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one flipped bit in the audio
        lambda data: data[: len(data) // 2],  # a torn write from another tool
        lambda data: b"",
        lambda data: b"not a cache entry at all",
    ],
    ids=["bit-flip", "torn", "empty", "garbage"],
)
def test_a_damaged_entry_is_never_returned_and_is_removed(
    tmp_path: Path, damage: object, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ClipCache(tmp_path)
    cache.put(KEY, CLIP)
    path = cache.path(KEY)
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))

    with caplog.at_level(logging.WARNING):
        assert cache.get(KEY) is None

    assert not path.exists()
    assert "is damaged; removing it and synthesising again" in caplog.text


def test_an_entry_under_the_wrong_name_is_not_trusted(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    cache.put(KEY, CLIP)
    other = dataclasses.replace(KEY, text="别的句子。")
    cache.path(other).parent.mkdir(parents=True, exist_ok=True)
    cache.path(other).write_bytes(cache.path(KEY).read_bytes())

    assert cache.get(other) is None


def test_an_unwritable_cache_warns_once_then_is_left_alone(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ClipCache(blocker / "cache")

    with caplog.at_level(logging.WARNING):
        cache.put(KEY, CLIP)
        cache.put(dataclasses.replace(KEY, text="别的句子。"), CLIP)

    assert cache.get(KEY) is None
    [warning] = [record.getMessage() for record in caplog.records]
    assert (
        warning
        == f"cannot write the clip cache under {blocker / 'cache'} (Not a directory); not caching clips this run"
    )


def test_an_unwritable_cache_dir_is_one_warning_line_and_the_episode_is_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    mp3 = tmp_path / "x.mp3"
    command: list[str | Path] = ["episode", EXAMPLE, "-o", mp3, "--engine", "espeak", "--cache-dir", blocker / "c"]

    result = run_cli(*command, "--no-fetch-cover")

    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        f"warning: cannot write the clip cache under {blocker / 'c'} (Not a directory); not caching clips this run"
    ]
    assert mp3.stat().st_size > 100_000


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUDIOCAST_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "audiocast"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "audiocast"

    monkeypatch.setenv("AUDIOCAST_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"


def synthesize(options: SynthOptions, texts: list[str] = TEXTS) -> tuple[list[Clip], list[int]]:
    done: list[int] = []
    coroutine = synthesize_async(segments(texts), ZH, EdgeEngine(), options, lambda index, *_: done.append(index))
    return asyncio.run(asyncio.wait_for(coroutine, 30)), done


def test_a_second_run_of_the_same_segments_asks_the_service_nothing(fake_edge: FakeEdge, tmp_path: Path) -> None:
    options = dataclasses.replace(FAST, jobs=4, cache_dir=tmp_path)
    first, _ = synthesize(options)
    assert len(fake_edge.turns) == len(TEXTS)
    fake_edge.reset()

    second, done = synthesize(options)

    assert (fake_edge.handshakes, len(fake_edge.turns)) == (0, 0)
    assert [clip.format for clip in first + second] == ["pcm_s16le"] * len(TEXTS) + ["mp3"] * len(TEXTS)
    assert [decode_clip(clip).raw_data for clip in second] == [clip.audio for clip in first]  # the same sound
    assert [clip.boundaries for clip in second] == [clip.boundaries for clip in first]
    assert sorted(done) == list(range(len(TEXTS)))  # progress still counts every segment


def test_an_overlapping_article_synthesises_only_what_is_new(fake_edge: FakeEdge, tmp_path: Path) -> None:
    options = dataclasses.replace(FAST, cache_dir=tmp_path)
    synthesize(options, TEXTS[:3])
    fake_edge.reset()

    synthesize(options, [*TEXTS[1:], "新的一段。"])

    assert sorted(turn.text for turn in fake_edge.turns) == sorted([TEXTS[3], "新的一段。"])


def test_a_damaged_entry_is_synthesised_again_and_replaced(fake_edge: FakeEdge, tmp_path: Path) -> None:
    options = dataclasses.replace(FAST, cache_dir=tmp_path)
    synthesize(options)
    entry = next(tmp_path.rglob("*.clip"))
    entry.write_bytes(entry.read_bytes()[:-10])
    fake_edge.reset()

    synthesize(options)
    assert len(fake_edge.turns) == 1
    fake_edge.reset()
    synthesize(options)
    assert not fake_edge.turns


def test_without_a_cache_dir_every_run_synthesises(fake_edge: FakeEdge) -> None:
    synthesize(FAST)
    synthesize(FAST)

    assert len(fake_edge.turns) == 2 * len(TEXTS)


def test_a_rerun_after_fallback_finds_the_fallback_clips(fake_edge: FakeEdge, tmp_path: Path) -> None:
    options = dataclasses.replace(FAST, cache_dir=tmp_path)
    fake_edge.block_voice("zh-CN-XiaoxiaoNeural")
    synthesize(options)
    fake_edge.reset()

    clips, _ = synthesize(options)

    assert not fake_edge.turns
    assert {clip.voice for clip in clips} == {"zh-CN-YunyangNeural"}


def test_the_episode_command_rerun_asks_the_service_nothing(fake_edge: FakeEdge, tmp_path: Path) -> None:
    """The real CLI against the fake, found through AUDIOCAST_EDGE_WSS_URL like a user's shell would."""
    command: list[str | Path] = [
        "-q",
        "episode",
        EXAMPLE,
        "-o",
        tmp_path / "a.mp3",
        "--engine",
        "edge",
        "--cache-dir",
        tmp_path / "c",
    ]
    first = run_cli(*command, "--no-fetch-cover")
    assert first.code == 0, first.err
    made = len(fake_edge.turns)
    fake_edge.reset()

    second = run_cli(*command, "--no-fetch-cover")

    assert second.code == 0, second.err
    assert made == len(plan(read_source(str(EXAMPLE)), EpisodeOptions()).segments)
    assert (fake_edge.handshakes, len(fake_edge.turns)) == (0, 0)
    assert (tmp_path / "a.mp3").stat().st_size > 100_000
