"""Write user-facing files so that a crash never leaves half a file behind.

Every file is written to a temporary sibling, flushed to disk and renamed into place; ``os.replace``
is atomic on POSIX when both paths are on one filesystem, which a sibling guarantees. Files that
belong together (an episode and its sidecars) are renamed one after another only once all are
written, the main file last.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import OutputWriteError

_UMASK = os.umask(0)
os.umask(_UMASK)


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
    temporary: Path | None = None
    try:
        with _termination_deferred():  # until the name is held here, where ``finally`` removes it
            temporary = _temporary_beside(destination)
        yield temporary
        _flush(temporary)
        os.chmod(temporary, _mode_for(destination))
        os.replace(temporary, destination)
    except OutputWriteError:
        raise  # already says which file
    except OSError as exc:
        raise OutputWriteError(f"{destination}: cannot be written ({exc.strerror or exc})") from exc
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_paths(destinations: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary paths for several files, renamed into place together, the first one last."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(atomic_path(destination)) for destination in destinations]


def write_bytes(destination: Path, data: bytes) -> None:
    """Atomically replace ``destination`` with ``data``."""
    with atomic_path(destination) as temporary:
        temporary.write_bytes(data)


def write_text(destination: Path, text: str) -> None:
    """Atomically replace ``destination`` with ``text`` encoded as UTF-8."""
    write_bytes(destination, text.encode("utf-8"))


def terminate(status: int) -> None:
    """End the program with ``status`` (SystemExit), unless the main thread is making a temporary
    file: then as soon as that file's name is held where it will be removed on the way out. A
    signal handler calls this; a SystemExit raised inside ``mkstemp`` would leave its file behind."""
    global _deferred_exit
    if _making_temporary:
        _deferred_exit = status
        return
    sys.exit(status)


_making_temporary = False
_deferred_exit: int | None = None


@contextlib.contextmanager
def _termination_deferred() -> Iterator[None]:
    global _making_temporary, _deferred_exit
    if threading.current_thread() is not threading.main_thread():  # signal handlers run in the main one
        yield
        return
    _making_temporary = True
    try:
        yield
    finally:
        _making_temporary = False
        status, _deferred_exit = _deferred_exit, None
        if status is not None:
            sys.exit(status)


def _temporary_beside(destination: Path) -> Path:
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    except OSError as exc:
        raise OutputWriteError(f"{destination}: cannot be written ({exc.strerror or exc})") from exc
    os.close(handle)
    return Path(name)


def _flush(path: Path) -> None:
    """Make the file's bytes durable before the rename makes them visible."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _mode_for(destination: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets what the umask allows."""
    try:
        return stat.S_IMODE(destination.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_UMASK
