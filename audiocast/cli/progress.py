"""Progress bars for long work, drawn with tqdm on stderr (and only on a terminal)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class BarProgress:
    """Implements ``audiocast.episode.Progress``: one bar per stage that has a known size."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: tqdm[None] | None = None

    def stage(self, name: str, total: int | None = None) -> None:
        self.close()
        if not self.enabled:
            return
        if total is None:
            print(f"{name}…", file=sys.stderr)
        else:
            self.bar = tqdm(total=total, desc=name, unit="clip", file=sys.stderr, leave=False, dynamic_ncols=True)

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
