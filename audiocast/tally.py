"""Counting what the reading rules remove, so a rule that starts eating articles is seen at once.

Every rule that drops text reports it with ``removed(rule, text)``. Nothing is counted unless a
caller opens a ``Tally`` with ``counting()`` (``bench/bench_rules.py`` does); the tally lives in a
context variable, so runs and tests never share counts.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Tally:
    """How often each rule fired, how many characters it removed, and what (the first few of each)."""

    fired: Counter[str] = field(default_factory=Counter)
    chars: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)


SAMPLES = 5
"""How many removed texts each rule keeps, to show what it matched."""

_CURRENT: contextvars.ContextVar[Tally | None] = contextvars.ContextVar("audiocast_tally", default=None)


@contextmanager
def counting() -> Iterator[Tally]:
    """Count removals made inside the ``with`` block.

    >>> with counting() as tally:
    ...     removed("timestamp", "2024-12-12T15:07:50Z")
    >>> tally.fired["timestamp"], tally.chars["timestamp"]
    (1, 20)
    >>> removed("timestamp", "outside any tally: not counted")
    """
    tally = Tally()
    token = _CURRENT.set(tally)
    try:
        yield tally
    finally:
        _CURRENT.reset(token)


def is_counting() -> bool:
    """Whether removals are being counted: check before working out a removed text that costs time."""
    return _CURRENT.get() is not None


def removed(rule: str, text: str) -> None:
    """Record that ``rule`` removed ``text`` (a no-op unless counting)."""
    tally = _CURRENT.get()
    if tally is not None and text.strip():
        tally.fired[rule] += 1
        tally.chars[rule] += len(text.strip())
        kept = tally.samples.setdefault(rule, [])
        if len(kept) < SAMPLES:
            kept.append(" ".join(text.split()))
