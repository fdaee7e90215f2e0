"""Which engine reads a feed build's episodes, and whether an episode read earlier still stands.

The engine is made at most once per build and only when needed, so ``auto`` checks the online
service (and warns when it cannot be reached) once per build, not once per episode, and not at all
when nothing needs it. Each episode records the engine and engine version that read it:

- with ``engine = "edge"`` or ``"espeak"``, an episode read by another engine or another version
  of it is made again;
- with ``auto``, the better voice wins but a build never makes things worse: an episode read by
  edge at its current version stays without any check; otherwise the service is checked once.
  When it answers, episodes read offline are made again with edge. When it does not, episodes
  read by edge stay (an offline run never replaces them with the offline voice) and episodes
  read by espeak stay unless espeak itself changed.

With ``auto``, an article in a language the online service has no voice for is read offline
without asking the service (``for_voices``), and its episode stands while espeak is unchanged.

Keep the README's "Incremental" rule in sync with ``EngineChoice.keeps``.
"""

from __future__ import annotations

from collections.abc import Collection

from ..engines import ENGINES, Engine, make_engine
from .state import MadeWith

AUTO = "auto"
PREFERRED = "edge"
"""What ``make_engine("auto")`` reads with when the online service answers."""
OFFLINE = "espeak"


class EngineChoice:
    """The engine for one build, made on first use from the setting (``auto``, ``edge``, ``espeak``)."""

    def __init__(self, setting: str) -> None:
        self.setting = setting
        self._engine: Engine | None = None
        self._best: MadeWith | None = None
        self._offline: EngineChoice | None = None

    def for_voices(self, engines: Collection[str]) -> EngineChoice:
        """The choice for an article whose voice profile has voices on ``engines``: ``auto`` reads a
        language only the offline voice speaks with that, and never asks the service for it."""
        if self.setting != AUTO or PREFERRED in engines:
            return self
        if self._offline is None:
            self._offline = EngineChoice(OFFLINE)
        return self._offline

    def engine(self) -> Engine:
        """The engine this build reads with; for ``auto`` the first call checks the service."""
        if self._engine is None:
            self._engine = make_engine(self.setting)
        return self._engine

    def keeps(self, made_with: MadeWith) -> bool:
        """Whether an episode read with ``made_with`` stays (its article and voice profile unchanged)."""
        if made_with == self.best():
            return True
        if self.setting != AUTO:
            return False
        engine = self.engine()
        if engine.name == PREFERRED:
            return False  # the better voice answers today: read it again with that
        return made_with.engine == PREFERRED or made_with == MadeWith.of(engine)

    def best(self) -> MadeWith:
        """The engine and version this setting reads with at best, known without the network."""
        if self._best is None:
            if self.setting != AUTO:
                self._best = MadeWith.of(self.engine())
            else:
                self._best = MadeWith.of(ENGINES[PREFERRED]())  # made for its version only: no network
        return self._best
