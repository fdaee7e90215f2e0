"""The episode is encoded while its clips are made: real espeak clips, real ffmpeg, real MP3s."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from audiocast.audio import ClipArrived, assemble, assemble_as_made
from audiocast.engines.espeak import EspeakEngine
from audiocast.models import Clip, Script
from audiocast.profiles import load_profile
from audiocast.script import build_script
from audiocast.sources import read_source
from audiocast.synth import SynthOptions, synthesize

from .conftest import EXAMPLE

ZH = load_profile("zh-CN")


@pytest.fixture(scope="module")
def example_clips() -> tuple[Script, list[Clip]]:
    script = build_script(read_source(str(EXAMPLE)), ZH)
    return script, synthesize(script, ZH, EspeakEngine(), SynthOptions(jobs=1, cache_dir=None))


def _ffmpeg_writing(path_part: str) -> list[int]:
    """Process ids of every ffmpeg whose command line names ``path_part``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "ffmpeg" in command and path_part in command:
            found.append(int(entry.name))
    return found


def _hand_over(add: ClipArrived, clips: list[Clip], indices: Iterable[int]) -> None:
    for index in indices:
        add(index, clips[index])


def test_the_encoder_writes_the_mp3_before_the_last_clip_is_made(
    example_clips: tuple[Script, list[Clip]], tmp_path: Path
) -> None:
    script, clips = example_clips
    output = tmp_path / "x.mp3"
    grew_meanwhile = []

    def make_clips(add: ClipArrived) -> None:
        _hand_over(add, clips, range(len(clips) - 1))
        deadline = time.monotonic() + 60
        while not (output.exists() and output.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.01)
        grew_meanwhile.append(output.stat().st_size > 0)
        _hand_over(add, clips, [len(clips) - 1])

    assemble_as_made(script, EspeakEngine().sample_rate, output, make_clips)
    assert grew_meanwhile == [True]


def test_clips_that_arrive_out_of_order_make_the_same_episode(
    example_clips: tuple[Script, list[Clip]], tmp_path: Path
) -> None:
    script, clips = example_clips
    in_order = assemble(script, clips, tmp_path / "a.mp3")

    def backwards(add: ClipArrived) -> None:
        _hand_over(add, clips, reversed(range(len(clips))))

    shuffled = assemble_as_made(script, EspeakEngine().sample_rate, tmp_path / "b.mp3", backwards)
    assert shuffled == in_order
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()


def test_a_failure_while_clips_are_made_ends_ffmpeg_and_raises(
    example_clips: tuple[Script, list[Clip]], tmp_path: Path
) -> None:
    script, clips = example_clips
    output = tmp_path / "broken.mp3"
    running = []

    def fail_half_way(add: ClipArrived) -> None:
        _hand_over(add, clips, range(5))
        running.extend(_ffmpeg_writing(str(output)))
        raise RuntimeError("synthesis failed")

    with pytest.raises(RuntimeError, match="synthesis failed"):
        assemble_as_made(script, EspeakEngine().sample_rate, output, fail_half_way)
    assert len(running) == 1  # the encoder was at work while the clips were made
    assert _ffmpeg_writing(str(output)) == []


def test_a_terminate_signal_during_synthesis_leaves_no_encoder_running(tmp_path: Path) -> None:
    article = tmp_path / "long.md"
    body = EXAMPLE.read_text(encoding="utf-8")
    article.write_text(body.replace("<p>", "<p>" + "北约外长会议讨论了乌克兰问题。" * 40 + "<br /><br />"), encoding="utf-8")
    output = tmp_path / "out.mp3"
    command = [sys.executable, "-m", "audiocast", "episode", str(article), "-o", str(output), "--no-cache",
               "--engine", "espeak", "--no-fetch-cover"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not _ffmpeg_writing(str(tmp_path)) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # the encoder starts with the first clip, long before the last
    assert process.poll() is None, "the episode was finished before the encoder was seen"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM, err.decode()
    assert _ffmpeg_writing(str(tmp_path)) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.md"]
