"""Benchmark: the example article on the offline voice, end to end, and assembly growth.

Run:  .venv/bin/python bench/bench_episode.py [--against FOLDER] [--rounds N]

Prints audio seconds, wall seconds and the realtime factor end to end, the share of each stage,
then the time to lay out 10, 100 and 1000 segments with audiocast's one-pass join against the
naive pydub ``+`` loop (the baseline, run in the same process).

``--against FOLDER`` (another checkout of audiocast, e.g. ``git archive main | tar -x -C FOLDER``)
instead compares the example episode made by that code and by this one, alternating fresh
processes on the same venv ``--rounds`` times, and prints wall and CPU seconds (ffmpeg's
included) of each; on a shared machine only the alternation makes the two comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from audiocast.audio import decode_clip, encode_mp3, mix
from audiocast.engines.espeak import EspeakEngine
from audiocast.episode import EpisodeOptions, make_episode
from audiocast.models import Article, Block, Clip, Script, Segment
from audiocast.profiles import load_profile
from audiocast.script import build_script
from audiocast.sources import read_source
from audiocast.synth import SynthOptions, synthesize

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pydub import AudioSegment

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "voa-blinken-nato-2023-11-27.md"
T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def end_to_end(runs: int = 3) -> None:
    options = EpisodeOptions(engine="espeak", fetch_cover=False, synth=SynthOptions(jobs=1, cache_dir=None))
    walls, audio_s = [], 0.0
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            episode, wall = timed(lambda: make_episode(read_source(str(EXAMPLE)), Path(folder) / "x.mp3", options))
            walls.append(wall)
            audio_s = episode.duration_ms / 1000
    wall = statistics.median(walls)
    print(f"example article, offline voice (median of {runs} runs, no cache)")
    print(f"  audio {audio_s:.1f} s, wall {wall:.2f} s, realtime factor {audio_s / wall:.0f}x")


def stage_shares() -> None:
    profile = load_profile("zh-CN")
    article, read_s = timed(lambda: read_source(str(EXAMPLE)))
    script, script_s = timed(lambda: build_script(article, profile))
    engine = EspeakEngine()
    clips, synth_s = timed(lambda: synthesize(script, profile, engine, SynthOptions(jobs=1, cache_dir=None)))
    mixed, mix_s = timed(lambda: mix(script, clips))
    with tempfile.TemporaryDirectory() as folder:
        _, encode_s = timed(lambda: encode_mp3(mixed.chunks, mixed.sample_rate, Path(folder) / "x.mp3", bitrate=64))
    total = read_s + script_s + synth_s + mix_s + encode_s
    print("  share of time by stage:")
    for name, seconds in (
        ("read + script", read_s + script_s),
        ("synthesis", synth_s),
        ("assembly (decode, join)", mix_s),
        ("levelling + encoding (ffmpeg, MP3)", encode_s),
    ):
        print(f"    {name:<36} {seconds:6.3f} s  {100 * seconds / total:5.1f}%")


def synthetic(count: int) -> tuple[Script, list[Clip]]:
    """``count`` segments of half a second of tone each, with paragraph pauses."""
    clip = asyncio.run(EspeakEngine().synthesize("测试。", load_profile("zh-CN").voice_for("espeak", "narrator")))
    clip = Clip(clip.audio[: clip.sample_rate], "pcm_s16le", clip.sample_rate)  # 0.5 s
    article = Article(
        id="b",
        title="bench",
        link="",
        published=dt.datetime.now(dt.UTC),
        source_name="",
        language="zh-CN",
        blocks=(Block("paragraph", "测试。"),),
    )
    segments = tuple(
        Segment("body", "测试。", "zh-CN", "narrator", 700, ("测试。",), chapter="c" if i == 0 else None)
        for i in range(count)
    )
    return Script(article, "zh-CN", "zh-CN", segments), [clip] * count


def naive_join(script: Script, clips: list[Clip]) -> AudioSegment:
    episode = AudioSegment.empty()
    for segment, clip in zip(script.segments, clips, strict=True):
        episode += decode_clip(clip) + AudioSegment.silent(segment.pause_after_ms, frame_rate=clip.sample_rate)
    return episode


def assembly_growth() -> None:
    print("assembly of N half-second segments (one-pass join vs pydub '+' loop baseline)")
    print(f"  {'N':>5} {'audiocast':>10} {'per seg':>9} {'pydub +':>9} {'ratio':>7}")
    for count in (10, 100, 1000):
        script, clips = synthetic(count)
        _, ours = timed(lambda s=script, c=clips: mix(s, c))  # type: ignore[misc]
        _, naive = timed(lambda s=script, c=clips: naive_join(s, c))  # type: ignore[misc]
        print(f"  {count:>5} {ours:>9.3f}s {1000 * ours / count:>7.2f}ms {naive:>8.3f}s {naive / ours:>6.1f}x")


MEMORY_PROBE = """
import resource, sys, tempfile
from pathlib import Path
from audiocast.episode import EpisodeOptions, make_episode
from audiocast.sources import read_text_as_article
from audiocast.synth import SynthOptions
paragraph = "北约外长会议讨论了对乌克兰的长期援助，以及西巴尔干地区的安全与稳定问题。" * 6
text = "长文章\\n\\n" + "\\n\\n".join([paragraph] * int(sys.argv[1]))
options = EpisodeOptions(engine="espeak", fetch_cover=False, synth=SynthOptions(jobs=1, cache_dir=None))
with tempfile.TemporaryDirectory() as folder:
    episode = make_episode(read_text_as_article(text, "bench"), Path(folder) / "long.mp3", options)
