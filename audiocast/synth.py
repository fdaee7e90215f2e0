"""Turn a script's segments into clips: the one owner of concurrency for every engine.

Segments are synthesised by a bounded pool (``jobs``); results come back in script order. The
first failure cancels the rest and is re-raised as itself, so the CLI still prints one line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .engines.base import Engine
from .errors import AudiocastError, SynthError
from .models import Clip, Script, Segment
from .profiles import VoiceProfile

log = logging.getLogger(__name__)

ClipDone = Callable[[int, Clip], None]
"""Called with (segment index, clip) as each clip is ready; used for progress."""


@dataclass(frozen=True, kw_only=True)
class SynthOptions:
    jobs: int = 4
    rate: str | None = None
    """Overrides the profile's rate, e.g. ``+15%``."""

    def __post_init__(self) -> None:
        if not 1 <= self.jobs <= 32:
            raise ValueError(f"jobs must be between 1 and 32, got {self.jobs}")


def synthesize(
    script: Script,
    profile: VoiceProfile,
    engine: Engine,
    options: SynthOptions = SynthOptions(),
    on_clip: ClipDone | None = None,
) -> list[Clip]:
    """Synthesise every segment of ``script``; the clips are in segment order."""
    return asyncio.run(synthesize_async(script.segments, profile, engine, options, on_clip))


async def synthesize_async(
    segments: Sequence[Segment],
    profile: VoiceProfile,
    engine: Engine,
    options: SynthOptions,
    on_clip: ClipDone | None = None,
) -> list[Clip]:
    gate = asyncio.Semaphore(options.jobs)
    clips: list[Clip | None] = [None] * len(segments)

    async def one(index: int, segment: Segment) -> None:
        voice = profile.voice_for(engine.name, segment.voice, rate=options.rate)
        async with gate:
            clip = await engine.synthesize(segment.text, voice)
        clips[index] = clip
        if on_clip is not None:
            on_clip(index, clip)

    try:
        async with asyncio.TaskGroup() as group:
            for index, segment in enumerate(segments):
                group.create_task(one(index, segment))
    except BaseExceptionGroup as group_error:
        raise _first_error(group_error) from None
    return [clip for clip in clips if clip is not None]


def _first_error(group_error: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first AudiocastError inside a (possibly nested) exception group, else the first error."""
    audiocast_errors = group_error.subgroup(AudiocastError)
    chosen = audiocast_errors if audiocast_errors is not None else group_error
    while isinstance(chosen, BaseExceptionGroup):
        chosen = chosen.exceptions[0]
    if not isinstance(chosen, AudiocastError):
        log.debug("unexpected synthesis failure", exc_info=chosen)
        return SynthError(f"synthesis failed unexpectedly: {chosen!r}")
    return chosen
