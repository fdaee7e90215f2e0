"""Feed builds on Dask: a real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1
(``--cluster``), and a local cluster (``--workers``); byte-identical to the in-process build, a worker
killed mid-build, the cluster-wide limit on the online voice, a scheduler that cannot be reached."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from distributed import Client

from audiocast.feedbuild import BuildOptions, BuildReport, build_feed, load_feed_config
from audiocast.feedbuild.sources import read_items
from audiocast.feedbuild.state import load_state
from audiocast.sources.feed import FeedRead

from .conftest import run_cli
from .fake_edge import FakeEdge
from .feed_helpers import ARTICLES, MORE, copy_articles, episode_files, feed_without_dates, parsed, write_definition

DASK = Path(sys.executable).with_name("dask")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DaskCluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int = 2, environment: dict[str, str] | None = None) -> Iterator[DaskCluster]:
    """A scheduler and ``workers`` workers (no nanny: a killed worker stays dead), each worker with a
    clip cache of its own; every process is stopped on leaving."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, **(environment or {})}
    processes: list[subprocess.Popen[bytes]] = []
    logs = folder / "dask-logs"
    logs.mkdir(parents=True)
    try:
        processes.append(_started([DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], env, logs / "scheduler.log"))  # fmt: skip
        for number in range(workers):
            cache = folder / f"worker-cache-{number}"
            processes.append(_started(
                [DASK, "worker", address, "--nthreads", "2", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"],
                {**env, "AUDIOCAST_CACHE_DIR": str(cache)}, logs / f"worker-{number}.log",
            ))  # fmt: skip
        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)
        yield DaskCluster(address, processes[0], processes[1:])
    finally:
        for process in reversed(processes):
            process.kill()
            process.wait()


