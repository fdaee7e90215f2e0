"""Turn a script's segments into clips: the one wrapper around every engine.

Engines only turn text into audio. This module owns, once for all of them:

- concurrency: a bounded pool (``jobs``), results in script order, a callback per finished clip;
- the clip cache (``audiocast.cache``): a clip is looked up before synthesis and stored as soon as
  it is validated, so a failed run keeps its good clips and a rerun resumes;
- faults: an outer timeout per attempt, retries with exponential backoff and jitter on every
  ``TransientSynthError`` (throttling, 5xx, connection errors, no audio, timeouts, a turn the
  service never finished, cut-off audio), and the profile's fallback voice for a voice that keeps
  answering with no audio;
- a circuit breaker: when the service cannot be reached at all (refused, unknown host, no route)
  and a retry fails that way too, the whole run stops with one line instead of retrying each
  segment; retries are logged at debug level, the first of each kind of problem at info, once
  per :class:`SynthSession` (a feed build shares one across its episodes);
- clip validation: the audio must decode, and an online voice's clip must be all of its text
  (``audiocast.clip_checks``: its timings, and its length against the voice's own pace in the
  session). An offline clip is deterministic and is never judged cut off. The decoded PCM is what
  the caller gets, so assembly does not decode the clip again; the cache keeps the engine's compact
  audio, and cached clips are not validated again (they were before being stored, and the cache's
  checksum guards them since).

The first failure that survives all of that cancels the other segments and is re-raised as one
line naming the segment, the cause and the fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import random
import signal
import socket
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .audio import decode_clip
from .cache import ClipCache, ClipKey
from .clip_checks import Pace, truncation
from .engines.base import Engine, VoiceSpec, check_rate
from .errors import (
    AssembleError,
    AudiocastError,
    EngineUnavailable,
    NoAudioError,
    SynthError,
    TransientSynthError,
)
from .models import Clip, Script, Segment
from .profiles import VoiceProfile

log = logging.getLogger(__name__)

ClipDone = Callable[[int, Clip, bool], None]
"""Called with (segment index, clip, cached) as each clip is ready; ``cached`` is True when the clip
came from the clip cache rather than the engine, so callers can count real synthesis."""

MAX_JOBS = 16
"""The most segments synthesised at once: the edge service treats floods as abuse (edge-tts #102, #235)."""

UNREACHABLE_LIMIT = 3
"""Connection failures in a row, across segments and with nothing reaching the service between,
after which the run stops (once one of them was a retry, so it outlasted a backoff)."""
_CONNECT_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH})


RequestGate = contextlib.AbstractAsyncContextManager[Any]
"""What bounds requests in flight: ``async with gate:`` around each call to the engine."""


@dataclass(eq=False)
class SynthSession:
    """What several synthesis runs share: a feed build makes one for all its episodes.

    ``reported`` holds the kinds of problem already logged at info level, so each kind is one line
    per build however many episodes meet it; ``pace`` is how fast each voice spoke in the clips
    accepted so far, the yardstick for cut-off audio.
    """

    reported: set[str] = field(default_factory=set)
    pace: Pace = field(default_factory=Pace)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def first_report(self, kind: str) -> bool:
        """Whether ``kind`` of problem is met now for the first time; episodes made at once, each in
        its own thread, share the session."""
        with self._guard:
            first = kind not in self.reported
            self.reported.add(kind)
            return first


@dataclass(frozen=True, kw_only=True)
class SynthOptions:
    """How segments are synthesised. The defaults suit the online voice; tests shrink the delays."""

    jobs: int = 4
    rate: str | None = None
    """Overrides the profile's rate, e.g. ``+15%``; ``engines.base.RATE_RANGE`` bounds it."""
    cache_dir: Path | None = None
    """Root of the clip cache (see ``audiocast.cache.default_cache_dir``); None disables caching."""
    timeout: float = 60.0
    """Seconds one attempt at one segment may take with an online engine; edge-tts's receive
    timeout misses a silent socket."""
    retries: int = 4
    """Further attempts after a transient failure, per voice."""
    backoff: float = 1.0
    """Seconds before the first retry; each later retry waits twice as long, with jitter."""
    max_backoff: float = 30.0
    session: SynthSession | None = None
    """Shared by every run given these options; None gives each run its own."""
    gate: RequestGate | None = None
    """The bound on requests in flight, shared by every run given these options (episodes made at
    once); None gives each run its own pool of ``jobs``."""

    def __post_init__(self) -> None:
        if not 1 <= self.jobs <= MAX_JOBS:
            raise ValueError(f"jobs must be between 1 and {MAX_JOBS}, got {self.jobs}")
        if self.timeout <= 0 or self.retries < 0 or self.backoff < 0 or self.max_backoff < 0:
            raise ValueError("timeout must be positive; retries and backoff must not be negative")
        if self.rate is not None:
            check_rate(self.rate)


