"""RSS and Atom feeds of full articles (a file or an http(s) URL) read into articles.

Owns fetching a feed (timeout, size limit), parsing it with feedparser, and choosing each entry's
parts: the full HTML (``content`` / ``content:encoded``, else ``description``) goes through the same
body reader as the archive format (``article_from_entry``); title, link, date and author come from
the entry. A missing or nonsense date falls back to the entry's update date, then the feed's, then
an archive date line in the body; with none, the entry is listed as of when it was read, with a
warning, and is spoken without a date (never a made-up one); a placeholder author ("admin", an
e-mail address) is dropped rather than read aloud. An entry with no readable text is skipped with
a warning, not fatal to the feed.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import html
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser

from ..errors import ReadError
from ..fetch import download, is_url
from ..models import Article
from . import article_from_entry
from .sites import FEED_PROXIES, host_of, is_known_site, is_stand_in, publisher_named

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 30.0
_FEED_TYPES = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"

_EARLIEST = dt.datetime(1995, 1, 1, tzinfo=dt.UTC)  # before RSS existed: a broken date
_FUTURE_SLACK = dt.timedelta(days=2)  # wrong time zones put dates a little ahead; more is nonsense
# fmt: off
_PLACEHOLDER_AUTHORS = frozenset({
    "admin", "administrator", "anonymous", "author", "editor", "n/a", "nobody", "none", "noreply", "null",
    "root", "staff", "unknown", "webmaster",
})
# fmt: on
_AUTHOR_SCAN_LIMIT = 1000
"""Longest author text feedparser is allowed to search for an e-mail address (see ``_bounded_author_sync``)."""
_EMAIL = re.compile(r"(?<!\S)\S+@\S+")  # from a word's start only: a long run without "@" stays linear
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class SourceItem:
    """An article with its stable identity and a hash of the input it was read from.

    ``key`` never changes for the same article (an entry's guid, or a file's original link), so the
    episode GUID derived from it is stable; ``content_hash`` changes when the article is edited.
    """

    key: str
    content_hash: str
    article: Article
    origin: str


@dataclass(frozen=True)
class Channel:
    """What a feed says of itself, for entries whose link does not name their publisher."""

    title: str
    hosts: frozenset[str]
    """The hosts of the feed's own address and of its ``<link>``."""


@dataclass(frozen=True)
class FeedRead:
    items: tuple[SourceItem, ...]
    skipped: tuple[str, ...]
    """One line per entry that could not be read, naming it and why."""


def looks_like_feed(head: bytes) -> bool:
    """Whether the start of a file is an RSS or Atom document.

    >>> looks_like_feed(b'<?xml version="1.0"?>\\n<rss version="2.0"><channel>')
    True
    >>> looks_like_feed(b"<!--1701121143000-->\\n[t](https://x)")
    False
    """
    start = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return bool(re.search(rb"<(rss|feed|rdf:rdf)[\s>]", start)) and (
        start.startswith(b"<?xml") or start.startswith(b"<rss") or start.startswith(b"<feed")
    )


def read_feed(location: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_FEED_BYTES) -> FeedRead:
    """Read every entry of the feed at ``location`` (a file path or an http(s) URL)."""
    data = fetch(location, timeout=timeout, max_bytes=max_bytes)
    return parse_feed(data, location)


