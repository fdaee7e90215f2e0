"""Making a feed build's episodes on a Dask cluster: a local one (``--workers N``) or a running one
(``--cluster tcp://host:port``). Needs the ``cluster`` extra (``pip install 'audiocast[cluster]'``).

The build plans and chooses the engine (``auto`` checks the service once, here), then submits one
Dask future per episode. A worker makes its episode into a temporary folder of its own and returns
the files' bytes with the episode's record (``build.Made``); the build writes them into the output
folder and records the episode as each future completes, so the output folder, the state and
feed.xml have one writer and the workers need no shared file system. A worker killed mid-episode
costs only that episode, which Dask runs again on another worker.

On a worker, the episodes made at once (its threads) share one pool of ``--jobs`` requests
(``SharedGate``), so short articles leave no connection idle; requests to the online service are
also bounded across the whole cluster by a Dask semaphore of ``edge_limit`` leases.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import dataclasses
import functools
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import dask.config
from distributed import Client, Future, KilledWorker, LocalCluster, Semaphore, as_completed
from distributed.client import FutureCancelledError

from ..cache import default_cache_dir
from ..engines import Engine, make_engine
from ..errors import ClusterError, ReadError, WorkersDied
from ..gate import SharedGate
from ..sources.feed import SourceItem
from ..synth import MAX_JOBS, RequestGate, SynthOptions, SynthSession
from .build import (
    ONLINE_EPISODES_AT_ONCE,
    BuildOptions,
    BuildProgress,
    EpisodeTask,
    Made,
    episode_options_for,
    make_task,
)
from .config import FeedConfig
from .sources import ArticleRead, read_article_files

log = logging.getLogger(__name__)

OFFLINE_EPISODES_PER_WORKER = 2
"""Episodes a worker process makes at once with the offline voice, whatever its threads: espeak-ng
reads one at a time in a process, so a second episode only fills its gaps (levelling, encoding,
tags), and more would only contend (BENCHMARKS.md)."""
FILES_A_TASK = 50
"""Article files a Dask task reads (a few milliseconds each)."""
READ_HERE_BELOW = 200
"""Fewer article files than this to read are read in the build's process: a cluster would cost more."""
CONNECT_SECONDS = 10.0
"""How long the build waits for a ``--cluster`` scheduler to answer."""
_HEAP_TRIM_VARIABLE = "MALLOC_TRIM_THRESHOLD_"
_DASK_HEAP_TRIM = f"distributed.nanny.pre-spawn-environ.{_HEAP_TRIM_VARIABLE}"
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_FROM = 32 * 1024 * 1024
"""glibc's own ceiling for its adaptive mmap threshold on 64-bit machines; the heap is trimmed
above twice that."""

Took = Callable[[SourceItem, Made | Exception], None]
T = TypeVar("T")


@dataclass(frozen=True)
class WorkOrder:
    """One episode for a worker: plain data, pickled to it."""

    config: FeedConfig
    task: EpisodeTask
    cover_name: str
    cover: bytes
    jobs: int
    cache_dir: Path | None
    """The clip cache; ``None`` with ``own_cache``: the worker's machine's default."""
    own_cache: bool
    edge_semaphore: str
    """The Dask semaphore bounding online requests across the cluster for this build."""
    edge_limit: int