def synthesize(
    script: Script,
    profile: VoiceProfile,
    engine: Engine,
    options: SynthOptions | None = None,
    on_clip: ClipDone | None = None,
) -> list[Clip]:
    """Synthesise every segment of ``script``; the clips are in segment order."""

    def work() -> Coroutine[Any, Any, list[Clip]]:
        return synthesize_async(script.segments, profile, engine, options or SynthOptions(), on_clip)

    handler = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or not callable(handler):
        return asyncio.run(work())
    run = _terminated_between_tasks(work, handler)
    try:
        return asyncio.run(run)
    finally:
        run.close()  # stopped before the loop started it: no warning that it never ran
        signal.signal(signal.SIGTERM, handler)  # the loop leaves SIGTERM at its default, skipping clean-up


async def _terminated_between_tasks(
    work: Callable[[], Coroutine[Any, Any, list[Clip]]], handler: Callable[[int, Any], Any]
) -> list[Clip]:
    """``work()``, with SIGTERM's handler run by the event loop between tasks. Run inside a task
    (as Python runs it by default), the SystemExit it raises is kept by that task as well, and
    asyncio prints the task's traceback on the way out."""
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, handler, signal.SIGTERM, None)
    return await work()


async def synthesize_async(
    segments: Sequence[Segment],
    profile: VoiceProfile,
    engine: Engine,
    options: SynthOptions,
    on_clip: ClipDone | None = None,
) -> list[Clip]:
    """The async core of :func:`synthesize`."""
    run = _Run(engine, profile, options, total=len(segments))
    clips: list[Clip | None] = [None] * len(segments)

    async def one(index: int, segment: Segment) -> None:
        clip, cached = await run.clip_for(index, segment)
        clips[index] = clip
        if on_clip is not None:
            on_clip(index, clip, cached)

    try:
        async with asyncio.TaskGroup() as group:
            for index, segment in enumerate(segments):
                group.create_task(one(index, segment))
    except BaseExceptionGroup as group_error:
        raise _first_error(group_error) from None
    return [clip for clip in clips if clip is not None]


