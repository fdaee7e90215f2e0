"""The incremental feed build: plan what changed, make only that, publish, prune.

Owns the order of writes that makes a build safe to interrupt:

1. each new or changed episode is made (MP3 and sidecars renamed into place by ``make_episode``,
   under a new versioned file name) and its row committed to the state database straight away, so
   a rerun does not make it again;
2. cover, ``feed.xml``, ``index.html`` and ``playlist.m3u8`` are replaced atomically, only after
   every episode they list exists; until then the previous feed stays valid and every file it
   names stays;
3. only then are files no longer listed deleted (pruned episodes, replaced versions, temporary
   files a killed build left), and the state keeps only the listed episodes.

Episodes stay until they fall beyond ``keep_on_site`` (``keep`` unless the definition says
otherwise; ``"all"``: never), even when the source stops listing them (RSS feeds carry only their
latest entries). Every kept episode is on the site (index.html and its older pages); feed.xml and
playlist.m3u8 list the newest ``keep`` of them, since apps fetch those again and again. A page is
rendered, reading its episodes' transcripts and captions, only when its stamp says it changed.

GUIDs come from the article's key, never from its title or file name, and are kept in the state
for life. An episode is made again when its article or voice profile changed, or when
``engine_choice`` says its engine no longer stands.

Episode art: an article's lead image, squared (``publish.artwork``), is written beside its MP3
(``<stem>.jpg``, the ``art`` sidecar) and embedded in it; without it (offline, or the image fails)
the MP3 carries the show's cover and the feed item names no art of its own. A later build that
gets the picture writes ``<stem>.jpg`` and lists it in feed.xml and index.html, leaving the MP3 (and
its URL) as it was: its embedded cover stays the show's until the episode is made again.

Chapter images: each figure read as an aside whose picture can be fetched gets a smaller square copy
beside the MP3 (``<stem>.figN.jpg``, the ``figureN`` sidecars), named by the JSON chapters' ``img``
under ``base_url`` (each build points them at the ``base_url`` of the day, as it does feed.xml) and
embedded in the figure's CHAP frame. The feed publishes its own validated
copy rather than pointing at the publisher's: a listener's app then fetches a small JPEG from the
feed's host (https as the podcast namespace asks, and no hotlink a publisher may refuse or move).
A figure's place in the audio is known only while its episode is made, so an episode made without
the pictures (offline) gets its figure chapters when it is next made; its art is added sooner.

With ``--workers`` or ``--cluster`` the episodes are made on Dask workers (``cluster.py``), each
into a temporary folder of the worker's; their files come back as bytes and are written here, the
MP3 last, before the episode's row is committed: the order above holds, with one writer.

One bad article never blocks the others: an article whose episode fails for any reason is reported
(``Failure``) and skipped, the rest are made and published, and since it is not recorded the next
build tries it again (a failed re-make keeps the previous episode listed meanwhile). What concerns
every article still stops the build: an unreachable voice service (``EngineUnavailable``), the
voice failing ``SYNTH_FAILURES_IN_A_ROW`` articles in a row, an output folder that cannot be
written, and Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import logging
import os
import re
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..atomic import write_bytes
from ..cache import default_cache_dir
from ..engines import Engine
from ..episode import EPISODE_ENDINGS, EpisodeOptions, Progress, choose_profile, make_episode
from ..episode import plan as planned_script
from ..errors import (
    AudiocastError,
    ClusterError,
    EngineUnavailable,
    OutputWriteError,
    ProfileError,
    PublishError,
    SynthError,
)
from ..gate import SharedGate
from ..models import Episode
from ..profiles import VoiceProfile
from ..publish.artwork import ChapterPicture, article_art, chapter_jpeg, lead_art, lead_caption
from ..publish.captions import read_vtt
from ..publish.chapters import figure_images, relocated
from ..publish.cover import write_cover
from ..publish.feed import render_feed
from ..publish.playlist import PLAYLIST_FILE, render_playlist
from ..publish.show import ART, FEED_FILE, Show, ShowEpisode, newest_first, podcast_guid
from ..publish.site import STAMP_BYTES, Page, is_older_page, page_stamp, render_page, site_pages, stamp_of
from ..sources.feed import SourceItem
from ..synth import SynthOptions, SynthSession
from .config import FeedConfig, normalise_base_url
from .engine_choice import AUTO, EngineChoice
from .readings import reader_version
from .sources import read_items
from .state import STATE_DB, EpisodeRecord, MadeWith, State, StateStore, load_state, open_state

if TYPE_CHECKING:
    from .cluster import ClusterSession

log = logging.getLogger(__name__)
T = TypeVar("T")

EPISODES_DIR = "episodes"
LOCK_FILE = ".audiocast-lock"
ART_ENDING = ".jpg"
FIGURE = "figure"
"""The sidecar kinds of an episode's chapter pictures: ``figure1``, ``figure2``, …"""
RENDER_VERSION = "1"
"""Bump when episodes made by older code should be made again."""


