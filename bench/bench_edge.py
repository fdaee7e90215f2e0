"""Benchmark: the example article through the online (edge) engine against the fake service.

Run:  .venv/bin/python bench/bench_edge.py

The fake behaves like the real service under load: 300–500 ms before the first audio, then audio
streamed at 15x realtime per connection. Measured, all without a cache unless said:

- sequential: one request after another with the bare engine, as the edge-tts CLI does;
- ``synthesize`` with jobs 1, 4 and 8 (the wrapper: timeouts, retries, clip validation);
- jobs 8 into an empty cache (cold), then the same run again (cached rerun);
- end to end: the whole episode (``make_episode``: synthesis, assembly, MP3 encoding, tags,
  sidecars) into an empty cache, then rerun from the cache, with the share of each stage of the
  rerun and the ffmpeg processes each run starts (one per MP3 decode, one for the encode).

Targets (issue 3): jobs 8 at least 4x faster than sequential; a cached rerun under 5% of cold.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fake_edge

from bench_episode import EXAMPLE, timed  # this folder is first on sys.path when run as a script

from audiocast.audio import encode_mp3, mix
from audiocast.engines.edge import ENDPOINT_ENV, EdgeEngine
from audiocast.episode import EpisodeOptions, make_episode
from audiocast.models import Article, Script
from audiocast.profiles import VoiceProfile, profile_for_language
from audiocast.script import build_script
from audiocast.sources import read_source
from audiocast.synth import SynthOptions, synthesize
from tests.fake_edge import LEAD_IN_MS, TAIL_MS, FakeEdge, speech_ms

T = TypeVar("T")
Row = tuple[str, float, int]
"""(run, wall seconds, requests the fake received)."""
EpisodeRow = tuple[str, float, int, int]
"""(run, wall seconds, requests the fake received, ffmpeg processes started)."""


class _FfmpegCount:
    """Counts ffmpeg processes started in this process (an audit hook: nothing is replaced)."""

    def __init__(self) -> None:
        self.started = 0
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "subprocess.Popen" and "ffmpeg" in str(args[0]):
            self.started += 1

    def counted(self, work: Callable[[], T]) -> tuple[T, float, int]:
        before = self.started
        result, wall = timed(work)
        return result, wall, self.started - before


async def sequential(script: Script, profile: VoiceProfile) -> None:
    """The baseline: the bare engine, one segment after another, nothing cached or checked."""
    engine = EdgeEngine()
    for segment in script.segments:
        await engine.synthesize(segment.text, profile.voice_for("edge", segment.voice))


def synth_rows(script: Script, profile: VoiceProfile, fake: FakeEdge, cache: Path) -> list[Row]:
    def run(name: str, jobs: int, cache_dir: Path | None = None) -> Row:
        before = len(fake.turns)
        options = SynthOptions(jobs=jobs, cache_dir=cache_dir)
        wall = timed(lambda: synthesize(script, profile, EdgeEngine(), options))[1]
        return name, wall, len(fake.turns) - before

    _, base = timed(lambda: asyncio.run(sequential(script, profile)))
    rows = [("sequential (bare engine, as edge-tts)", base, len(script.segments))]
    rows += [run(f"synthesize --jobs {jobs}", jobs) for jobs in (1, 4, 8)]
    rows.append(run("--jobs 8, empty cache (cold)", 8, cache))
    rows.append(run("--jobs 8, cached rerun", 8, cache))
    return rows


def episode_rows(article: Article, fake: FakeEdge, cache: Path, ffmpeg: _FfmpegCount) -> list[EpisodeRow]:
    """The whole episode into an empty cache, then again from the cache (the median of 3 reruns)."""
    options = EpisodeOptions(engine="edge", fetch_cover=False, synth=SynthOptions(jobs=8, cache_dir=cache))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        destination = Path(folder) / "x.mp3"
        for name, runs in (("episode --jobs 8, empty cache (cold)", 1), ("episode --jobs 8, cached rerun", 3)):
            before = len(fake.turns)
            measured = [ffmpeg.counted(lambda: make_episode(article, destination, options)) for _ in range(runs)]
            wall = statistics.median(wall for _, wall, _ in measured)
            rows.append((name, wall, (len(fake.turns) - before) // runs, measured[0][2]))
    return rows


def rerun_stages(article: Article, profile: VoiceProfile, cache: Path) -> list[tuple[str, float]]:
    """The cached rerun's stages, each timed on its own (median of 3); tags and sidecars are left out."""
    options = SynthOptions(jobs=8, cache_dir=cache)

    def stages(folder: Path) -> list[float]:
        script, script_s = timed(lambda: build_script(article, profile))
        clips, synth_s = timed(lambda: synthesize(script, profile, EdgeEngine(), options))
        mixed, mix_s = timed(lambda: mix(script, clips))
        _, encode_s = timed(lambda: encode_mp3(mixed.chunks, mixed.sample_rate, folder / "x.mp3", bitrate=64))
        return [script_s, synth_s, mix_s, encode_s]

    with tempfile.TemporaryDirectory() as folder:
        runs = [stages(Path(folder)) for _ in range(3)]
    names = ("script", "clips from the cache", "assembly (decode MP3, level, join)", "encoding (ffmpeg, MP3)")
    return [(name, statistics.median(run[index] for run in runs)) for index, name in enumerate(names)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=15.0, help="audio streamed at N x realtime")
    parser.add_argument("--latency", type=float, nargs=2, default=(0.3, 0.5), help="seconds to first audio")
    args = parser.parse_args()

    article = read_source(str(EXAMPLE))
    profile = profile_for_language(article.language)
    script = build_script(article, profile)
    ffmpeg = _FfmpegCount()
    with (
        FakeEdge(latency=tuple(args.latency), speed=args.speed) as fake,
        tempfile.TemporaryDirectory() as synth_cache,
        tempfile.TemporaryDirectory() as episode_cache,
    ):
        os.environ[ENDPOINT_ENV] = fake.wss_url
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
        rows = synth_rows(script, profile, fake, Path(synth_cache))
        episodes = episode_rows(article, fake, Path(episode_cache), ffmpeg)
        stages = rerun_stages(article, profile, Path(episode_cache))

    print(
        f"example article: {len(script.segments)} segments, {script.text_length} characters, "
        f"{_audio_seconds(script):.0f} s of audio\n"
        f"fake service: {args.latency[0]:.1f}-{args.latency[1]:.1f} s to first audio, "
        f"then {args.speed:g}x realtime per connection"
    )
    base = rows[0][1]
    print(f"  {'synthesis only':<40}{'wall':>9}{'requests':>10}{'vs sequential':>15}")
    for name, wall, requests in rows:
        print(f"  {name:<40}{wall:>8.2f}s{requests:>10}{base / wall:>14.1f}x")
    print(f"  {'whole episode (make_episode)':<40}{'wall':>9}{'requests':>10}{'ffmpeg runs':>15}")
    for name, wall, requests, processes in episodes:
        print(f"  {name:<40}{wall:>8.2f}s{requests:>10}{processes:>15}")
    staged = sum(seconds for _, seconds in stages)
    print("  cached episode rerun, stages timed on their own (median of 3), share of their sum:")
    for name, seconds in stages:
        print(f"    {name:<38}{seconds:>6.3f} s {100 * seconds / staged:>6.1f}%")
    speedup, share = base / rows[3][1], rows[5][1] / rows[4][1]
    print(f"jobs 8 vs sequential: {speedup:.1f}x (target >= 4x) {'PASS' if speedup >= 4 else 'FAIL'}")
    print(f"cached rerun vs cold (synthesis): {share:.1%} (target < 5%) {'PASS' if share < 0.05 else 'FAIL'}")
    episode_share = episodes[1][1] / episodes[0][1]
    print(f"cached rerun vs cold (whole episode): {episode_share:.1%}")


def _audio_seconds(script: Script) -> float:
    """How much audio the fake serves for ``script``."""
    return sum(LEAD_IN_MS + speech_ms(segment.text) + TAIL_MS for segment in script.segments) / 1000


if __name__ == "__main__":
    main()