class _Run:
    """State shared by the segments of one run: the pool, the cache, the voices given up on."""

    def __init__(self, engine: Engine, profile: VoiceProfile, options: SynthOptions, *, total: int) -> None:
        self.engine = engine
        self.profile = profile
        self.options = options
        self.total = total
        self.gate: RequestGate = options.gate or asyncio.Semaphore(options.jobs)
        self.cache = ClipCache(options.cache_dir) if options.cache_dir is not None else None
        self.fallback = profile.fallback_for(engine.name, rate=options.rate)
        self.replaced: dict[str, VoiceSpec] = {}
        """Voice name → the fallback used instead for the rest of the run, once it stayed silent."""
        self.breaker = _Breaker(engine)
        self.session = options.session or SynthSession()

    async def clip_for(self, index: int, segment: Segment) -> tuple[Clip, bool]:
        """The clip for one segment and whether it came from the cache; failures name the segment."""
        voice = self.profile.voice_for(self.engine.name, segment.voice, rate=self.options.rate)
        cached = self._cached(segment.text, voice)
        if cached is not None:
            return cached, True
        try:
            return await self._synthesised(segment.text, voice), False
        except EngineUnavailable:
            raise  # about the whole run, not this segment
        except SynthError as exc:
            raise self._final_error(index, segment, exc) from exc

    def _cached(self, text: str, voice: VoiceSpec) -> Clip | None:
        if self.cache is None:
            return None
        for candidate in (voice, self.fallback):  # a rerun also finds what the fallback voice said
            if candidate is not None and (clip := self.cache.get(ClipKey.of(self.engine, candidate, text))):
                return clip
        return None

    async def _synthesised(self, text: str, voice: VoiceSpec) -> Clip:
        chosen = self.replaced.get(voice.name, voice)
        try:
            return await self._with_retries(text, chosen)
        except _Replaced:
            return await self._with_retries(text, self.replaced[voice.name])
        except NoAudioError as exc:
            if self.fallback is None or chosen.name == self.fallback.name:
                raise
            if voice.name not in self.replaced:
                log.warning("%s; reading its segments with the fallback voice %s", exc, self.fallback.name)
                self.replaced[voice.name] = self.fallback
            return await self._with_retries(text, self.fallback)

    async def _with_retries(self, text: str, voice: VoiceSpec) -> Clip:
        attempts = self.options.retries + 1
        for attempt in range(1, attempts + 1):
            if voice.name in self.replaced:  # another segment found this voice silent meanwhile
                raise _Replaced
            try:
                clip, decoded = await self._attempt(text, voice)
            except TransientSynthError as exc:
                self.breaker.failed(exc, retried=attempt > 1)
                if attempt == attempts:
                    raise
                delay = backoff_delay(attempt, self.options.backoff, self.options.max_backoff)
                self._log_retry(exc, delay, attempt + 1, attempts)
                await asyncio.sleep(delay)
                continue
            if self.cache is not None:
                self.cache.put(ClipKey.of(self.engine, voice, text), clip)  # the engine's compact audio
            return decoded
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, text: str, voice: VoiceSpec) -> tuple[Clip, Clip]:
        """One bounded, timed call to the engine; its clip, and the same clip validated and decoded.

        An offline engine is not timed: its work runs in a thread that a timeout cannot stop, and
        asking again would take as long.
        """
        limit = None if self.engine.offline else self.options.timeout
        async with self.gate:
            try:
                async with asyncio.timeout(limit):
                    clip = await self.engine.synthesize(text, voice)
            except TimeoutError as exc:
                silent = f"{self.engine.name} voice {voice.name}: no answer within {self.options.timeout:g} s"
                raise TransientSynthError(silent) from exc
        self.breaker.reached()
        return clip, await validated(clip, text, voice, offline=self.engine.offline, pace=self.session.pace)

    def _log_retry(self, exc: TransientSynthError, delay: float, attempt: int, attempts: int) -> None:
        """The first retry for each kind of problem at info level, the rest (and connection failures) at debug."""
        kind = _problem_kind(exc)
        first = self.session.first_report(kind) and not cannot_connect(exc)
        level = logging.INFO if first else logging.DEBUG
        log.log(level, "%s; retrying in %.1f s (attempt %d of %d)", exc, delay, attempt, attempts)

    def _final_error(self, index: int, segment: Segment, exc: SynthError) -> SynthError:
        preview = segment.text if len(segment.text) <= 24 else segment.text[:23] + "…"
        where = f"segment {index + 1} of {self.total} ({segment.role}, {preview!r})"
        if not isinstance(exc, TransientSynthError):
            return type(exc)(f"{where}: {exc}")
        resume = "rerun to resume from the cached clips" if self.cache is not None else "rerun to try again"
        offline = "" if self.engine.offline else ", or use --engine espeak"
        attempts = self.options.retries + 1
        return type(exc)(f"{where}: {exc}; gave up after {attempts} attempts; {resume}{offline}")


class _Replaced(Exception):
    """Internal: the voice being retried was replaced by the fallback while this segment waited."""


