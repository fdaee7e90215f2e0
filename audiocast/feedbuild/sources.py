"""Where a feed's articles come from: a folder, one article file, an RSS/Atom feed (file or URL), or a
list of article addresses (a ``.urls`` file, see ``url_list``).

Owns turning the definition's ``source`` into ``SourceItem``s (article + stable key + content hash).
A file that starts like RSS/Atom is read as a feed, anything else as one article (archive format,
HTML or text). In a folder, an unreadable file is skipped with a warning so one bad article cannot
stop the show, and audiocast's own outputs (an episode's transcript and other sidecars beside its
MP3) are not articles; a source that is itself missing or unreadable is an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import Path

from ..episode import TRANSCRIPT_ENDING, sidecar_paths
from ..errors import ReadError
from ..fetch import is_url
from ..sources import read_text_as_article
from ..sources.feed import FeedRead, SourceItem, fetch, looks_like_feed, parse_feed, read_feed
from ..sources.loading import MAX_ARTICLE_BYTES, decode
from .readings import Readings, open_readings
from .url_list import is_url_list, read_url_items

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = frozenset({".md", ".html", ".htm", ".txt", ".xml", ".rss", ".atom"})
"""Files a folder source reads; others (images, notes) are ignored."""


def read_items(source: str, *, timeout: float, source_name: str = "", cache_dir: Path | None = None) -> FeedRead:
    """Every article the source offers, with the lines describing what was skipped.

    ``source_name``, when given, is the publisher of every article (the feed definition's key).
    Article files read before are taken from the readings cache in ``cache_dir`` (see ``readings``).
    """
    found = _read_source(source, timeout=timeout, cache_dir=cache_dir)
    if not source_name:
        return found
    return FeedRead(tuple(_published_by(item, source_name) for item in found.items), found.skipped)


def _read_source(source: str, *, timeout: float, cache_dir: Path | None) -> FeedRead:
    if is_url(source):
        return read_feed(source, timeout=timeout)
    path = Path(source)
    if is_url_list(source):
        return read_url_items(path)
    if not path.is_dir() and not path.is_file():
        raise ReadError(f"{source}: no such file or folder")
    with open_readings(cache_dir) as readings:
        return _read_folder(path, readings) if path.is_dir() else _read_file(path, path.name, readings)


def _published_by(item: SourceItem, source_name: str) -> SourceItem:
    """The item with ``source_name`` as its publisher; the name is part of its hash, so a new name re-makes it."""
    digest = hashlib.sha256(f"{item.content_hash}\x00{source_name}".encode()).hexdigest()
    article = dataclasses.replace(item.article, source_name=source_name)
    return dataclasses.replace(item, article=article, content_hash=digest)


def _read_folder(folder: Path, readings: Readings) -> FeedRead:
    files = _article_files(folder)
    if not files:
        raise ReadError(f"{folder}: no article files (.md, .html, .txt) or feeds (.xml) in this folder")
    items: list[SourceItem] = []
    skipped: list[str] = []
    for path in files:
        try:
            found = _read_file(path, path.name, readings)
        except ReadError as exc:
            log.warning("skipped: %s", exc)
            skipped.append(str(exc))
            continue
        items.extend(found.items)
        skipped.extend(found.skipped)
    return FeedRead(tuple(items), tuple(skipped))


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


def _read_file(path: Path, name: str, readings: Readings) -> FeedRead:
    data = fetch(str(path), max_bytes=max(MAX_ARTICLE_BYTES, 20 * 1024 * 1024))
    if looks_like_feed(data):
        return parse_feed(data, str(path))
    if len(data) > MAX_ARTICLE_BYTES:
        raise ReadError(f"{path}: larger than {MAX_ARTICLE_BYTES // (1024 * 1024)} MB; one article per file, please")
    content_hash = hashlib.sha256(data).hexdigest()
    article = readings.get(str(path), content_hash)
    if article is None:
        article = read_text_as_article(decode(data, str(path)), str(path))
        readings.put(str(path), content_hash, article)
    # The original link is the article's identity, so renaming or moving the file keeps its GUID.
    key = article.link or f"file:{name}"
    item = SourceItem(key=key, content_hash=content_hash, article=article, origin=str(path))
    return FeedRead((item,), ())
