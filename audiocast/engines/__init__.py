"""Voice engines behind one interface, registered by name."""

from __future__ import annotations

from collections.abc import Callable

from .base import Engine, VoiceSpec
from .espeak import EspeakEngine

ENGINES: dict[str, Callable[[], Engine]] = {"espeak": EspeakEngine}
"""Engine name → factory. Keep the README's engine list in sync."""

__all__ = ["ENGINES", "Engine", "VoiceSpec", "make_engine"]


def make_engine(name: str) -> Engine:
    """Build the engine registered as ``name``."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(sorted(ENGINES))}") from None
    return factory()