class _Breaker:
    """Stops a run whose engine cannot reach its service at all, instead of retrying every segment.

    Counts connection failures in a row across segments; any answer from the service (even an
    error such as HTTP 429) resets the count. It trips at ``UNREACHABLE_LIMIT`` once one of the
    failures was a retry, so a refusal that lasts less than one backoff does not stop the run.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.failures = 0

    def reached(self) -> None:
        self.failures = 0

    def failed(self, exc: TransientSynthError, *, retried: bool) -> None:
        """Note a failed attempt; raise ``EngineUnavailable`` once the service is plainly unreachable."""
        if not cannot_connect(exc):
            self.failures = 0
            return
        self.failures += 1
        if retried and self.failures >= UNREACHABLE_LIMIT:
            offline = "" if self.engine.offline else ", or use --engine espeak to read offline"
            raise EngineUnavailable(
                f"{exc}; stopped after {self.failures} failed connections in a row; check the network{offline}"
            ) from exc


def cannot_connect(exc: BaseException) -> bool:
    """Whether ``exc`` comes from failing to reach a service at all: refused, unknown host, no route.

    Engines say so by raising their ``TransientSynthError`` from the ``OSError`` (the edge engine's
    aiohttp connector error carries the errno and chains the resolver's ``gaierror``). A reset
    mid-answer, a timeout or an HTTP error status is not this.

    >>> refused = TransientSynthError("x")
    >>> refused.__cause__ = ConnectionRefusedError(errno.ECONNREFUSED, "refused")
    >>> cannot_connect(refused), cannot_connect(TransientSynthError("HTTP 429"))
    (True, False)
    """
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, socket.gaierror) or (isinstance(cause, OSError) and cause.errno in _CONNECT_ERRNOS):
            return True
        cause = cause.__cause__
    return False


def _problem_kind(exc: BaseException) -> str:
    """What a failure is, without its details, so one kind of problem is reported once.

    >>> _problem_kind(TransientSynthError("edge service is failing (HTTP 503)"))
    'edge service is failing'
    """
    return str(exc).split(" (", 1)[0]


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): ``base·2^(attempt-1)``, capped, jittered.

    The jitter (×0.5–1) spreads the retries of segments that failed together, so they do not hit
    a throttling service again in one burst.

    >>> 0.5 <= backoff_delay(1, 1.0, 30.0) <= 1.0, 4.0 <= backoff_delay(4, 1.0, 30.0) <= 8.0
    (True, True)
    >>> backoff_delay(10, 1.0, 30.0) <= 30.0
    True
    """
    return random.uniform(0.5, 1.0) * min(cap, base * 2.0 ** (attempt - 1))


async def validated(clip: Clip, text: str, voice: VoiceSpec, *, offline: bool, pace: Pace) -> Clip:
    """``clip`` as 16-bit PCM, decoded once here and never again.

    An online clip that does not decode or is not all of ``text`` raises ``TransientSynthError``
    (it may come whole next time); an accepted one teaches ``pace`` how fast its voice speaks. An
    offline clip is deterministic: it is never judged cut off, and one that does not decode is a
    plain ``SynthError``, since asking again would give the same.
    """
    try:
        audio = await asyncio.to_thread(decode_clip, clip)
    except AssembleError as exc:
        broken = SynthError if offline else TransientSynthError
        raise broken(f"{clip.engine} voice {clip.voice} sent audio that does not decode") from exc
    if not offline:

        def shortest_ms(part: str) -> int:
            return pace.shortest_ms(clip.engine, clip.voice, part, voice.rate_percent)

        problem = truncation(clip.boundaries, len(audio), text, shortest_ms)
        if problem:
            raise TransientSynthError(f"{clip.engine} voice {clip.voice} sent truncated audio ({problem})")
        pace.observe(clip.engine, clip.voice, text, len(audio), voice.rate_percent)
    if clip.format == "pcm_s16le":
        return clip
    return replace(clip, audio=audio.raw_data, format="pcm_s16le", sample_rate=audio.frame_rate)


def _first_error(group_error: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first AudiocastError inside a (possibly nested) exception group, else the first error."""
    audiocast_errors = group_error.subgroup(AudiocastError)
    chosen: BaseException = audiocast_errors if audiocast_errors is not None else group_error
    while isinstance(chosen, BaseExceptionGroup):
        chosen = chosen.exceptions[0]
    if not isinstance(chosen, AudiocastError):
        log.debug("unexpected synthesis failure", exc_info=chosen)
        return SynthError(f"synthesis failed unexpectedly: {chosen!r}")
    return chosen
