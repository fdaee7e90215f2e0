"""A feed source that is a list of article addresses: a ``.urls`` file, one http(s) URL per line.

Owns the list's format (blank lines and ``#`` comments ignored; any other line must be an http(s)
URL, else one error naming the file and line), reading each listed page as an article the way
``audiocast episode URL`` does, and appending new addresses for ``audiocast feed add``. The file
ending, never the content, says a file is a URL list, so a plain-text article is never taken for one.
A page that cannot be fetched or read is skipped with a warning and fetched again on the next build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from .. import atomic
from ..errors import ReadError
from ..fetch import is_url
from ..models import Article
from ..sources import read_source
from ..sources.feed import FeedRead, SourceItem

log = logging.getLogger(__name__)

URL_LIST_SUFFIX = ".urls"

_UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def is_url_list(source: str) -> bool:
    """Whether a feed definition's ``source`` names a URL list (by its ending alone).

    >>> is_url_list("/feeds/later.urls"), is_url_list("/feeds/later.txt"), is_url_list("https://x.org/a.urls")
    (True, False, False)
    """
    return not is_url(source) and Path(source).suffix.lower() == URL_LIST_SUFFIX


def read_url_list(path: Path) -> list[str]:
    """The addresses listed in ``path``, in order; a missing file lists none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: cannot be read ({exc})") from exc
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        address = line.strip()
        if not address or address.startswith("#"):
            continue
        if not is_url(address):
            raise ReadError(
                f"{path}:{number}: {address[:80]!r} is not an http(s) address; write one URL per line, # for comments"
            )
        urls.append(address)
    return urls


def add_urls(path: Path, urls: Sequence[str]) -> list[str]:
    """Append the ``urls`` not yet in the list at ``path`` (creating it), atomically; return those added."""
    listed = read_url_list(path)
    added = [url for url in dict.fromkeys(urls) if url not in listed]
    if added:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        separator = "\n" if old and not old.endswith("\n") else ""
        atomic.write_text(path, old + separator + "".join(f"{url}\n" for url in added))
    return added


def read_url_items(path: Path) -> FeedRead:
    """Every listed page read as an article; a page that fails is skipped with a warning."""
    if not path.exists():
        raise ReadError(f"{path}: no such URL list; add addresses with: audiocast feed add FEED.toml URL")
    items: list[SourceItem] = []
    skipped: list[str] = []
    for url in read_url_list(path):
        try:
            article = read_source(url)
        except ReadError as exc:
            log.warning("skipped: %s", exc)
            skipped.append(str(exc))
            continue
        items.append(
            SourceItem(key=article.link or url, content_hash=_article_hash(article), article=article, origin=url)
        )
    return FeedRead(tuple(items), tuple(skipped))


def _article_hash(article: Article) -> str:
    """A hash of what is read aloud, not of the page's bytes: a page whose ads or scripts change every
    time is not re-made, and an undated page's read time (its stand-in date) does not count."""
    stable = article if article.dated else dataclasses.replace(article, published=_UNDATED)
    return hashlib.sha256(repr(stable).encode("utf-8")).hexdigest()