class ClusterSession:
    """The build's Dask cluster: the one ``options`` names, or a local one started on first use, so a
    build with nothing to read or make never starts one. Reads article files and makes episodes."""

    def __init__(self, options: BuildOptions) -> None:
        self._options = options
        self._where = options.cluster or "the local cluster"
        self._stack = contextlib.ExitStack()
        self._client: Client | None = None

    def __enter__(self) -> ClusterSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def client(self) -> Client:
        if self._client is None:
            self._client = self._stack.enter_context(_client(self._options))
        return self._client

    def read_articles(self, files: list[tuple[str, bytes]]) -> list[ArticleRead]:
        """Read article files on the cluster, ``FILES_A_TASK`` to a task; a few are read here."""
        if len(files) < READ_HERE_BELOW:
            return read_article_files(files)
        chunks = [files[start : start + FILES_A_TASK] for start in range(0, len(files), FILES_A_TASK)]
        client = self.client()  # a task each, not one map: one graph holding every file would be large
        futures: list[Future[list[ArticleRead]]] = [
            client.submit(read_article_files, chunk, pure=False) for chunk in chunks
        ]
        try:
            return [read for chunk, future in zip(chunks, futures, strict=True) for read in self._read(chunk, future)]
        finally:
            client.cancel(futures)

    def _read(self, chunk: list[tuple[str, bytes]], future: Future[list[ArticleRead]]) -> list[ArticleRead]:
        outcome = _outcome(future, self._where)
        if isinstance(outcome, Exception):  # not the reading's: read_article_files returns those
            return [(ReadError(f"{path}: {outcome}"), ()) for path, _ in chunk]
        return outcome

    def make(
        self,
        config: FeedConfig,
        options: BuildOptions,
        tasks: list[EpisodeTask],
        cover: Path,
        took: Took,
        progress: BuildProgress | None,
    ) -> None:
        """Make ``tasks`` on the cluster; ``took`` gets each outcome as it completes."""
        if not tasks:
            return
        order = WorkOrder(
            config=config,
            task=tasks[0],
            cover_name=cover.name,
            cover=cover.read_bytes(),
            jobs=options.jobs,
            cache_dir=options.cache_dir,
            own_cache=options.cache_dir is not None and not options.cache_named,
            edge_semaphore=f"audiocast-edge-{uuid.uuid4().hex}",
            edge_limit=options.edge_limit or config.edge_limit,
        )
        client = self.client()
        futures: dict[Future[Made], EpisodeTask] = {
            client.submit(make_remotely, dataclasses.replace(order, task=task), pure=False): task for task in tasks
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                task = futures[future]
                outcome = _outcome(future, self._where)
                if isinstance(outcome, Made):
                    log.info("made episode %d of %d on the cluster: %s", done, len(tasks), task.item.article.title)
                if progress is not None:
                    progress.episode(done, len(tasks), task.item.article.title)
                took(task.item, outcome)
        finally:
            client.cancel(list(futures))


def _outcome(future: Future[T], where: str) -> T | Exception:
    """What the task returned, or the exception it raised; a lost scheduler stops the build."""
    try:
        result: T = future.result()
    except (FutureCancelledError, asyncio.CancelledError) as exc:
        cause = str(exc).split("\n", 1)[0]
        raise ClusterError(f"lost the Dask scheduler of {where} mid-build ({cause}); the feed is as it was, "
                           "and the episodes made so far are recorded: rerun to go on") from exc
    except KilledWorker as exc:
        tries = exc.allowed_failures + 1
        who = "the Dask worker" if tries == 1 else f"all {tries} Dask workers"
        return WorkersDied(f"{who} that tried it died (killed, or out of memory: the worker logs tell why)")
    except Exception as exc:  # the task's own failure, raised again here by Dask
        return exc
    return result


@contextlib.contextmanager
def _client(options: BuildOptions) -> Iterator[Client]:
    # Dask's own lines (workers starting, a lost scheduler's tracebacks) only at -vv: the build says
    # what happens, in one line when it stops
    level = logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.CRITICAL
    for name in [name for name in logging.root.manager.loggerDict if name.split(".")[0] == "distributed"]:
        logging.getLogger(name).setLevel(level)  # Dask's config gives some of them levels of their own
    if options.cluster:
        try:
            client = Client(options.cluster, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {options.cluster} ({exc}); start one with `dask scheduler` "
                "or check the address"
            ) from exc
        with client:
            yield client
        return
    with (
        dask.config.set({_DASK_HEAP_TRIM: None}),  # glibc's own malloc on our workers: see _keep_heap_adaptive
        LocalCluster(
            n_workers=options.workers,
            threads_per_worker=ONLINE_EPISODES_AT_ONCE,  # as in process: one pool of --jobs each
            processes=True,
            dashboard_address=":0",  # no fixed port: several builds may run on one machine
            worker_dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def make_remotely(order: WorkOrder) -> Made:
    """On a worker: make one episode in a temporary folder and return its record and files."""
    _keep_heap_adaptive()
    with tempfile.TemporaryDirectory(prefix="audiocast-episode-") as folder:
        output = Path(folder)
        config = dataclasses.replace(order.config, output=output)
        cover = output / order.cover_name
        cover.write_bytes(order.cover)
        engine = _WORKER.engine(order.task.engine)
        cache_dir = default_cache_dir() if order.own_cache else order.cache_dir
        gate = _WORKER.gate(order, engine)
        synth = SynthOptions(jobs=order.jobs, cache_dir=cache_dir, session=_WORKER.session, gate=gate)
        with _WORKER.offline_slots if engine.offline else contextlib.nullcontext():
            made = make_task(config, order.task, episode_options_for(config, synth, cover), engine, None)
        episode = made.record.episode
        names = [*episode.sidecars.values(), episode.audio]  # written in this order: the MP3 last, as in process
        return dataclasses.replace(made, files={name: (output / name).read_bytes() for name in names})


@functools.cache
def _keep_heap_adaptive() -> None:
    """Undo, in this worker, the ``MALLOC_TRIM_THRESHOLD_=65536`` a Dask nanny starts it with (a
    local cluster's workers are started without it; ``dask worker`` sets it).

    Setting that variable also stops glibc from raising its mmap threshold as large blocks are
    freed, so every array of audio over 128 KiB is mapped afresh and its pages faulted in again:
    making an episode took 36% more CPU on a nanny's worker than in process (BENCHMARKS.md).
    The thresholds are set where glibc's adaptive mode would take them at most. Elsewhere (no such
    variable, or a C library without ``mallopt``) nothing is done.
    """
    if _HEAP_TRIM_VARIABLE not in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM)
    mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_FROM)


class _Worker:
    """What the episodes a worker process makes share: engines, the synthesis session, the request pools."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engines: dict[str, Engine] = {}
        self._pools: dict[int, SharedGate] = {}
        self._leases: dict[str, Semaphore] = {}
        self.session = SynthSession()
        self.offline_slots = threading.BoundedSemaphore(OFFLINE_EPISODES_PER_WORKER)

    def engine(self, name: str) -> Engine:
        with self._lock:
            if name not in self._engines:
                self._engines[name] = make_engine(name)
            return self._engines[name]

    def gate(self, order: WorkOrder, engine: Engine) -> RequestGate:
        """This process's pool of ``jobs`` requests; for an online engine also a lease of the cluster's."""
        with self._lock:
            pool = self._pools.setdefault(order.jobs, SharedGate(order.jobs))
            if engine.offline:
                return pool
            if order.edge_semaphore not in self._leases:
                self._leases[order.edge_semaphore] = Semaphore(max_leases=order.edge_limit, name=order.edge_semaphore)
            return _ClusterGate(pool, self._leases[order.edge_semaphore])


_WORKER = _Worker()
_LEASE_THREADS = ThreadPoolExecutor(MAX_JOBS, thread_name_prefix="audiocast-lease")
"""Threads that wait for the cluster's leases: one per request a process may have waiting (``jobs``
at most), so a lease given back never waits for a thread."""


class _ClusterGate:
    """A slot of this process's pool, then a lease of the cluster-wide semaphore, for each request."""

    def __init__(self, pool: SharedGate, leases: Semaphore) -> None:
        self.pool = pool
        self.leases = leases

    async def __aenter__(self) -> None:
        await self.pool.acquire()
        leased = asyncio.get_running_loop().run_in_executor(_LEASE_THREADS, self.leases.acquire)
        try:
            await asyncio.shield(leased)
        except BaseException:  # cancelled while waiting: the lease, once it comes, goes back
            leased.add_done_callback(self._give_back)
            self.pool.release()
            raise

    def _give_back(self, leased: asyncio.Future[bool]) -> None:
        if not leased.cancelled() and leased.exception() is None:
            _LEASE_THREADS.submit(self.leases.release)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(_LEASE_THREADS, self.leases.release)
        finally:
            self.pool.release()
