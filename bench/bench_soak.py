"""Soak: a 100-article Chinese feed read by the online voice from a service that misbehaves.

Run:  .venv/bin/python bench/bench_soak.py [--articles 100] [--refuse 0.10] [--cut 0.05] [--seed 1]

The fake edge service (tests/fake_edge.py, on 127.0.0.1, streaming at once) refuses a share of
connections with HTTP 503 and cuts a share of turns short: it closes the socket before
``turn.end`` after a third of the audio, having sent the timings of what it spoke. The articles
are made as in bench_feed.py (distinct samples of the example article's sentences). The feed is
built by the real CLI, ``audiocast -vv feed build … --engine edge --jobs 8``, in a subprocess.

Then every clip the episodes were assembled from (the clip cache holds exactly those) is measured
(its MP3 frames counted) and compared with the fake's own whole clip for its text, and every
episode's length with the sum of its whole clips and pauses. The run passes only with zero cut-off
clips and episodes. Printed:
what the fake did (refusals, cut turns), what the build printed (retry lines at info level, all
retries at debug level) and what was recovered.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fake_edge

from bench_feed import write_articles, write_definition  # this folder is first on sys.path when run as a script

from audiocast.cache import CACHE_DIR_ENV, ClipCache, ClipKey
from audiocast.engines.edge import ENDPOINT_ENV, EdgeEngine
from audiocast.episode import EpisodeOptions, choose_profile, plan
from audiocast.feedbuild import load_feed_config
from audiocast.feedbuild.sources import read_items
from audiocast.feedbuild.state import load_state
from audiocast.models import Clip
from tests.fake_edge import FRAME_BYTES, FRAME_MS, FakeEdge, full_clip_ms

RETRY = "; retrying in "


@dataclass
class Check:
    """Clips and episodes compared with the fake's whole clips."""

    clips: int = 0
    cut_clips: int = 0
    episodes: int = 0
    cut_episodes: int = 0
    worst: str = ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--refuse", type=float, default=0.10, help="share of connections refused with HTTP 503")
    parser.add_argument("--cut", type=float, default=0.05, help="share of turns closed before turn.end")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, FakeEdge(refuse=args.refuse, cut=args.cut, seed=args.seed) as fake:
        folder = Path(scratch)
        definition = _feed(folder, args.articles)
        environment = {
            **os.environ,
            ENDPOINT_ENV: fake.wss_url,
            CACHE_DIR_ENV: str(folder / "cache"),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        command = [sys.executable, "-m", "audiocast", "-vv", "feed", "build", str(definition), "--engine", "edge"]
        started = time.perf_counter()
        build = subprocess.run([*command, "--jobs", "8"], capture_output=True, text=True, env=environment, check=False)
        wall = time.perf_counter() - started
        if build.returncode != 0:
            print(build.stderr[-3000:], file=sys.stderr)
            return 1
        check = _check(definition, folder / "cache")
        _report(args, fake, build.stderr, wall, check)
    return 0 if check.cut_clips == check.cut_episodes == 0 and check.clips else 1


def _feed(folder: Path, articles: int) -> Path:
    source = folder / "articles"
    source.mkdir()
    write_articles(source, range(1, articles + 1))
    return write_definition(folder, source, engine="edge", keep=articles)


def _check(definition: Path, cache_dir: Path) -> Check:
    """Every clip of every episode against the fake's whole clip for its text."""
    config = load_feed_config(definition)
    state = load_state(config.output)
    assert state is not None
    items = {item.key: item for item in read_items(config.source, timeout=10).items}
    engine, cache, check = EdgeEngine(), ClipCache(cache_dir), Check()
    for record in state.episodes:
        article = items[record.key].article
        options = EpisodeOptions(engine="edge")
        profile = choose_profile(article, options)
        expected_ms = 0
        for segment in plan(article, options).segments:
            voice = profile.voice_for("edge", segment.voice)
            clip = cache.get(ClipKey.of(engine, voice, segment.text))
            assert clip is not None, f"no cached clip for {segment.text!r}"
            heard, whole = clip_ms(clip), full_clip_ms(segment.text, voice.rate)
            check.clips += 1
            if heard < whole - 2 * FRAME_MS:
                check.cut_clips += 1
                check.worst = check.worst or f"{segment.text[:20]!r}: {heard} ms of {whole} ms"
            expected_ms += whole + segment.pause_after_ms
        check.episodes += 1
        check.cut_episodes += abs(record.episode.duration_ms - expected_ms) > 3 * FRAME_MS
    return check


def clip_ms(clip: Clip) -> int:
    """How long a cached clip plays: the fake sends constant-bitrate frames, so counting them is exact."""
    assert clip.format == "mp3" and clip.audio[:2] == b"\xff\xf3"
    return len(clip.audio) // FRAME_BYTES * FRAME_MS


def _report(args: argparse.Namespace, fake: FakeEdge, stderr: str, wall: float, check: Check) -> None:
    retries = [line for line in stderr.splitlines() if RETRY in line]
    shown = [line for line in retries if line.startswith("info: ")]
    kinds = Counter(line.split(": ", 1)[1].split(" (", 1)[0] for line in retries)
    turns = fake.turns
    cut = [turn for turn in turns if turn.action == "truncate"]
    whole_later = sum(
        any(later.text == turn.text and later.action == "ok" for later in turns[index:])
        for index, turn in enumerate(turns)
        if turn.action == "truncate"
    )
    print(f"{args.articles}-article Chinese feed, audiocast feed build --engine edge --jobs 8, in {wall:.1f} s")
    print(f"fake service (seed {args.seed}): refuse {args.refuse:.0%} of connections, cut {args.cut:.0%} of turns")
    print(f"  handshakes {fake.handshakes}, refused with 503: {fake.refused}; turns {len(turns)}, cut: {len(cut)}")
    print(f"retries: {len(retries)} in all (debug level); retry lines a user sees (info level): {len(shown)}")
    for kind, count in kinds.most_common():
        print(f"  {count:5d}  {kind}")
    print(f"recovered: {whole_later} of {len(cut)} cut turns were asked again and came back whole;")
    print(f"  all {fake.refused} refused connections were retried (the build finished, every clip is cached)")
    print(f"clips checked against the fake's whole clip: {check.clips}; cut off: {check.cut_clips}")
    print(f"episodes checked (length = whole clips + pauses): {check.episodes}; cut off: {check.cut_episodes}")
    if check.worst:
        print(f"  first cut-off clip: {check.worst}")
    print("PASS: zero cut-off clips" if check.cut_clips == check.cut_episodes == 0 else "FAIL: cut-off audio published")


if __name__ == "__main__":
    sys.exit(main())