SYNTH_FAILURES_IN_A_ROW = 3
"""Articles in a row the voice failed (after its own retries) at which the build stops: the service
is down for all of them, and retrying each one against it would only take hours."""
_STOPS_THE_BUILD = (EngineUnavailable, OutputWriteError, MemoryError, ClusterError)
ONLINE_EPISODES_AT_ONCE = 4
"""Episodes a build makes at once in process when they are read online, and a local cluster's
worker in all (its threads): their requests share one pool of ``--jobs``, so while one waits for
the encoder, many short articles still keep every connection busy. In process the offline voice
reads one episode after another (espeak-ng's audio depends on what the process read before)."""


class BuildProgress(Progress, Protocol):
    """Progress of a feed build: which episode is being made, then the episode pipeline's stages."""

    def episode(self, number: int, total: int, title: str) -> None: ...


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    dry_run: bool = False
    base_url: str | None = None
    """Overrides the definition's base_url (e.g. a LAN address); URLs in feed.xml follow it."""
    engine: str | None = None
    """Overrides the definition's engine."""
    jobs: int = 4
    timeout: float = 30.0
    """Seconds allowed for fetching a feed URL."""
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    """The clip cache; None synthesises every clip afresh. A cluster's workers use it only when it was
    named (``--cache-dir``: shared storage), else each its own machine's default."""
    cache_named: bool = False
    """Whether ``cache_dir`` was chosen by the user rather than defaulted."""
    workers: int | None = None
    """Make the episodes on a local Dask cluster of this many worker processes."""
    cluster: str | None = None
    """Make the episodes on the Dask cluster whose scheduler is at this address (``tcp://host:port``)."""
    edge_limit: int | None = None
    """Overrides the definition's ``edge_limit``: online requests at once across a cluster build."""


@dataclass(frozen=True)
class Plan:
    """What a build will do, newest first within each list."""

    add: tuple[SourceItem, ...]
    remake: tuple[SourceItem, ...]
    keep: tuple[EpisodeRecord, ...]
    remove: tuple[EpisodeRecord, ...]
    skipped: tuple[str, ...]
    """Inputs that could not be read, one line each."""
    too_old: int
    """Articles in the source that are beyond ``keep_on_site`` and never became episodes."""
    art_missing: tuple[SourceItem, ...] = ()
    """Kept episodes made without the picture their article has: the build tries to add it."""

    @property
    def to_make(self) -> tuple[SourceItem, ...]:
        return self.add + self.remake


@dataclass(frozen=True)
class Failure:
    """An article whose episode could not be made in this build."""

    title: str
    origin: str
    """Where the article came from: its file, or its link in a feed."""
    cause: str
    key: str
    """The article's identity (``SourceItem.key``)."""

    def __str__(self) -> str:
        return f"{self.origin}: {self.title!r}: {self.cause}"


@dataclass(frozen=True)
class BuildReport:
    plan: Plan
    output: Path
    feed_file: Path
    feed_url: str
    episodes: int
    """Episodes in the feed after the build (planned, for a dry run)."""
    on_site: int
    """Episodes on the site after the build (planned, for a dry run): ``episodes`` or more."""
    segments: int
    """Segments of the episodes this build made, read by the engine or taken from the clip cache."""
    clips: int
    """Clips the engine synthesised for this build; the other segments came from the clip cache."""
    dry_run: bool
    failed: tuple[Failure, ...] = ()
    """Articles that failed; not recorded, so the next build tries them again."""


def build_feed(
    config: FeedConfig, options: BuildOptions = BuildOptions(), progress: BuildProgress | None = None
) -> BuildReport:
    """Build or update the feed ``config`` describes; see the module docstring for the write order."""
    config = _with_overrides(config, options)
    output = config.output
    choice = EngineChoice(config.engine)
    guid = podcast_guid(config.feed_url)
    with _exclusive(output, create=not options.dry_run):
        if options.dry_run:
            plan = _plan(config, options, load_state(output) or State(guid), choice)
            return _report(config, plan, _Read(), on_site=len(plan.keep) + len(plan.to_make), dry_run=True)
        with open_state(output, guid) as store, _cluster_session(options) as cluster:
            plan = _plan(config, options, store.state, choice, cluster)
            return _execute(config, options, store, plan, choice, progress, cluster)


def _cluster_session(options: BuildOptions) -> contextlib.AbstractContextManager[ClusterSession | None]:
    """The build's Dask cluster with ``--workers`` or ``--cluster``; none for the in-process build."""
    if not (options.workers or options.cluster):
        return contextlib.nullcontext()
    from .cluster import ClusterSession  # Dask is an optional extra: imported only when asked for

    return ClusterSession(options)


