"""Benchmark: the example article through the online (edge) engine against the fake service.

Run:  .venv/bin/python bench/bench_edge.py

The fake behaves like the real service under load: 300–500 ms before the first audio, then audio
streamed at 15x realtime per connection. Measured, all without a cache unless said:

- sequential: one request after another with the bare engine, as the edge-tts CLI does;
- ``synthesize`` with jobs 1, 4 and 8 (the wrapper: timeouts, retries, clip validation);
- jobs 8 into an empty cache (cold), then the same run again (cached rerun).

Targets (issue 3): jobs 8 at least 4x faster than sequential; a cached rerun under 5% of cold.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fake_edge

from bench_episode import EXAMPLE, timed  # this folder is first on sys.path when run as a script

from audiocast.engines.edge import ENDPOINT_ENV, EdgeEngine
from audiocast.models import Script
from audiocast.profiles import VoiceProfile, profile_for_language
from audiocast.script import build_script
from audiocast.sources import read_source
from audiocast.synth import SynthOptions, synthesize
from tests.fake_edge import LEAD_IN_MS, TAIL_MS, FakeEdge, speech_ms


async def sequential(script: Script, profile: VoiceProfile) -> None:
    """The baseline: the bare engine, one segment after another, nothing cached or checked."""
    engine = EdgeEngine()
    for segment in script.segments:
        await engine.synthesize(segment.text, profile.voice_for("edge", segment.voice))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=15.0, help="audio streamed at N x realtime")
    parser.add_argument("--latency", type=float, nargs=2, default=(0.3, 0.5), help="seconds to first audio")
    args = parser.parse_args()

    article = read_source(str(EXAMPLE))
    profile = profile_for_language(article.language)
    script = build_script(article, profile)
    with FakeEdge(latency=tuple(args.latency), speed=args.speed) as fake, tempfile.TemporaryDirectory() as cache:
        os.environ[ENDPOINT_ENV] = fake.wss_url
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

        def run(jobs: int, cache_dir: Path | None = None) -> float:
            options = SynthOptions(jobs=jobs, cache_dir=cache_dir)
            return timed(lambda: synthesize(script, profile, EdgeEngine(), options))[1]

        _, base = timed(lambda: asyncio.run(sequential(script, profile)))
        rows = [("sequential (bare engine, as edge-tts)", base, len(script.segments))]
        for jobs in (1, 4, 8):
            before = len(fake.turns)
            rows.append((f"synthesize --jobs {jobs}", run(jobs), len(fake.turns) - before))
        jobs8 = rows[-1][1]
        before = len(fake.turns)
        cold = run(8, Path(cache))
        rows.append(("--jobs 8, empty cache (cold)", cold, len(fake.turns) - before))
        before = len(fake.turns)
        warm = run(8, Path(cache))
        rows.append(("--jobs 8, cached rerun", warm, len(fake.turns) - before))

    print(
        f"example article: {len(script.segments)} segments, {script.text_length} characters, "
        f"{_audio_seconds(script):.0f} s of audio\n"
        f"fake service: {args.latency[0]:.1f}-{args.latency[1]:.1f} s to first audio, "
        f"then {args.speed:g}x realtime per connection"
    )
    print(f"  {'run':<40}{'wall':>9}{'requests':>10}{'vs sequential':>15}")
    for name, wall, requests in rows:
        print(f"  {name:<40}{wall:>8.2f}s{requests:>10}{base / wall:>14.1f}x")
    speedup, share = base / jobs8, warm / cold
    print(f"jobs 8 vs sequential: {speedup:.1f}x (target >= 4x) {'PASS' if speedup >= 4 else 'FAIL'}")
    print(f"cached rerun vs cold: {share:.1%} (target < 5%) {'PASS' if share < 0.05 else 'FAIL'}")


def _audio_seconds(script: Script) -> float:
    """How much audio the fake serves for ``script``."""
    return sum(LEAD_IN_MS + speech_ms(segment.text) + TAIL_MS for segment in script.segments) / 1000


if __name__ == "__main__":
    main()
