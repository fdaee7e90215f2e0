"""Where a feed's articles come from: a folder, one article file, an RSS/Atom feed (file or URL), or a
list of article addresses (a ``.urls`` file, see ``url_list``).

Owns turning the definition's ``source`` into ``SourceItem``s (article + stable key + content hash).
A file that starts like RSS/Atom is read as a feed, anything else as one article (archive format,
HTML or text). In a folder, an unreadable file is skipped with a warning so one bad article cannot
stop the show, and audiocast's own outputs (an episode's transcript and other sidecars beside its
MP3) are not articles; a source that is itself missing or unreadable is an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..episode import TRANSCRIPT_ENDING, sidecar_paths
from ..errors import ReadError
from ..fetch import is_url
from ..models import Article
from ..sources import read_text_as_article
from ..sources.feed import FeedRead, SourceItem, fetch, looks_like_feed, parse_feed, read_feed
from ..sources.loading import MAX_ARTICLE_BYTES, decode
from .readings import Readings, open_readings
from .url_list import is_url_list, read_url_items

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = frozenset({".md", ".html", ".htm", ".txt", ".xml", ".rss", ".atom"})
"""Files a folder source reads; others (images, notes) are ignored."""


READ_TOGETHER_BYTES = 64 * 1024 * 1024
"""Bytes of article files held at once to be read together (on a cluster, in parallel)."""
ArticleRead = tuple[Article | ReadError, tuple[str, ...]]
"""One article file read: the article or why it could not be, and the warnings reading gave."""
ReadArticles = Callable[[list[tuple[str, bytes]]], list[ArticleRead]]
"""Reads article files given as (path, bytes), in order: here (``read_article_files``) or on a cluster."""


def read_items(
    source: str,
    *,
    timeout: float,
    source_name: str = "",
    cache_dir: Path | None = None,
    read_articles: ReadArticles | None = None,
) -> FeedRead:
    """Every article the source offers, with the lines describing what was skipped.

    ``source_name``, when given, is the publisher of every article (the feed definition's key).
    Article files read before are taken from the readings cache in ``cache_dir`` (see ``readings``);
    the others of a folder are read by ``read_articles`` (by default here, one after another).
    """
    found = _read_source(source, timeout=timeout, cache_dir=cache_dir, read_articles=read_articles)
    if not source_name:
        return found
    return FeedRead(tuple(_published_by(item, source_name) for item in found.items), found.skipped)


def _read_source(
    source: str, *, timeout: float, cache_dir: Path | None, read_articles: ReadArticles | None
) -> FeedRead:
    if is_url(source):
        return read_feed(source, timeout=timeout)
    path = Path(source)
    if is_url_list(source):
        return read_url_items(path)
    if not path.is_dir() and not path.is_file():
        raise ReadError(f"{source}: no such file or folder")
    with open_readings(cache_dir) as readings:
        if path.is_dir():
            return _read_folder(path, readings, read_articles or read_article_files)
        return _read_one(path, readings)


def _published_by(item: SourceItem, source_name: str) -> SourceItem:
    """The item with ``source_name`` as its publisher; the name is part of its hash, so a new name re-makes it."""
    digest = hashlib.sha256(f"{item.content_hash}\x00{source_name}".encode()).hexdigest()
    article = dataclasses.replace(item.article, source_name=source_name)
    return dataclasses.replace(item, article=article, content_hash=digest)


def _read_folder(folder: Path, readings: Readings, read_articles: ReadArticles) -> FeedRead:
    files = _article_files(folder)
    if not files:
        raise ReadError(f"{folder}: no article files (.md, .html, .txt) or feeds (.xml) in this folder")
    return _read_folder_files(files, readings, read_articles)


def _read_folder_files(files: list[Path], readings: Readings, read_articles: ReadArticles) -> FeedRead:
    """The articles and feeds of ``files``, in order; a file that cannot be read is skipped with a
    warning. The articles not in ``readings`` are read by ``read_articles``, ``READ_TOGETHER_BYTES`` at a time."""
    items: list[SourceItem] = []
    skipped: list[str] = []
    found: list[FeedRead | ReadError | _Unread] = []
    held = 0
    for number, path in enumerate(files, start=1):
        entry: FeedRead | ReadError | _Unread
        try:
            entry = _read_file(path, readings)
        except ReadError as exc:
            entry = exc
        found.append(entry)
        held += len(entry.data) if isinstance(entry, _Unread) else 0
        if held >= READ_TOGETHER_BYTES or number == len(files):
            _take(found, readings, read_articles, items, skipped)
            found, held = [], 0
    return FeedRead(tuple(items), tuple(skipped))


def _take(
    found: list[FeedRead | ReadError | _Unread],
    readings: Readings,
    read_articles: ReadArticles,
    items: list[SourceItem],
    skipped: list[str],
) -> None:
    """Add what ``found`` holds to ``items`` and ``skipped``, reading its unread articles together."""
    unread = [entry for entry in found if isinstance(entry, _Unread)]
    reads = iter(read_articles([(str(entry.path), entry.data) for entry in unread]))
    for entry in found:
        if isinstance(entry, _Unread):
            article, warnings = next(reads)
            for warning in warnings:
                log.warning("%s", warning)
            entry = _keep(entry, article, readings)
        if isinstance(entry, ReadError):
            log.warning("skipped: %s", entry)
            skipped.append(str(entry))
            continue
        items.extend(entry.items)
        skipped.extend(entry.skipped)


def _article_files(folder: Path) -> list[Path]:
    """The folder's article files, without the transcripts and sidecars ``audiocast episode`` wrote."""
    children = [child for child in folder.iterdir() if child.is_file() and not child.name.startswith(".")]
    outputs = {
        sidecar.name
        for child in children
        if child.suffix.lower() == ".mp3"
        for sidecar in sidecar_paths(child).values()
    }
    return sorted(
        child
        for child in children
        if child.suffix.lower() in ARTICLE_SUFFIXES
        and child.name not in outputs
        and not child.name.lower().endswith(TRANSCRIPT_ENDING)
    )


@dataclass(frozen=True)
class _Unread:
    """An article file not in the readings cache: to be read."""

    path: Path
    data: bytes
    content_hash: str


def _read_file(path: Path, readings: Readings) -> FeedRead | _Unread:
    data = fetch(str(path), max_bytes=max(MAX_ARTICLE_BYTES, 20 * 1024 * 1024))
    if looks_like_feed(data):
        return parse_feed(data, str(path))
    if len(data) > MAX_ARTICLE_BYTES:
        raise ReadError(f"{path}: larger than {MAX_ARTICLE_BYTES // (1024 * 1024)} MB; one article per file, please")
    content_hash = hashlib.sha256(data).hexdigest()
    article = readings.get(str(path), content_hash)
    if article is None:
        return _Unread(path, data, content_hash)
    return _item(path, content_hash, article)


def _read_one(path: Path, readings: Readings) -> FeedRead:
    """The source's one file: one that cannot be read is the build's error, not a warning."""
    entry = _read_file(path, readings)
    found = _keep(entry, _article_or_error(str(path), entry.data), readings) if isinstance(entry, _Unread) else entry
    if isinstance(found, ReadError):
        raise found
    return found


def _keep(unread: _Unread, article: Article | ReadError, readings: Readings) -> FeedRead | ReadError:
    if isinstance(article, ReadError):
        return article
    if not article.dated:  # dated when read: here, in the files' order, wherever it was parsed
        article = dataclasses.replace(article, published=dt.datetime.now(dt.UTC))
    readings.put(str(unread.path), unread.content_hash, article)
    return _item(unread.path, unread.content_hash, article)


def _item(path: Path, content_hash: str, article: Article) -> FeedRead:
    # The original link is the article's identity, so renaming or moving the file keeps its GUID.
    key = article.link or f"file:{path.name}"
    return FeedRead((SourceItem(key=key, content_hash=content_hash, article=article, origin=str(path)),), ())


def read_article_files(files: list[tuple[str, bytes]]) -> list[ArticleRead]:
    """Read article files given as (path, bytes), here or on a Dask worker: the warnings reading
    gave in this thread are returned with each article, for the build to log in the files' order."""
    reads: list[ArticleRead] = []
    for path, data in files:
        with _WARNINGS_KEPT.of_this_thread() as warnings:
            article = _article_or_error(path, data)
        reads.append((article, tuple(warnings)))
    return reads


def _article_or_error(path: str, data: bytes) -> Article | ReadError:
    try:
        return read_text_as_article(decode(data, path), path)
    except ReadError as exc:
        return exc


class _WarningsKept(logging.Handler):
    """Keeps the warnings audiocast logs in the threads reading articles, instead of logging them.

    While any thread reads, this one handler sits on the package logger, which then does not
    propagate: a reading thread's warnings go to its own list, and every other record goes on to
    the root logger's handlers as before. Several threads (a Dask worker's) may read at once.
    """

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[int, list[str]] = {}
        self._guard = threading.Lock()
        self._package = logging.getLogger(__name__.split(".")[0])

    @contextlib.contextmanager
    def of_this_thread(self) -> Iterator[list[str]]:
        warnings: list[str] = []
        with self._guard:
            if not self._kept:
                self._package.addHandler(self)
                self._package.propagate = False
            self._kept[threading.get_ident()] = warnings
        try:
            yield warnings
        finally:
            with self._guard:
                del self._kept[threading.get_ident()]
                if not self._kept:
                    self._package.propagate = True
                    self._package.removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        kept = self._kept.get(record.thread) if record.thread is not None else None
        if kept is not None and record.levelno >= logging.WARNING:
            kept.append(record.getMessage())
        else:
            logging.getLogger().handle(record)


_WARNINGS_KEPT = _WarningsKept()
