"""The one interface every voice engine implements, and the registry of engines.

Engines only turn text into audio. Caching, retries, timeouts and concurrency live once in
``audiocast.synth`` and wrap every engine alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ..models import Clip

_RATE = re.compile(r"^[+-]\d+%$")
_PITCH = re.compile(r"^[+-]\d+Hz$")

RATE_RANGE = (-50, 100)
"""Speaking rates (percent) every engine honours. Microsoft's SSML reference says prosody rate
changes "should be within 0.5 to 2 times the original audio" (speech-synthesis-markup-voice,
"Adjust prosody"), and the edge service does not go faster than +100% (edge-tts #44); espeak-ng
speaks 88-350 wpm at these rates, inside its 80-450. Outside it the audio no longer matches the
rate asked for, and the cut-off checks in ``audiocast.clip_checks`` would misjudge it. Keep the
README's *Rates* paragraph (and the ``--rate`` option row) in sync."""


def check_rate(rate: str) -> None:
    """Raise ``ValueError`` unless ``rate`` is ``+N%``/``-N%`` inside :data:`RATE_RANGE`.

    >>> check_rate("+15%")
    >>> check_rate("-100%")
    Traceback (most recent call last):
    ValueError: rate must be between -50% and +100%, got '-100%'
    """
    if not _RATE.match(rate):
        raise ValueError(f"rate must look like +10% or -10%, got {rate!r}")
    low, high = RATE_RANGE
    if not low <= int(rate[:-1]) <= high:
        raise ValueError(f"rate must be between {low}% and +{high}%, got {rate!r}")


@dataclass(frozen=True)
class VoiceSpec:
    """Which voice reads, and how. Rate/volume are ``+N%``/``-N%``, pitch is ``+NHz``/``-NHz``.

    >>> VoiceSpec("cmn", rate="+15%").rate_percent
    15
    >>> VoiceSpec("cmn", rate="fast")
    Traceback (most recent call last):
    ValueError: rate must look like +10% or -10%, got 'fast'
    >>> VoiceSpec("cmn", rate="-150%")
    Traceback (most recent call last):
    ValueError: rate must be between -50% and +100%, got '-150%'
    """

    name: str
    rate: str = "+0%"
    pitch: str = "+0Hz"
    volume: str = "+0%"

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("voice name is empty")
        check_rate(self.rate)
        if not _RATE.match(self.volume):
            raise ValueError(f"volume must look like +10% or -10%, got {self.volume!r}")
        if not _PITCH.match(self.pitch):
            raise ValueError(f"pitch must look like +5Hz or -5Hz, got {self.pitch!r}")

    @property
    def rate_percent(self) -> int:
        return int(self.rate[:-1])

    @property
    def pitch_hz(self) -> int:
        return int(self.pitch[:-2])

    @property
    def volume_percent(self) -> int:
        return int(self.volume[:-1])


class Engine(Protocol):
    """Turns one segment's text into one clip."""

    name: str
    offline: bool
    """True when the audio is made on this machine: the same text gives the same clip, and it
    cannot arrive cut off, so the synth wrapper never retries it as truncated."""

    @property
    def version(self) -> str:
        """Changes whenever the same text and voice could sound different (part of cache keys)."""
        ...

    @property
    def sample_rate(self) -> int:
        """The rate of every clip it makes (Hz), each voice alike: an episode is encoded at it."""
        ...

    async def synthesize(self, text: str, voice: VoiceSpec) -> Clip:
        """Speak ``text`` with ``voice``; raise a ``SynthError`` subclass on failure.

        When the service cannot be reached at all, raise ``TransientSynthError`` from the
        ``OSError`` (refused, unknown host, no route), so ``audiocast.synth.cannot_connect`` sees it
        and the run stops instead of retrying every segment.
        """
        ...
