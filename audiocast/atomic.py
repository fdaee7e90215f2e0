"""Write user-facing files so that a crash never leaves half a file behind.

Every file is written to a temporary sibling and renamed into place; ``os.replace`` is atomic on
POSIX when both paths are on one filesystem, which a sibling guarantees.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(destination: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; rename it into place if the block succeeds.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes(destination: Path, data: bytes) -> None:
    """Atomically replace ``destination`` with ``data``."""
    with atomic_path(destination) as temporary:
        temporary.write_bytes(data)


def write_text(destination: Path, text: str) -> None:
    """Atomically replace ``destination`` with ``text`` encoded as UTF-8."""
    write_bytes(destination, text.encode("utf-8"))
