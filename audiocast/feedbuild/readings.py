"""Articles read from files before, kept so that planning a large archive does not parse every file again.

A build reads every file of a folder source to learn each article's identity, date and language,
and parsing one (its HTML body, the page furniture, the language) takes milliseconds: for an
archive of 10,000 files, most of a minute before any work began, on every build. This cache keeps
each article as it was read, under the file's path, the SHA-256 of its bytes and the reading code
(every file of the audiocast package and the version of every library it requires): when the file
or audiocast changes, the file is read again. A file that could not be read is never kept, so its
warning comes again; the warnings reading gave (an undated post, say) are not repeated for a file
taken from the cache.

It is an SQLite database, ``readings.db`` in the clip cache folder, written in one transaction at
the end of reading. It is only a cache: one that cannot be opened or written (damaged, read-only,
locked for long by another build) is passed by with a warning, and every file is read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..models import Article, Block

log = logging.getLogger(__name__)

READINGS_FILE = "readings.db"
BUSY_SECONDS = 10.0
_PACKAGE = Path(__file__).resolve().parent.parent
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class Readings:
    """The articles read before, looked up by path and content hash; new ones are kept on ``save``."""

    def __init__(self, connection: sqlite3.Connection | None) -> None:
        self._connection = connection
        self._new: list[tuple[str, str, str, str]] = []

    def get(self, path: str, content_hash: str) -> Article | None:
        if self._connection is None:
            return None
        try:
            row = self._connection.execute(
                "SELECT article FROM readings WHERE path = ? AND content_hash = ? AND reader = ?",
                (path, content_hash, reader_version()),
            ).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        if row is None:
            return None
        try:
            return _article(row[0])
        except (KeyError, TypeError, ValueError):  # a damaged entry: read the file again
            return None

    def put(self, path: str, content_hash: str, article: Article) -> None:
        if self._connection is not None:
            self._new.append((path, content_hash, reader_version(), _article_json(article)))

    def save(self) -> None:
        if self._connection is None or not self._new:
            return
        try:
            with self._connection:
                self._connection.executemany("INSERT OR REPLACE INTO readings VALUES (?, ?, ?, ?)", self._new)
        except sqlite3.Error as exc:
            self._give_up(exc)
        self._new.clear()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def _give_up(self, exc: sqlite3.Error) -> None:
        log.warning("the cache of articles read before cannot be used (%s); reading every file", exc)
        self.close()


@contextlib.contextmanager
def open_readings(cache_dir: Path | None) -> Iterator[Readings]:
    """The readings cache in ``cache_dir`` (none without one); what was read is kept on the way out."""
    readings = Readings(_connect(cache_dir / READINGS_FILE) if cache_dir is not None else None)
    try:
        yield readings
        readings.save()
    finally:
        readings.close()


def _connect(path: Path) -> sqlite3.Connection | None:
    connection: sqlite3.Connection | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS readings"
            " (path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, reader TEXT NOT NULL, article TEXT NOT NULL)"
        )
        return connection
    except (OSError, sqlite3.Error) as exc:
        log.warning("%s: the cache of articles read before cannot be used (%s); reading every file", path, exc)
        if connection is not None:
            connection.close()
        return None


@functools.cache
def reader_version() -> str:
    """A hash of the code that reads articles: every file of the package, and the required libraries'
    versions (a new lxml may parse a body differently)."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(_PACKAGE)}\x00".encode())
            digest.update(path.read_bytes())
    for name in _required_libraries():
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name}=={importlib.metadata.version(name)}\x00".encode())
    return digest.hexdigest()


def _required_libraries() -> list[str]:
    try:
        requirements = importlib.metadata.requires("audiocast") or []
    except importlib.metadata.PackageNotFoundError:  # run from a source tree without installing
        return []
    return sorted({match.group() for line in requirements if (match := _REQUIREMENT_NAME.match(line))})


def _article_json(article: Article) -> str:
    fields = dataclasses.asdict(article)
    fields["published"] = article.published.isoformat()
    return json.dumps(fields, ensure_ascii=False)


def _article(text: str) -> Article:
    fields: dict[str, Any] = json.loads(text)
    return Article(
        **{
            **fields,
            "published": dt.datetime.fromisoformat(fields["published"]),
            "blocks": tuple(Block(**block) for block in fields["blocks"]),
            "images": tuple(fields["images"]),
        }
    )