def _plan(
    config: FeedConfig, options: BuildOptions, state: State, choice: EngineChoice, cluster: ClusterSession | None = None
) -> Plan:
    read = read_items(
        config.source,
        timeout=options.timeout,
        source_name=config.source_name,
        cache_dir=options.cache_dir,
        read_articles=cluster.read_articles if cluster else None,
    )
    return make_plan(config, state, read.items, read.skipped, choice)


def _with_overrides(config: FeedConfig, options: BuildOptions) -> FeedConfig:
    if options.base_url:
        base_url = normalise_base_url(options.base_url, "--base-url")
        link = base_url if config.show.link == config.show.base_url else config.show.link
        config = dataclasses.replace(config, show=dataclasses.replace(config.show, base_url=base_url, link=link))
    if options.engine:
        config = dataclasses.replace(config, engine=options.engine)
    return config


def make_plan(
    config: FeedConfig,
    state: State,
    items: tuple[SourceItem, ...],
    skipped: tuple[str, ...],
    choice: EngineChoice,
) -> Plan:
    """Compare the source with the state: the newest ``keep_on_site`` articles or episodes stay."""
    records = state.by_key()
    deduped = _dedupe(items)
    profiles = _Profiles(config)
    on_disk = _OnDisk(config.output)
    hashes, unvoiced = _source_hashes(config, deduped, profiles)
    latest = {key: item for key, item in deduped.items() if key in hashes}
    unchanged = {key for key in latest if key in records and records[key].source_hash == hashes[key]}
    dated = [
        (records[key].episode.published if key in unchanged else item.article.published, key)
        for key, item in latest.items()
    ]
    dated += [(record.episode.published, key) for key, record in records.items() if key not in latest]
    wanted = [key for _, key in sorted(dated, reverse=True)[: config.on_site]]
    add: list[SourceItem] = []
    remake: list[SourceItem] = []
    keep: list[EpisodeRecord] = []
    lost: set[str] = set()
    for key in wanted:
        item, record = latest.get(key), records.get(key)
        if record is not None and _stays(record, item, key in unchanged, choice, profiles, on_disk):
            keep.append(record)
        elif item is None:
            log.warning("%s: its files are gone and the source no longer lists it; dropping it", key)
            lost.add(key)
        elif record is None:
            add.append(item)
        else:
            remake.append(item)
    listed = set(wanted)  # a list's ``in`` made this quadratic in ``keep``
    remove = tuple(record for key, record in records.items() if key not in listed or key in lost)
    too_old = sum(1 for key in latest if key not in listed and key not in records)
    art_missing = tuple(
        latest[record.key]
        for record in keep
        if config.episode_art and ART not in record.episode.sidecars and record.key in latest
        and latest[record.key].article.images
    )  # fmt: skip
    return Plan(tuple(add), tuple(remake), tuple(keep), remove, skipped + unvoiced, too_old, art_missing)


def _stays(
    record: EpisodeRecord,
    item: SourceItem | None,
    unchanged: bool,
    choice: EngineChoice,
    profiles: _Profiles,
    on_disk: _OnDisk,
) -> bool:
    """Whether an episode stays as it is: its files are intact, and either the source no longer
    lists it (so it cannot be made again) or its input is unchanged and its engine still stands."""
    if not on_disk.intact(record):
        return False
    return item is None or (unchanged and choice.for_voices(profiles.of(item).voices).keeps(record.made_with))


def _dedupe(items: tuple[SourceItem, ...]) -> dict[str, SourceItem]:
    """One item per key; when an article appears twice (re-archived), the newest copy wins."""
    latest: dict[str, SourceItem] = {}
    for item in items:
        current = latest.get(item.key)
        if current is not None and current.article.link != item.article.link:
            log.warning("%s and %s give two articles one id (%s); only the newer is read", current.origin,
                        item.origin, item.key)
        if current is None or item.article.published >= current.article.published:
            latest[item.key] = item
    return latest


