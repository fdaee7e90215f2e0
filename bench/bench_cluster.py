"""Benchmark: feed builds on Dask (``--workers``) against the in-process build.

Run:  .venv/bin/python bench/bench_cluster.py offline [--articles 200] [--workers 2]
      .venv/bin/python bench/bench_cluster.py plan [--articles 10000] [--workers 2]
      .venv/bin/python bench/bench_cluster.py edge [--articles 100] [--workers 2] [--jobs 8] [--baseline]

``offline``: an archive of distinct articles (bench_feed.py's, from the example article) read by
espeak-ng, each build into an empty clip cache: in process, then on a local cluster of
``--workers`` processes. Prints wall time, audio made, realtime factor, the speed-up, and the
scheduling overhead per episode (the cluster's wall time for episodes whose clips all come from
the clip cache, minus the same in process, per episode).

``plan``: the first reading of an archive's files (no readings cache yet), in process, then on a
local cluster of ``--workers`` processes (its start included), as ``feed build`` plans.

``edge``: the same archive read by the online voice from the fake service (tests/fake_edge.py:
0.3-0.5 s to first audio, then 15x realtime per connection), built on a local cluster with
``--jobs`` requests per worker shared by its episodes and ``edge_limit`` 8 across the cluster.
Prints the realtime factor and the most connections the fake saw open at once.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fake_edge

from bench_feed import audio_seconds, write_articles, write_definition  # this folder is first on sys.path
from distributed import Client, LocalCluster, as_completed

from audiocast.feedbuild import BuildOptions, build_feed, load_feed_config
from audiocast.feedbuild.cluster import ClusterSession
from audiocast.feedbuild.config import FeedConfig
from audiocast.feedbuild.sources import read_items
from tests.fake_edge import FakeEdge


def timed(config: FeedConfig, options: BuildOptions) -> float:
    start = time.perf_counter()
    report = build_feed(config, options)
    assert not report.failed, report.failed
    return time.perf_counter() - start


def cached_in(cache: Path, workers: int | None = None, jobs: int = 4) -> BuildOptions:
    """Options with the clip cache in ``cache``, named, so the workers use it too (not their default)."""
    return BuildOptions(cache_dir=cache, cache_named=True, workers=workers, jobs=jobs)


def fresh(folder: Path, articles: Path, name: str, engine: str, keep: int) -> FeedConfig:
    place = folder / name
    place.mkdir()
    return load_feed_config(write_definition(place, articles, engine=engine, keep=keep))


def offline(folder: Path, articles: Path, count: int, workers: int) -> None:
    print(f"archive of {count} articles, offline voice (espeak-ng), each build into an empty clip cache")
    alone = fresh(folder, articles, "alone", "espeak", count)
    spread = fresh(folder, articles, "spread", "espeak", count)
    walls = {
        "in process": timed(alone, cached_in(folder / "cache-alone")),
        f"--workers {workers}": timed(spread, cached_in(folder / "cache-spread", workers=workers)),
    }
    audio = audio_seconds(alone)
    for name, wall in walls.items():
        print(f"  {name:<12} wall {wall:8.1f} s   audio {audio / 3600:5.2f} h   {audio / wall:6.0f}x realtime")
    first, second = walls.values()
    print(f"  speed-up: {first / second:.2f}x")
    # scheduling overhead: every clip cached, so what is left is assembly, encoding and the fan-out
    cached = {
        "in process": timed(fresh(folder, articles, "alone-cached", "espeak", count),
                            cached_in(folder / "cache-alone")),
        f"--workers {workers}": timed(fresh(folder, articles, "spread-cached", "espeak", count),
                                      cached_in(folder / "cache-alone", workers=workers)),
    }  # fmt: skip
    for name, wall in cached.items():
        print(f"  all clips cached, {name:<12} wall {wall:7.1f} s   {1000 * wall / count:6.0f} ms an episode")
    files = sum(path.stat().st_size for path in (alone.output / "episodes").iterdir()) // count
    print(f"  scheduling overhead, {count} tasks each carrying an episode's files ({files / 1e6:.2f} MB) "
          f"there and back: {1000 * round_trips(workers, count, files) / count:.1f} ms an episode")  # fmt: skip


def round_trips(workers: int, count: int, size: int) -> float:
    """Seconds for ``count`` Dask tasks, each sending ``size`` bytes to a worker and getting them back
    (``bytes`` copies its argument): the fan-out's own cost for an episode of that size."""
    with (
        LocalCluster(n_workers=workers, threads_per_worker=4, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        payload = b"\x00" * size
        start = time.perf_counter()
        futures = [client.submit(bytes, payload + bytes([number % 256]), pure=False) for number in range(count)]
        for future in as_completed(futures):
            future.result()
        return time.perf_counter() - start


def plan(articles: Path, count: int, workers: int) -> None:
    print(f"first reading of an archive of {count} article files (no readings cache)")
    start = time.perf_counter()
    here = read_items(str(articles), timeout=30)
    alone = time.perf_counter() - start
    start = time.perf_counter()
    with ClusterSession(BuildOptions(workers=workers)) as cluster:
        spread = read_items(str(articles), timeout=30, read_articles=cluster.read_articles)
    on_cluster = time.perf_counter() - start
    assert spread == here
    print(f"  in process   {alone:6.1f} s   {1000 * alone / count:5.2f} ms a file")
    print(f"  --workers {workers}  {on_cluster:6.1f} s   {1000 * on_cluster / count:5.2f} ms a file   "
          f"speed-up {alone / on_cluster:.2f}x")  # fmt: skip


def edge(folder: Path, articles: Path, count: int, workers: int, jobs: int, baseline: bool) -> None:
    print(f"archive of {count} articles, online voice from the fake (15x realtime per connection), jobs {jobs}")
    with FakeEdge(latency=(0.3, 0.5), speed=15.0) as fake:
        os.environ["AUDIOCAST_EDGE_WSS_URL"] = fake.wss_url
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
        runs = {f"--workers {workers}": workers, "in process": None} if baseline else {f"--workers {workers}": workers}
        for name, spread in runs.items():
            fake.reset()
            config = fresh(folder, articles, f"edge-{spread}", "edge", count)
            wall = timed(config, cached_in(folder / f"cache-edge-{spread}", workers=spread, jobs=jobs))
            audio = audio_seconds(config)
            print(f"  {name}: wall {wall:.1f} s, {audio / 3600:.2f} h of audio, {audio / wall:.0f}x realtime; "
                  f"{len(fake.turns)} requests, at most {fake.max_active} at once")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", choices=("offline", "plan", "edge"))
    parser.add_argument("--articles", type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--baseline", action="store_true", help="edge: also build in process, one episode at a time")
    arguments = parser.parse_args()
    count = arguments.articles or {"offline": 200, "plan": 10_000, "edge": 100}[arguments.mode]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        articles = folder / "articles"
        articles.mkdir()
        write_articles(articles, range(1, count + 1))
        if arguments.mode == "offline":
            offline(folder, articles, count, arguments.workers)
        elif arguments.mode == "plan":
            plan(articles, count, arguments.workers)
        else:
            edge(folder, articles, count, arguments.workers, arguments.jobs, arguments.baseline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