def _started(command: list[str | Path], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen([str(part) for part in command], env=env, stdout=output, stderr=subprocess.STDOUT)


def _definition(folder: Path, articles: Path, **keys: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_definition(folder, articles, output=str(folder / "public" / "show"), **keys)


def test_a_cluster_build_is_byte_identical_to_an_in_process_build(tmp_path: Path) -> None:
    """espeak-ng's audio depends a little on what the process read before (a cold build's clips differ
    by milliseconds with the order), so the workers read from the clip cache the in-process build
    filled (``--cache-dir``, as shared storage would be); the online voice is compared cold below."""
    articles = copy_articles(tmp_path / "articles", ARTICLES, MORE)
    alone = _definition(tmp_path / "alone", articles)
    build_feed(load_feed_config(alone), BuildOptions(cache_dir=tmp_path / "cache"))
    expected = tmp_path / "alone" / "public" / "show"
    with dask_cluster(tmp_path / "dask") as cluster:
        spread = _definition(tmp_path / "spread", articles)
        result = run_cli("feed", "build", spread, "--cluster", cluster.address, "--cache-dir", tmp_path / "cache")
    assert result.code == 0, result.err
    assert "made episode 1 of" in result.err
    made = tmp_path / "spread" / "public" / "show"
    _assert_same_feed(made, expected)
    feed, _ = parsed(made / "feed.xml")
    assert len(feed.entries) == len(list(articles.glob("*.md")))


def _assert_same_feed(made: Path, expected: Path) -> None:
    assert episode_files(made) == episode_files(expected)
    assert feed_without_dates(made) == feed_without_dates(expected)
    assert (made / "index.html").read_bytes() == (expected / "index.html").read_bytes()


def test_a_local_cluster_build_is_byte_identical_and_a_rerun_makes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audiocast.feedbuild import cluster

    articles = copy_articles(tmp_path / "articles", ARTICLES)
    alone = _definition(tmp_path / "alone", articles)
    build_feed(load_feed_config(alone), BuildOptions(cache_dir=tmp_path / "cache", jobs=1))
    spread = _definition(tmp_path / "spread", articles)
    result = run_cli("feed", "build", spread, "--workers", "2", "--cache-dir", tmp_path / "cache")
    assert result.code == 0, result.err
    made, expected = (tmp_path / name / "public" / "show" for name in ("spread", "alone"))
    _assert_same_feed(made, expected)

    def no_cluster(options: BuildOptions) -> None:
        raise AssertionError("a build with nothing to read or make started a cluster")

    monkeypatch.setattr(cluster, "_client", no_cluster)
    rerun = run_cli("feed", "build", spread, "--workers", "2", "--cache-dir", tmp_path / "cache")
    assert rerun.code == 0, rerun.err
    assert "Added 0, re-made 0, removed 0, kept 3" in rerun.out


def _killed_mid_build(tmp_path: Path, environment: dict[str, str] | None = None) -> tuple[BuildReport, int]:
    """A build on two workers, one of them killed while it makes episodes: the report, and how many
    articles there were (more than the workers' threads, so the killed one was busy)."""
    articles = tmp_path / "articles"
    copy_articles(articles, ARTICLES, MORE)
    for copy in range(2):
        for article in sorted((tmp_path / "articles").glob("[!c]*.md")):
            text = article.read_text(encoding="utf-8").replace("[", f"[Copy {copy} ", 1)
            text = re.sub(r"\]\((https?://[^)]*)\)", rf"](\1?copy={copy})", text, count=1)
            (articles / f"copy{copy}-{article.name}").write_text(text, encoding="utf-8")
    definition = _definition(tmp_path / "show", articles, keep=50)
    reports: list[BuildReport] = []
    with dask_cluster(tmp_path / "dask", environment=environment) as cluster:

        def build() -> None:
            options = BuildOptions(cluster=cluster.address, cache_dir=tmp_path / "cache")
            reports.append(build_feed(load_feed_config(definition), options))

        builder = threading.Thread(target=build)
        builder.start()
        victim = cluster.workers[0]
        _wait_until_busy(cluster.address)
        time.sleep(0.3)  # into its episodes, not before them
        os.kill(victim.pid, signal.SIGKILL)
        builder.join(timeout=300)
    assert victim.wait() == -signal.SIGKILL
    return reports[0], len(list(articles.glob("*.md")))


def _assert_listed_once(output: Path, count: int) -> None:
    """The feed and the state list ``count`` episodes, each once, and the folder holds their files only."""
    feed, _ = parsed(output / "feed.xml")
    guids = [entry.id for entry in feed.entries]
    assert len(guids) == count == len(set(guids))
    state = load_state(output)
    assert state is not None and len(state.episodes) == count
    listed = {name for record in state.episodes for name in (record.episode.audio, *record.episode.sidecars.values())}
    on_disk = {path.relative_to(output).as_posix() for path in (output / "episodes").iterdir()}
    assert on_disk == listed  # nothing twice, no leftovers


def test_a_worker_killed_mid_build_costs_only_its_episode_which_runs_again(tmp_path: Path) -> None:
    report, count = _killed_mid_build(tmp_path)
    assert not report.failed
    _assert_listed_once(tmp_path / "show" / "public" / "show", count)


def test_an_episode_whose_workers_all_died_is_reported_and_the_others_are_made(tmp_path: Path) -> None:
    """With no second try allowed (Dask's ``allowed-failures`` 0), the killed worker's episodes fail
    with one line each saying so, and the build publishes the rest."""
    report, count = _killed_mid_build(tmp_path, {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    assert report.failed
    for failure in report.failed:
        assert failure.cause == "the Dask worker that tried it died (killed, or out of memory: the worker logs tell why)"
    _assert_listed_once(tmp_path / "show" / "public" / "show", count - len(report.failed))


def _wait_until_busy(address: str) -> None:
    with Client(address, timeout=30) as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(client.processing().values()):
                return
            time.sleep(0.05)
    raise AssertionError("the cluster never started an episode")


def test_the_cluster_never_sends_the_online_service_more_requests_than_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = copy_articles(tmp_path / "articles", ARTICLES, MORE)
    with FakeEdge(latency=(0.05, 0.1), speed=40.0) as fake:
        environment = {"AUDIOCAST_EDGE_WSS_URL": fake.wss_url, "NO_PROXY": "127.0.0.1,localhost",
                       "no_proxy": "127.0.0.1,localhost"}  # fmt: skip
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        alone = _definition(tmp_path / "alone", articles, engine="edge")
        assert run_cli("feed", "build", alone, "--cache-dir", tmp_path / "cache").code == 0
        fake.reset()
        spread = _definition(tmp_path / "spread", articles, engine="edge", edge_limit=2)
        with dask_cluster(tmp_path / "dask", environment=environment) as cluster:
            result = run_cli("feed", "build", spread, "--cluster", cluster.address, "--jobs", "8")
        assert result.code == 0, result.err
        assert len(fake.turns) > 8  # enough requests that 2 workers x 2 episodes x 8 jobs would overlap
        assert fake.max_active == 2  # the limit was reached, and never passed
    # the online voice is deterministic: the workers' cold build is the in-process one, byte for byte
    _assert_same_feed(tmp_path / "spread" / "public" / "show", tmp_path / "alone" / "public" / "show")


def test_a_scheduler_that_cannot_be_reached_is_one_error_and_the_feed_stays(tmp_path: Path) -> None:
    articles = copy_articles(tmp_path / "articles", ARTICLES)
    definition = _definition(tmp_path / "show", articles)
    output = tmp_path / "show" / "public" / "show"
    assert run_cli("feed", "build", definition).code == 0
    before = (output / "feed.xml").read_bytes()
    copy_articles(articles, MORE)
    result = run_cli("feed", "build", definition, "--cluster", f"tcp://127.0.0.1:{_free_port()}")
    assert result.code != 0
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach the Dask scheduler" in errors[0], result.err
    assert (output / "feed.xml").read_bytes() == before


def test_a_scheduler_lost_mid_build_is_one_error_and_a_rerun_makes_only_the_rest(tmp_path: Path) -> None:
    articles = copy_articles(tmp_path / "articles", ARTICLES, MORE)
    definition = _definition(tmp_path / "show", articles)
    output = tmp_path / "show" / "public" / "show"
    with dask_cluster(tmp_path / "dask", workers=1) as cluster:
        command = [sys.executable, "-m", "audiocast", "feed", "build", str(definition), "--cluster", cluster.address,
                   "--jobs", "1"]  # fmt: skip
        build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not _recorded(output) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(cluster.scheduler.pid, signal.SIGKILL)
        _, err = build.communicate(timeout=120)
    assert build.returncode == 1
    assert [line for line in err.splitlines() if line.startswith("error:")] == err.splitlines()[-1:]
    assert "lost the Dask scheduler" in err and "Traceback" not in err, err
    made = _recorded(output)
    assert 1 <= made < 5
    rerun = run_cli("feed", "build", definition)
    assert rerun.code == 0, rerun.err
    assert f"Added {5 - made}, re-made 0, removed 0, kept {made}" in rerun.out


def _recorded(output: Path) -> int:
    """Episodes in the state database (read while the build writes it: SQLite allows that)."""
    try:
        state = load_state(output)
    except Exception:  # the build is creating it
        return 0
    return len(state.episodes) if state else 0


def test_workers_and_cluster_exclude_each_other(tmp_path: Path) -> None:
    definition = _definition(tmp_path / "show", copy_articles(tmp_path / "articles", ARTICLES))
    result = run_cli("feed", "build", definition, "--workers", "2", "--cluster", "tcp://127.0.0.1:8786")
    assert result.code != 0 and "exclude each other" in result.err
    assert not (tmp_path / "show" / "public").exists()


def test_dask_is_not_needed_without_workers_or_cluster(tmp_path: Path) -> None:
    """The README's main command runs where the cluster extra is not installed."""
    definition = _definition(tmp_path / "show", copy_articles(tmp_path / "articles", ARTICLES))
    blocker = tmp_path / "no-dask"
    blocker.mkdir()
    for name in ("dask", "distributed"):
        (blocker / name).mkdir()
        (blocker / name / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "audiocast", "feed", "build", str(definition)], env=env,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


_FAULTS_OF_LARGE_BLOCKS = """
import resource, sys
from audiocast.feedbuild.cluster import _keep_heap_adaptive
if sys.argv[1] == "kept":
    _keep_heap_adaptive()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    block = b"\\x01" * (4 * 1024 * 1024)  # a clip's worth of samples, written page by page
    del block
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_dask_worker_keeps_large_blocks_on_its_heap_as_glibc_would() -> None:
    """``dask worker`` starts its process with ``MALLOC_TRIM_THRESHOLD_=65536``, which keeps glibc from
    raising its mmap threshold: every large block is mapped afresh and its pages faulted in again."""
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}

    def faults(mode: str) -> int:
        run = subprocess.run([sys.executable, "-c", _FAULTS_OF_LARGE_BLOCKS, mode], env=env, capture_output=True,
                             text=True, check=True)  # fmt: skip
        return int(run.stdout)

    as_dask_leaves_it, kept = faults("as-started"), faults("kept")
    assert as_dask_leaves_it > 40 * 1024  # 50 blocks of 1,024 pages, nearly every page faulted in again
    assert kept < as_dask_leaves_it / 10


def test_a_local_clusters_workers_start_without_dasks_heap_trim() -> None:
    from audiocast.feedbuild.cluster import _client

    with _client(BuildOptions(workers=1)) as client:
        seen = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert list(seen.values()) == [None]


def test_a_large_folder_is_read_on_the_cluster_as_it_is_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The first plan of a large archive reads its files on the workers, with the same articles,
    the same skipped files and the same warnings as reading them in the build's process."""
    from audiocast.feedbuild import cluster

    folder = copy_articles(tmp_path / "articles", ARTICLES, MORE)
    (folder / "empty.md").write_text("<!--1701121143000-->\n[Nothing](https://example.org/n)\n------\n")
    for letter in "abcdef":
        (folder / f"undated-{letter}.md").write_text(
            f"[An undated post {letter}](https://example.org/undated-{letter})\n------\n\n"
            f"<p>The harbour ferries {letter} return after winter repairs, the city said.</p>\n"
        )
    monkeypatch.setattr(cluster, "READ_HERE_BELOW", 2)
    monkeypatch.setattr(cluster, "FILES_A_TASK", 2)
    with caplog.at_level(logging.WARNING, logger="audiocast"):
        here = read_items(str(folder), timeout=5)
        warned_here = _warnings(caplog)
        caplog.clear()
        with cluster.ClusterSession(BuildOptions(workers=1)) as session:
            spread = read_items(str(folder), timeout=5, read_articles=session.read_articles)
            prefixes = session.client().run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
        warned_there = _warnings(caplog)
    assert "read_article_files" in prefixes
    assert _undated_as_one(spread) == _undated_as_one(here) and len(here.items) == 11 and len(here.skipped) == 1
    assert warned_there == warned_here and sum("no date in the post" in line for line in warned_here) == 6
    undated = [item.article.published for item in spread.items if "/undated-" in item.key]
    assert undated == sorted(undated)  # dated when read, in the files' order, whichever worker parsed them


def _undated_as_one(read: FeedRead) -> FeedRead:
    """``read`` with the undated post dated alike: it is dated when it was read."""
    items = tuple(
        dataclasses.replace(item, article=dataclasses.replace(item.article, published=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
        if "/undated-" in item.key else item
        for item in read.items
    )  # fmt: skip
    return FeedRead(items, read.skipped)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