def _source_hashes(
    config: FeedConfig, latest: dict[str, SourceItem], profiles: _Profiles
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Each item's source hash by key, and a line for each item no voice profile (or no voice of the
    engine the definition names) can read."""
    hashes: dict[str, str] = {}
    unvoiced: list[str] = []
    for key, item in latest.items():
        try:
            profile = profiles.of(item)
            if config.engine != AUTO:  # an engine named that cannot read the language never will
                profile.voice_for(config.engine, "narrator")
            hashes[key] = _source_hash(profile, item, config.sound_digest)
        except ProfileError as exc:
            log.warning("skipped: %s: %s", item.origin, exc)
            unvoiced.append(f"{item.origin}: {exc}")
    return hashes, tuple(unvoiced)


def _source_hash(profile: VoiceProfile, item: SourceItem, sound_digest: str) -> str:
    """The input's hash plus what decides the words and the sound: the voice profile's content (so an
    edited profile TOML counts), the render version, and the intro, outro and loudness when they are
    not the defaults (``FeedConfig.sound_digest``). The engine is recorded apart (``MadeWith``)."""
    sound = (sound_digest,) if sound_digest else ()  # none: the hashes of builds before it
    settings = "\x00".join((RENDER_VERSION, repr(profile), item.content_hash, *sound))
    return hashlib.sha256(settings.encode("utf-8")).hexdigest()


class _Profiles:
    """Each article's voice profile, chosen once per language for a plan or a build: choosing one
    reads TOML files, which once per article was most of the time ``make_plan`` took for an archive."""

    def __init__(self, config: FeedConfig) -> None:
        self._options = EpisodeOptions(profile=config.profile)
        self._by_language: dict[str, VoiceProfile] = {}

    def of(self, item: SourceItem) -> VoiceProfile:
        language = item.article.language
        if language not in self._by_language:
            self._by_language[language] = choose_profile(item.article, self._options)
        return self._by_language[language]


class _OnDisk:
    """The files in the output folder, each folder listed once when first asked about: a stat of
    every file of every episode was most of the time ``make_plan`` took for a large archive."""

    def __init__(self, output: Path) -> None:
        self._output = output
        self._folders: dict[str, dict[str, os.DirEntry[str]]] = {}

    def intact(self, record: EpisodeRecord) -> bool:
        """Whether the episode's MP3 is there with its recorded length, and every sidecar of it."""
        audio = self._file(record.episode.audio)
        if audio is None or audio.stat().st_size != record.episode.length:
            return False
        return all(self._file(name) is not None for name in record.episode.sidecars.values())

    def _file(self, relative: str) -> os.DirEntry[str] | None:
        folder, _, name = relative.rpartition("/")
        if folder not in self._folders:
            self._folders[folder] = _files_in(self._output / folder)
        return self._folders[folder].get(name)