print(episode.duration_ms / 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def memory() -> None:
    """Peak memory of a fresh process making a long episode: it should grow with the audio, once."""
    print("peak memory of one episode (fresh process, offline voice)")
    for paragraphs in (20, 200):
        result = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, str(paragraphs)], capture_output=True, text=True, check=True
        )
        audio_s, peak_mb = (float(value) for value in result.stdout.split())
        pcm_mb = audio_s * 22050 * 2 / 2**20
        print(
            f"  {audio_s / 60:6.1f} min of audio: peak RSS {peak_mb:6.0f} MB "
            f"(the episode's PCM alone is {pcm_mb:4.0f} MB)"
        )


EPISODE_PROBE = """
import resource, sys, tempfile, time
from pathlib import Path
from audiocast.episode import EpisodeOptions, make_episode
from audiocast.sources import read_source
from audiocast.synth import SynthOptions
options = EpisodeOptions(engine="espeak", fetch_cover=False, synth=SynthOptions(jobs=1, cache_dir=None))

def cpu(who):
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime

with tempfile.TemporaryDirectory() as folder:
    make_episode(read_source(sys.argv[1]), Path(folder) / "warm.mp3", options)
    runs = []
    for _ in range(3):
        wall, python, ffmpeg = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
        episode = make_episode(read_source(sys.argv[1]), Path(folder) / "x.mp3", options)
        runs.append((time.perf_counter() - wall, cpu(resource.RUSAGE_SELF) - python,
                     cpu(resource.RUSAGE_CHILDREN) - ffmpeg))
print(episode.duration_ms / 1000, *min(runs))
"""


def compare(against: Path, rounds: int) -> None:
    """The example episode by the code in ``against`` and by this checkout, in alternating processes."""
    here = Path(__file__).resolve().parent.parent
    print(f"example episode, offline voice: {against} against this checkout, {rounds} alternating rounds")
    print("  (each: a fresh process, one warm-up episode, then the fastest of 3; CPU of Python and of ffmpeg)")
    print(f"  {'round':>5} {'code':<10} {'audio':>7} {'wall':>7} {'CPU py':>7} {'ffmpeg':>7} {'realtime':>9}")
    totals: dict[str, list[float]] = {"baseline": [], "this": []}
    for round_ in range(1, rounds + 1):
        for label, folder in (("baseline", against), ("this", here)):
            result = subprocess.run(
                [sys.executable, "-c", EPISODE_PROBE, str(EXAMPLE)],
                capture_output=True, text=True, check=True, cwd=folder,
                env={**os.environ, "PYTHONPATH": str(folder)},
            )  # fmt: skip
            audio_s, wall, python, ffmpeg = (float(value) for value in result.stdout.split())
            totals[label].append(wall)
            print(
                f"  {round_:>5} {label:<10} {audio_s:6.1f}s {wall:6.2f}s {python:6.2f}s {ffmpeg:6.2f}s "
                f"{audio_s / wall:8.0f}x"
            )
    baseline, this = (statistics.median(totals[label]) for label in ("baseline", "this"))
    print(f"  median wall: baseline {baseline:.2f} s, this {this:.2f} s, ratio {baseline / this:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--against", type=Path, help="another audiocast checkout to compare the example episode with")
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    if arguments.against:
        compare(arguments.against.resolve(), arguments.rounds)
        return 0
    end_to_end()
    stage_shares()
    assembly_growth()
    memory()
    return 0


if __name__ == "__main__":
    sys.exit(main())
