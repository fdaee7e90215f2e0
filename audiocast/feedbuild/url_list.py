"""A feed source that is a list of article addresses: a ``.urls`` file, one http(s) URL per line.

Owns the list's format (a UTF-8 BOM, blank lines and ``#`` comments ignored, a comment also after
an address and a space; any other line must be one http(s) address, else one error naming the file
and line: a space inside an address is refused, since it more often joins two things than belongs
to one), reading each listed page as an article the way
``audiocast episode URL`` does, and appending new addresses for ``audiocast feed add``. The file
ending, never the content, says a file is a URL list, so a plain-text article is never taken for one.
A page that cannot be fetched or read, whatever the reason, is skipped with a one-line warning and
fetched again on the next build; the others are built.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from .. import atomic
from ..errors import AudiocastError, ReadError
from ..fetch import is_url
from ..links import safe_link
from ..models import Article
from ..sources import read_source
from ..sources.feed import FeedRead, SourceItem

log = logging.getLogger(__name__)

URL_LIST_SUFFIX = ".urls"

_UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_COMMENT = re.compile(r"(?:^|\s)#")
"""A ``#`` at the start of a line or after a space starts a comment; one inside an address is its fragment."""


def is_url_list(source: str) -> bool:
    """Whether a feed definition's ``source`` names a URL list (by its ending alone).

    >>> is_url_list("/feeds/later.urls"), is_url_list("/feeds/later.txt"), is_url_list("https://x.org/a.urls")
    (True, False, False)
    """
    return not is_url(source) and Path(source).suffix.lower() == URL_LIST_SUFFIX


def read_url_list(path: Path) -> list[str]:
    """The addresses listed in ``path``, in order; a missing file lists none."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad starts a UTF-8 file with a BOM
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: cannot be read ({exc})") from exc
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        address = _COMMENT.split(line, maxsplit=1)[0].strip()
        if not address:
            continue
        problem = address_problem(address)
        if problem is not None:
            raise ReadError(f"{path}:{number}: {address[:80]!r} {problem}; write one URL per line, # for comments")
        urls.append(address)
    return urls


def address_problem(text: str) -> str | None:
    """What keeps ``text`` from being one address of a list (ending "…in it"), or None when it can be one.

    An IRI is fine (it is fetched as its URI); a space or an invisible character inside is not.

    >>> [address_problem(text) for text in ("https://zh.example.org/新闻/北约.html#第2段", "news/x.html", "http://")]
    [None, 'is not an http(s) address', 'is not an http(s) address']
    >>> address_problem("http://x.org/a b.html")
    'has a space or an invisible character in it (write a space as %20)'
    >>> address_problem("http://x.org/a\u200bb.html") == address_problem("http://x.org/a\tb.html") is not None
    True
    """
    if not is_url(text) or safe_link(text) is None:
        return "is not an http(s) address"
    if any(char.isspace() or not char.isprintable() for char in text):
        return "has a space or an invisible character in it (write a space as %20)"
    return None


def add_urls(path: Path, urls: Sequence[str]) -> list[str]:
    """Append the ``urls`` not yet in the list at ``path`` (creating it), atomically; return those added.

    An address is already listed when its URI is: an IRI and its percent-encoded form are one page.
    """
    listed = {safe_link(url) for url in read_url_list(path)}
    added = []
    for url in urls:
        if safe_link(url) not in listed:
            listed.add(safe_link(url))
            added.append(url)
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
        except AudiocastError as exc:  # fetching and reading turn any failure into one (see fetch.download)
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