def _files_in(folder: Path) -> dict[str, os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return {entry.name: entry for entry in entries if entry.is_file()}
    except (FileNotFoundError, NotADirectoryError):
        return {}


def _execute(
    config: FeedConfig,
    options: BuildOptions,
    store: StateStore,
    plan: Plan,
    choice: EngineChoice,
    progress: BuildProgress | None,
    cluster: ClusterSession | None,
) -> BuildReport:
    output = config.output
    cover = write_cover(output, config.show.title, config.cover)
    records = store.state.by_key()
    read = _Read()
    if plan.to_make:  # only then are engines made: auto checks the service once per build
        read = _make_all(config, options, store, records, plan.to_make, choice, output / cover, progress, cluster)
    _add_art(config, options, records, plan.art_missing)
    final = State(store.state.podcast_guid, _listed(output, plan, records))
    _publish(config, final, cover)
    _prune(output, final, cover)
    store.keep_only(final.episodes)
    return _report(config, plan, read, on_site=len(final.episodes), dry_run=False)


@dataclass(frozen=True)
class _Read:
    """What making episodes read: segments in all, clips the engine synthesised, and what failed."""

    segments: int = 0
    clips: int = 0
    failed: tuple[Failure, ...] = ()

    def __add__(self, other: _Read) -> _Read:
        return _Read(self.segments + other.segments, self.clips + other.clips, self.failed + other.failed)


def _make_all(
    config: FeedConfig,
    options: BuildOptions,
    store: StateStore,
    records: dict[str, EpisodeRecord],
    items: tuple[SourceItem, ...],
    choice: EngineChoice,
    cover: Path,
    progress: BuildProgress | None,
    cluster: ClusterSession | None,
) -> _Read:
    """Make each episode with the engine ``choice`` gives it, and record it at once in ``store`` and in
    ``records``; returns what was read. In process (offline episodes one after another, online ones
    ``ONLINE_EPISODES_AT_ONCE`` at a time) or on a Dask cluster, several at once, each outcome
    recorded here, by this thread, as it comes: it alone records the episodes and writes the state.

    A failed article is reported and skipped (see the module docstring for what stops the build)."""
    tally = _Tally(config, store, records)
    profiles = _Profiles(config)
    if cluster is not None:
        tasks = []
        for item in items:
            task = _outcome(functools.partial(_task, config, item, records.get(item.key), profiles, choice))
            if isinstance(task, EpisodeTask):
                tasks.append(task)
            else:
                tally.took(item, task)
        cluster.make(config, options, tasks, cover, tally.took, progress)
        return tally.read
    # one session for the build: each kind of retry is reported once, voices' pace learnt once
    synth = SynthOptions(jobs=options.jobs, cache_dir=options.cache_dir, session=SynthSession())
    episode_options = episode_options_for(config, synth, cover)
    # episodes read online share one pool of ``jobs`` requests, ONLINE_EPISODES_AT_ONCE at a time
    gate = SharedGate(options.jobs)
    shared = dataclasses.replace(episode_options, synth=dataclasses.replace(synth, gate=gate))
    online: dict[Future[Made | Exception], SourceItem] = {}
    pool = ThreadPoolExecutor(ONLINE_EPISODES_AT_ONCE, thread_name_prefix="audiocast-episode")
    try:
        for number, item in enumerate(items, start=1):
            make = functools.partial(_make_here, config, item, records.get(item.key), profiles, choice)
            log.info("making episode %d of %d: %s", number, len(items), item.article.title)
            if not _engine_for(item, profiles, choice).offline:  # its progress: the line when it is made
                online[pool.submit(_outcome, functools.partial(make, shared, None))] = item
                continue
            if progress is not None:
                progress.episode(number, len(items), item.article.title)
            tally.took(item, _outcome(functools.partial(make, episode_options, progress)))
            _take_done(online, tally, wait=False)
        _take_done(online, tally, wait=True)
    except BaseException:  # Ctrl-C, or what stops the build: the episodes in flight are cancelled
        gate.close()
        raise
    finally:
        pool.shutdown(cancel_futures=True)
    return tally.read


def _take_done(online: dict[Future[Made | Exception], SourceItem], tally: _Tally, *, wait: bool) -> None:
    """Record the episodes made online so far (all of them, with ``wait``), as each finished."""
    finished = as_completed(list(online)) if wait else [future for future in list(online) if future.done()]
    for future in finished:
        item, outcome = online.pop(future), future.result()
        if isinstance(outcome, Made):
            log.info("made episode online: %s", item.article.title)
        tally.took(item, outcome)


def _engine_for(item: SourceItem, profiles: _Profiles, choice: EngineChoice) -> Engine:
    return choice.for_voices(profiles.of(item).voices).engine()


def _make_here(
    config: FeedConfig,
    item: SourceItem,
    existing: EpisodeRecord | None,
    profiles: _Profiles,
    choice: EngineChoice,
    options: EpisodeOptions,
    progress: Progress | None,
) -> Made:
    """Make one episode in this process with the engine object the build made."""
    task = _task(config, item, existing, profiles, choice)
    return make_task(config, task, options, _engine_for(item, profiles, choice), progress)


@dataclass(frozen=True)
class EpisodeTask:
    """What making one episode needs, decided by the build: plain data a Dask worker can be sent."""

    item: SourceItem
    source_hash: str
    guid: str
    engine: str
    """The engine's name, chosen once per build (``auto`` resolved)."""


@dataclass(frozen=True)
class Made:
    """An episode made: its record, what it read, and, when made on a worker, its files' bytes by their
    path in the output folder (made in process, they are in place already)."""

    record: EpisodeRecord
    read: _Read
    files: dict[str, bytes] = field(default_factory=dict)


def _task(
    config: FeedConfig, item: SourceItem, existing: EpisodeRecord | None, profiles: _Profiles, choice: EngineChoice
) -> EpisodeTask:
    profile = profiles.of(item)
    engine = _engine_for(item, profiles, choice)
    guid = existing.episode.guid if existing else episode_guid(item.key)
    return EpisodeTask(item, _source_hash(profile, item, config.sound_digest), guid, engine.name)


def _outcome(work: Callable[[], T]) -> T | Exception:
    """What ``work`` returned, or the exception one article's trouble raised; what stops the build is raised."""
    try:
        return work()
    except _STOPS_THE_BUILD:
        raise
    except Exception as exc:  # one article's trouble, whatever it is, must not stop the others
        return exc


class _Tally:
    """Takes each episode's outcome as it comes: writes a worker's files into place, records the
    episode, counts the voice's failures in a row."""

    def __init__(self, config: FeedConfig, store: StateStore, records: dict[str, EpisodeRecord]) -> None:
        self.config = config
        self.store = store
        self.records = records
        self.read = _Read()
        self.synth_failures = 0

    def took(self, item: SourceItem, outcome: Made | Exception) -> None:
        if isinstance(outcome, _STOPS_THE_BUILD):
            raise outcome
        if isinstance(outcome, Exception):
            self.synth_failures = self.synth_failures + 1 if isinstance(outcome, SynthError) else 0
            if self.synth_failures >= SYNTH_FAILURES_IN_A_ROW:
                failures = self.synth_failures
                raise type(outcome)(f"{outcome}; stopped: the voice failed {failures} articles in a row") from outcome
            self.read += _Read(failed=(_failure(item, outcome),))
            return
        self.synth_failures = 0
        for relative, data in outcome.files.items():
            _write_if_changed(self.config.output / relative, data)
        self.read += outcome.read
        self.store.record(outcome.record)  # committed: a rerun after an interruption will not make it again
        self.records[outcome.record.key] = outcome.record


def episode_options_for(config: FeedConfig, synth: SynthOptions, cover: Path) -> EpisodeOptions:
    """How a build makes its episodes (the show's cover at ``cover``, unless an episode has art)."""
    return EpisodeOptions(
        engine=config.engine,
        profile=config.profile,
        synth=synth,
        fetch_cover=False,
        cover=cover,
        album=config.show.title,
        loudness=config.loudness,
        intro=config.intro,
        outro=config.outro,
    )


def _failure(item: SourceItem, exc: Exception) -> Failure:
    """The one-line report of a failed article; a bug's traceback is logged at debug level."""
    if isinstance(exc, AudiocastError):
        cause = str(exc)
    else:
        log.debug("unexpected error making %s", item.origin, exc_info=exc)
        cause = f"unexpected {type(exc).__name__}: {exc} (a bug; run with -vv for the traceback)"
    failure = Failure(item.article.title, item.origin, cause, item.key)
    log.warning("failed: %s; skipped, the next build tries it again", failure)
    return failure


def _listed(output: Path, plan: Plan, records: dict[str, EpisodeRecord]) -> tuple[EpisodeRecord, ...]:
    """The records the new feed lists: the kept ones and the ones just made, in plan order. An
    article that failed is listed only when it had an episode before whose files are all there."""
    keys = [record.key for record in plan.keep] + [item.key for item in plan.to_make]
    on_disk = _OnDisk(output)
    return tuple(records[key] for key in keys if key in records and on_disk.intact(records[key]))


def make_task(
    config: FeedConfig, task: EpisodeTask, options: EpisodeOptions, engine: Engine, progress: Progress | None
) -> Made:
    """Make one episode into ``config.output``; returns its record and what it read."""
    item = task.item
    made_with = MadeWith.of(engine)
    stem = episode_stem(item, task.source_hash, made_with)
    destination = config.output / EPISODES_DIR / f"{stem}.mp3"
    lead = item.article.images[0] if item.article.images else None
    figures = figure_images(planned_script(item.article, options)) if config.episode_art else ()
    fetched = article_art(lead, figures, options.synth.cache_dir) if config.episode_art else {}
    art = _write_art(config, fetched.get(lead) if lead else None, destination)
    pictures, picture_files = _write_chapter_pictures(config, fetched, figures, destination)
    options = dataclasses.replace(options, chapter_pictures=pictures)
    if art is not None:
        options = dataclasses.replace(options, cover=config.output / art)
    episode = make_episode(item.article, destination, options, progress, engine=engine)
    show_episode = _with_art(_show_episode(config.output, task.guid, item, episode), item, art)
    show_episode = dataclasses.replace(show_episode, sidecars={**show_episode.sidecars, **picture_files})
    record = EpisodeRecord(item.key, task.source_hash, show_episode, made_with)
    return Made(record, _Read(len(episode.script.segments), episode.clips_synthesized))


def _write_art(config: FeedConfig, art: bytes | None, audio: Path) -> str | None:
    """Write the lead image's ``art`` beside the episode's MP3 ``audio``; its name relative to the output
    folder, or None when there is no art (none, or it could not be fetched: warned about already)."""
    if art is None:
        return None
    path = audio.with_suffix(ART_ENDING)
    _write_if_changed(path, art)
    return path.relative_to(config.output).as_posix()


def _write_chapter_pictures(
    config: FeedConfig, art: dict[str, bytes], figures: tuple[str, ...], audio: Path
) -> tuple[dict[str, ChapterPicture], dict[str, str]]:
    """Write the chapter picture of each figure found in ``art`` beside the MP3 ``audio``; returns the
    pictures by the figure's image address (with their URLs under ``base_url``), and the sidecars."""
    pictures: dict[str, ChapterPicture] = {}
    files: dict[str, str] = {}
    for number, url in enumerate((url for url in dict.fromkeys(figures) if url in art), start=1):
        path = audio.with_name(f"{audio.stem}.fig{number}{ART_ENDING}")
        jpeg = chapter_jpeg(art[url])
        _write_if_changed(path, jpeg)
        relative = path.relative_to(config.output).as_posix()
        files[f"{FIGURE}{number}"] = relative
        pictures[url] = ChapterPicture(jpeg, config.show.url(relative))
    return pictures, files


def _with_art(episode: ShowEpisode, item: SourceItem, art: str | None) -> ShowEpisode:
    if art is None:
        return episode
    sidecars = {**episode.sidecars, ART: art}
    return dataclasses.replace(episode, sidecars=sidecars, art_alt=lead_caption(item.article))


def _add_art(
    config: FeedConfig, options: BuildOptions, records: dict[str, EpisodeRecord], items: tuple[SourceItem, ...]
) -> None:
    """Add the picture to kept episodes made without it (see the module docstring), in ``records``."""
    for item in items:
        record = records[item.key]
        art = _write_art(config, lead_art(item.article.images, options.cache_dir), config.output / record.episode.audio)
        if art is not None:
            records[item.key] = dataclasses.replace(record, episode=_with_art(record.episode, item, art))


def _show_episode(output: Path, guid: str, item: SourceItem, episode: Episode) -> ShowEpisode:
    article = item.article
    audio = Path(episode.audio_path)
    return ShowEpisode(
        guid=guid,
        title=article.title,
        link=article.link,
        summary=article.summary,
        author=article.author,
        language=article.language,
        published=article.published,
        audio=audio.relative_to(output).as_posix(),
        length=audio.stat().st_size,  # the tagged file as it is on disk: the enclosure length
        duration_ms=episode.duration_ms,
        chapters=episode.timeline.chapters,
        sidecars={kind: Path(path).relative_to(output).as_posix() for kind, path in episode.sidecars.items()},
    )


def episode_guid(key: str) -> str:
    """A stable GUID for an article key: the same article always gets the same GUID.

    >>> episode_guid("https://www.voachinese.com/a/7372382.html")
    '022a1764-27e4-5edf-a601-31c2be226bb6'
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def episode_stem(item: SourceItem, source_hash: str, made_with: MadeWith) -> str:
    """An ASCII file name (date, slug, short hash); a changed article or engine gets a new name, so a
    URL never serves two different files (Apple's CoreMedia caches byte ranges by URL)."""
    identity = "\x00".join((item.key, source_hash, made_with.engine, made_with.version))
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    slug = slugify(item.article.title) or slug_from_link(item.article.link) or "episode"
    return f"{item.article.published:%Y-%m-%d}-{slug}-{digest}"


def slugify(text: str, limit: int = 48) -> str:
    """Lower-case ASCII words joined by hyphens; ``""`` when too little of ``text`` is ASCII.

    >>> slugify("Blinken Off to Brussels, as NATO Shores Up Commitment to Ukraine!")
    'blinken-off-to-brussels-as-nato-shores-up'
    >>> slugify("布林肯前往布鲁塞尔")
    ''
    >>> slugify("Café déjà vu")
    'cafe-deja-vu'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug if len(slug) >= 3 else ""


def slug_from_link(link: str) -> str:
    """A slug from the most wordy segment of a link's path.

    >>> slug_from_link("https://www.voachinese.com/a/blinken-off-to-brussels-20231127/7372382.html")
    'blinken-off-to-brussels-20231127'
    """
    segments = urllib.parse.urlsplit(link).path.split("/")
    wordy = max(segments, key=lambda part: sum(char.isalpha() for char in part), default="")
    return slugify(wordy.rsplit(".", 1)[0] if "." in wordy else wordy)


def _publish(config: FeedConfig, state: State, cover: str) -> None:
    show = _show(config, state, cover)
    for record in state.episodes:
        _relocate_chapter_pictures(config.output, show, record.episode)
    pages = site_pages([record.episode for record in state.episodes])
    _publish_pages(config.output, show, pages)
    on_page = {episode.guid: page.file for page in pages for episode in page.episodes}
    in_feed = [dataclasses.replace(episode, page=on_page[episode.guid]) for episode in _in_feed(config, state)]
    _write_if_changed(config.output / FEED_FILE, render_feed(show, in_feed))
    _write_if_changed(config.output / PLAYLIST_FILE, render_playlist(in_feed))


def _in_feed(config: FeedConfig, state: State) -> list[ShowEpisode]:
    """The episodes feed.xml and playlist.m3u8 list: the newest ``keep``."""
    return newest_first([record.episode for record in state.episodes])[: config.keep]


def _publish_pages(output: Path, show: Show, pages: tuple[Page, ...]) -> None:
    """Write each page of the site whose stamp changed, its episodes' transcripts read for it."""
    code = reader_version()  # a hash of all of audiocast's code: a new version renders every page once
    for number, page in enumerate(pages):
        stamp = page_stamp(show, pages, number, code)
        path = output / page.file
        if _stamp_on_disk(path) == stamp:
            continue
        episodes = tuple(_with_transcript(output, episode) for episode in page.episodes)
        shown = (*pages[:number], Page(page.file, episodes), *pages[number + 1 :])
        write_bytes(path, render_page(show, shown, number, stamp).encode("utf-8"))


def _stamp_on_disk(path: Path) -> str | None:
    try:
        with path.open("rb") as page:
            return stamp_of(page.read(STAMP_BYTES))
    except OSError:
        return None


def _relocate_chapter_pictures(output: Path, show: Show, episode: ShowEpisode) -> None:
    """Point the episode's chapters file at its chapter pictures under the show's ``base_url`` as it is
    now (a ``--base-url`` or a moved show), as feed.xml is: the file is rewritten only when that changed."""
    chapters = episode.sidecars.get("chapters")
    pictures = {Path(name).name: show.url(name) for kind, name in episode.sidecars.items() if kind.startswith(FIGURE)}
    if not chapters or not pictures:
        return
    path = output / chapters
    try:
        document = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PublishError(f"{path}: chapters cannot be read ({exc.strerror}); rerun the build") from exc
    try:
        _write_if_changed(path, relocated(document, pictures).encode("utf-8"))
    except ValueError as exc:  # someone else's edit: left as it is
        log.warning("%s: %s; its chapter pictures keep their addresses", path, exc)


def _show(config: FeedConfig, state: State, cover: str) -> Show:
    return Show(**dataclasses.asdict(config.show), cover=cover, guid=state.podcast_guid)


def _with_transcript(output: Path, episode: ShowEpisode) -> ShowEpisode:
    """The episode with what its web page shows besides the state: the transcript and the caption
    cues that time its sentences."""
    texts = {kind: _sidecar_text(output / name) for kind in ("txt", "vtt") if (name := episode.sidecars.get(kind))}
    return dataclasses.replace(episode, transcript=texts.get("txt", ""), cues=read_vtt(texts.get("vtt", "")))


def _sidecar_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PublishError(f"{path}: cannot be read ({exc.strerror}); rerun the build") from exc


def _write_if_changed(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically, but leave it (and its HTTP validators) alone when unchanged."""
    if path.is_file() and path.read_bytes() == data:
        return
    write_bytes(path, data)


def _prune(output: Path, state: State, cover: str) -> None:
    """Delete episode files the site no longer lists, its pages beyond the last, old covers, and leftover
    temporary files."""
    pages = site_pages([record.episode for record in state.episodes])
    listed = {cover, FEED_FILE, PLAYLIST_FILE, *(page.file for page in pages)}
    for record in state.episodes:
        listed.add(record.episode.audio)
        listed.update(record.episode.sidecars.values())
    folder = output / EPISODES_DIR
    candidates = [*folder.iterdir()] if folder.is_dir() else []
    candidates += [path for path in output.iterdir() if path.is_file()]
    removed = 0
    for path in candidates:
        relative = path.relative_to(output).as_posix()
        if relative in listed or not path.is_file() or not _ours(path):
            continue
        log.debug("removing %s", relative)
        path.unlink(missing_ok=True)
        removed += 1
    if removed:
        log.info("removed %d file%s the feed no longer lists", removed, "s" * (removed != 1))


def _ours(path: Path) -> bool:
    """Files a build made: episode files and sidecars, older pages, covers, and temporary ``.part`` files."""
    name = path.name
    if name.startswith(".") and name.endswith(".part"):
        return True
    if path.parent.name == EPISODES_DIR:
        return name.endswith((*EPISODE_ENDINGS, ART_ENDING))
    return is_older_page(name) or bool(re.fullmatch(r"cover-[0-9a-f]{8}\.jpg", name))


@contextlib.contextmanager
def _exclusive(output: Path, *, create: bool) -> Iterator[None]:
    """Hold a lock on the output folder so two builds never interleave their writes."""
    if not create and not output.exists():
        yield
        return
    try:
        output.mkdir(parents=True, exist_ok=True)
        handle = (output / LOCK_FILE).open("a")
    except OSError as exc:
        raise PublishError(f"{output}: cannot write here ({exc.strerror}); choose another output folder") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"{output}: another feed build is running there; wait for it to finish") from None
        yield


def _report(config: FeedConfig, plan: Plan, read: _Read, *, on_site: int, dry_run: bool) -> BuildReport:
    return BuildReport(
        plan=plan,
        output=config.output,
        feed_file=config.output / FEED_FILE,
        feed_url=config.feed_url,
        episodes=min(on_site, config.keep),
        on_site=on_site,
        segments=read.segments,
        clips=read.clips,
        dry_run=dry_run,
        failed=read.failed,
    )


__all__ = [
    "STATE_DB", "BuildOptions", "BuildProgress", "BuildReport", "Failure", "Plan", "build_feed", "make_plan",
]  # fmt: skip