def fetch(location: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """The bytes at a path or http(s) URL, refusing more than ``max_bytes``."""
    if is_url(location):
        data = download(location, timeout=timeout, max_bytes=max_bytes, accept=_FEED_TYPES).body
    else:
        try:
            with Path(location).open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ReadError(f"{location}: cannot be read ({exc.strerror or exc})") from exc
    return _within_limit(data, location, max_bytes)


def _within_limit(data: bytes, location: str, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise ReadError(f"{location}: larger than {max_bytes // (1024 * 1024)} MB; is this really a feed?")
    return data


def _bounded_author_sync(original: Callable[..., None]) -> Callable[..., None]:
    """feedparser searches each author for an e-mail address with a regular expression that takes
    quadratic time (feedparser issue #562, unfixed in 6.0.x): one 80,000-character ``<author>`` held
    a build for 33 s. Authors are cut to ``_AUTHOR_SCAN_LIMIT`` characters before that search; no
    name read aloud is that long (``clean_author`` drops names over 100)."""

    def sync(self: Any, key: str = "author") -> None:
        context = self._get_context()
        author = context.get(key)
        if isinstance(author, str) and len(author) > _AUTHOR_SCAN_LIMIT:
            context[key] = author[:_AUTHOR_SCAN_LIMIT]
        original(self, key)

    return sync


_mixin = feedparser.mixin._FeedParserMixin
if hasattr(_mixin, "_sync_author_detail"):
    _mixin._sync_author_detail = _bounded_author_sync(_mixin._sync_author_detail)


_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _parsed(data: bytes, location: str) -> Any:
    """feedparser's reading of ``data``. feedparser raises on a character reference to no character
    (``&#99999999;``, a surrogate such as ``&#xD800;``); such references are dropped and the feed
    read again, so one bad reference costs one character, not the feed."""
    headers = {"content-location": location}
    try:
        return feedparser.parse(data, response_headers=headers)
    except (ValueError, UnicodeError) as exc:
        repaired = _CHARACTER_REFERENCE.sub(_possible_reference, data)
        if repaired == data:
            raise ReadError(f"{location}: cannot be read as a feed ({exc})") from exc
    try:
        return feedparser.parse(repaired, response_headers=headers)
    except (ValueError, UnicodeError) as exc:
        raise ReadError(f"{location}: cannot be read as a feed ({exc})") from exc


def _possible_reference(match: re.Match[bytes]) -> bytes:
    """A numeric character reference as it was when it names a character, else nothing.

    >>> [_CHARACTER_REFERENCE.sub(_possible_reference, text) for text in (b"&#x4E2D;", b"&#55296;", b"&#99999999;")]
    [b'&#x4E2D;', b'', b'']
    """
    code = int(match[1], 16) if match[1] else int(match[2])
    return match[0] if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else b""


def parse_feed(data: bytes, location: str, *, now: dt.datetime | None = None) -> FeedRead:
    """Articles from feed bytes; ``location`` names the feed in messages and resolves relative links."""
    parsed = _parsed(data, location)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if problem else ""
        raise ReadError(f"{location}: not an RSS or Atom feed{detail}")
    feed_date = _feed_date(parsed.feed)
    read_at = now or dt.datetime.now(dt.UTC)
    channel = Channel(
        _plain(parsed.feed.get("title", "")),
        frozenset(filter(None, (host_of(location), host_of(str(parsed.feed.get("link", "")))))),
    )
    items: list[SourceItem] = []
    skipped: list[str] = []
    for number, entry in enumerate(parsed.entries, start=1):
        origin = f"{location} entry {number}"
        try:
            items.append(_item(entry, origin, feed_date, channel, read_at))
        except ReadError as exc:
            log.warning("skipped: %s", exc)
            skipped.append(str(exc))
    return FeedRead(tuple(items), tuple(skipped))


def _item(
    entry: Any, origin: str, feed_date: dt.datetime | None, channel: Channel, read_at: dt.datetime
) -> SourceItem:
    title = _plain(entry.get("title", ""))
    link = original_link(entry)
    body = _body_html(entry)
    author = clean_author(_author(entry))
    published = entry_date(entry) or feed_date
    article = article_from_entry(
        title=title,
        link=link,
        published=published,
        body_html=body,
        author="" if publisher_named(author, "en") else author,
        origin=origin,
        publisher=entry_publisher(entry, link, channel),
    )
    if not article.dated:  # listed as of when it was read; its opening names no made-up date
        log.warning("%s: no date in the entry or the feed; listed as read on %s", origin, f"{read_at:%Y-%m-%d}")
        article = dataclasses.replace(article, published=read_at)
    raw_date = str(dict.get(entry, "published") or dict.get(entry, "updated") or "")
    digest = hashlib.sha256("\x00".join((title, link, raw_date, author, body)).encode("utf-8")).hexdigest()
    key = str(entry.get("id") or link or f"sha256:{hashlib.sha256((title + body).encode()).hexdigest()}")
    return SourceItem(key=key, content_hash=digest, article=article, origin=link or origin)


def original_link(entry: Any) -> str:
    """The article's own address: ``feedburner:origLink``, else an Atom link away from a relay, else the link.

    >>> original_link({"link": "http://feedproxy.google.com/~r/x/1", "feedburner_origlink": "https://x.org/1"})
    'https://x.org/1'
    >>> original_link({"link": "https://a.github.io/p/1.html", "links": [
    ...     {"rel": "alternate", "href": "https://a.github.io/p/1.html"},
    ...     {"rel": "related", "href": "https://www.dw.com/zh/1"}]})
    'https://www.dw.com/zh/1'
    >>> original_link({"link": "https://a.github.io/p/1.html", "links": [
    ...     {"rel": "enclosure", "type": "image/jpeg", "href": "https://cdn.example.net/1.jpg"}]})
    'https://a.github.io/p/1.html'
    """
    link = str(entry.get("link", "")).strip()
    origin_link = str(entry.get("feedburner_origlink", "")).strip()
    if is_url(origin_link):
        return origin_link
    if not is_stand_in(host_of(link)):
        return link
    for candidate in entry.get("links", []):
        href = str(candidate.get("href", "")).strip()
        page = candidate.get("rel", "alternate") in _PAGE_RELATIONS and _PAGE_TYPE.match(candidate.get("type") or "")
        if page and is_url(href) and not is_stand_in(host_of(href)):
            return href
    return link


_PAGE_RELATIONS = frozenset({"alternate", "related", "via"})
"""Atom link relations that point at a web page; an enclosure (an image, the audio) never does."""
_PAGE_TYPE = re.compile(r"^(?:$|text/html|application/xhtml\+xml)", re.IGNORECASE)


def entry_publisher(entry: Any, link: str, channel: Channel) -> str | None:
    """Who published an entry when its link does not say: None when the link's site names it.

    When the link points at a relay (a feed proxy, an archive mirror, an aggregator) or at the
    feed's own host, the publisher is the first known name among the entry's ``<source>``, author
    and categories and the feed's title; else the ``<source>`` title; else, behind a feed proxy,
    the feed's title. ``""`` means nobody can be named (better silence than the mirror's name).
    """
    host = host_of(link)
    if host and not is_stand_in(host) and (host not in channel.hosts or is_known_site(host)):
        return None  # the link's own site names it: a known publisher's feed is not named by its categories
    source = entry.get("source") or {}
    source_title = _plain(source.get("title", ""))
    categories = [_plain(tag.get("term", "")) for tag in entry.get("tags", [])]
    for candidate in (source_title, _author(entry), *categories, channel.title):
        if publisher_named(candidate, "en"):
            return candidate
    if source_title:
        return source_title
    if is_stand_in(host, FEED_PROXIES) and channel.title:
        return channel.title
    return "" if is_stand_in(host) else None


def _body_html(entry: Any) -> str:
    """The entry's full HTML: the longest ``content`` (Atom content, RSS content:encoded), else summary."""
    contents = [str(part.get("value", "")) for part in entry.get("content", []) if part.get("value")]
    if contents:
        return max(contents, key=len)
    return str(entry.get("summary", ""))


def _author(entry: Any) -> str:
    detail = entry.get("author_detail") or {}
    return str(detail.get("name") or entry.get("author") or "")


def clean_author(raw: str) -> str:
    """An author name fit to be read aloud, or ``""`` for a placeholder.

    >>> clean_author("noreply@blogger.com (Unknown)"), clean_author("jane@example.org (Jane Doe)")
    ('', 'Jane Doe')
    >>> clean_author("admin"), clean_author("  Li   Wei "), clean_author("12345")
    ('', 'Li Wei', '')
    """
    text = _EMAIL.sub(" ", _plain(raw)).replace("(", " ").replace(")", " ")
    text = " ".join(text.split())
    if not text or len(text) > 100 or not any(char.isalpha() for char in text):
        return ""
    return "" if text.casefold() in _PLACEHOLDER_AUTHORS else text


def entry_date(entry: Any, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The entry's publication (else update) date, or ``None`` when missing or implausible."""
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get maps a missing updated_parsed to published_parsed, with a warning.
        when = _plausible(dict.get(entry, field), now)
        if when is not None:
            return when
    return None


def _feed_date(feed: Any) -> dt.datetime | None:
    for field in ("updated_parsed", "published_parsed"):
        when = _plausible(dict.get(feed, field), None)
        if when is not None:
            return when
    return None


def _plausible(value: time.struct_time | None, now: dt.datetime | None) -> dt.datetime | None:
    """A UTC datetime from feedparser's struct_time, if it lies between 1995 and just after now."""
    if value is None:
        return None
    try:
        when = dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None
    latest = (now or dt.datetime.now(dt.UTC)) + _FUTURE_SLACK
    return when if _EARLIEST <= when <= latest else None


def _plain(text: str) -> str:
    """Text without tags or entities (titles may arrive as HTML).

    >>> _plain("Tom &amp; <b>Jerry</b>")
    'Tom & Jerry'
    """
    return " ".join(html.unescape(_TAG.sub("", str(text))).split())
